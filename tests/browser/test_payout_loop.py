"""The whole payout loop in chromium, each step through the pages as the role that does it.

The quarter containing today holds the glossary's accumulation example (rep1: quota 200,000,
D1 150,000 then D2 100,000, 16,000.00 of marginal commission; rep2: 2,500.00), and its first
run is published. Then:

1. rep1 opens their statement, drills down to the accelerated tier's line (D2's slice above
   quota: its deal and its rule) and questions it;
2. the comp admin takes the dispute, reviews it and resolves it with a 500.00 adjustment, paid
   in today's quarter; finance gives the adjustment its second approval (four eyes);
3. the comp admin recalculates the quarter and reviews the run (approval step 1), finance
   approves it (step 2), which publishes it;
4. finance closes the quarter;
5. the payroll file finance downloads pays rep1 16,000.00 of commission plus the 500.00
   adjustment, and rep2 2,500.00.

The worker is played by the test: it executes the queued run in-process (`execute_run`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from openspm.comp.models import Adjustment, CalcRun, Dispute
from openspm.comp.services import approvals, calc
from openspm.org.models import Period
from openspm.org.selectors import today
from openspm.org.services import ensure_fiscal_year
from tests.comp.factories import publish_ae_plan
from tests.factories import World, make_quota, make_transaction

pytestmark = pytest.mark.browser

ADJUSTMENT = Decimal("500.00")


def glossary_this_quarter(world: World) -> Period:
    """`tests.comp.factories.glossary_quarter`'s deals and quotas, in the quarter containing
    today (a dispute's adjustment is paid in today's quarter, so the loop happens there)."""
    on = today()
    quarter = next(
        p
        for p in ensure_fiscal_year(fiscal_year=on.year)
        if p.kind == Period.Kind.QUARTER and p.start_on <= on <= p.end_on
    )
    rep1, rep2 = world.people["rep1"], world.people["rep2"]
    make_quota(person=rep1, period_key=quarter.key, amount=Decimal("200000"))
    make_quota(person=rep2, period_key=quarter.key, amount=Decimal("100000"))
    start = quarter.start_on
    make_transaction(owner=rep1, amount=Decimal("150000"), booked_on=start, external_id="D1")
    make_transaction(
        owner=rep1, amount=Decimal("100000"), booked_on=start + timedelta(days=1), external_id="D2"
    )
    make_transaction(owner=rep2, amount=Decimal("50000"), booked_on=start, external_id="D3")
    return quarter


def publish_first_run(world: World, quarter: Period) -> CalcRun:
    """The quarter's first run, executed and approved in both steps (before the loop starts)."""
    comp_admin, finance = world.users["compadmin"], world.users["finance"]
    run = calc.execute_run(run_id=calc.request_run(actor=comp_admin, period_key=quarter.key).pk)
    assert run.status == CalcRun.Status.SUCCEEDED, run.error
    approvals.submit_run(actor=comp_admin, run_id=run.pk)
    approvals.approve_run(actor=comp_admin, run_id=run.pk)
    approvals.approve_run(actor=finance, run_id=run.pk)
    return run


def as_user(page: Page, sign_in: Callable[[str], object], username: str) -> Page:
    """Sign out whoever is signed in, then sign in as `username`."""
    page.context.clear_cookies()
    sign_in(username)
    return page


def open_nav(page: Page, label: str) -> None:
    page.get_by_test_id("mainnav").get_by_role("link", name=label, exact=True).click()


def test_statement_dispute_adjustment_approval_close_and_payroll(
    page: Page, sign_in: Callable[[str], object], browser_world: World, tmp_path: Path
) -> None:
    world = browser_world
    publish_ae_plan(world)
    quarter = glossary_this_quarter(world)
    first_run = publish_first_run(world, quarter)

    # 1. rep1: statement, drill-down to the accelerated tier's line, its deal and rule, dispute.
    as_user(page, sign_in, "rep1")
    open_nav(page, "Statements")
    page.get_by_test_id("statements").get_by_role("link", name="Rep1 Test").click()
    expect(page.get_by_test_id("payout-total")).to_contain_text("16,000.00 USD")
    # Deal lines are summed per tier: the tier-2 line holds D2's slice above quota.
    line = page.get_by_test_id("earning-line").filter(has_text="1 deal").filter(has_text="6,000.00")
    expect(line).to_have_count(1)
    line.get_by_test_id("drill-down").click()
    trace = page.get_by_test_id("trace")
    expect(trace.get_by_test_id("deal-line")).to_have_count(1)
    expect(trace.get_by_test_id("deal-line")).to_contain_text("D2")
    expect(trace.get_by_test_id("rule")).to_contain_text("commission (commission)")
    expect(trace.get_by_test_id("rule")).to_contain_text("0.12")
    expect(trace.get_by_test_id("plan-link")).to_have_text("ae v1")
    expect(trace.get_by_test_id("transactions")).to_contain_text("D2")
    expect(trace.get_by_test_id("transactions")).to_contain_text("100,000.00 USD")
    trace.get_by_test_id("question-line").click()
    page.get_by_label("Category").select_option("wrong_rate")
    page.get_by_label("Subject").fill("D2 should all be at 12 %")
    page.get_by_label("What is wrong?").fill("The whole of D2 closed after I reached quota.")
    page.get_by_test_id("open-dispute").click()
    expect(page.get_by_test_id("dispute-status")).to_have_text("Open")
    dispute = Dispute.objects.get()
    assert dispute.earning_line is not None
    assert (dispute.earning_line.tier, dispute.trace["transaction_refs"]) == ("2", ["D2"])
    assert dispute.run_id == first_run.pk

    # 2. The comp admin resolves it with an adjustment; finance approves the adjustment.
    as_user(page, sign_in, "compadmin")
    open_nav(page, "Disputes")
    page.get_by_role("row").filter(has_text="D2 should all be at 12 %").get_by_role(
        "link", name="Open"
    ).click()
    page.get_by_test_id("take").click()
    page.get_by_test_id("review").click()
    expect(page.get_by_test_id("dispute-status")).to_have_text("In review")
    page.get_by_label("Resolution").fill("Agreed: half of D2 was paid at the base rate.")
    page.get_by_label("Adjustment amount").fill("500.00")
    page.get_by_test_id("resolve").click()
    expect(page.get_by_test_id("dispute-status")).to_have_text("Resolved")
    expect(page.get_by_test_id("dispute-adjustment")).to_contain_text("500.00 USD (pending")
    adjustment = Adjustment.objects.get()
    assert (adjustment.period_id, adjustment.amount) == (quarter.pk, ADJUSTMENT)
    page.get_by_test_id("dispute-adjustment").get_by_role("link", name="open").click()
    expect(page.get_by_test_id("adjustment-status")).to_have_text("Pending approval")
    expect(page.get_by_test_id("approve-adjustment")).to_have_count(0)  # its author may not

    as_user(page, sign_in, "finance")
    page.goto(f"/comp/adjustments/{adjustment.pk}/")
    page.get_by_label("Comment").fill("Four eyes: checked against the plan.")
    page.get_by_test_id("approve-adjustment").click()
    expect(page.get_by_test_id("adjustment-status")).to_have_text("Approved")

    # 3. The comp admin recalculates and reviews the run; finance approves it.
    as_user(page, sign_in, "compadmin")
    open_nav(page, "Calc runs")
    page.get_by_test_id("start-run").get_by_label("Period").select_option(quarter.key)
    page.get_by_test_id("start-run").get_by_role("button", name="Start a run").click()
    expect(page).to_have_url(re.compile(r"/comp/runs/\d+/$"))
    second = CalcRun.objects.exclude(pk=first_run.pk).get()
    assert calc.execute_run(run_id=second.pk).status == CalcRun.Status.SUCCEEDED  # the worker
    # the page polls the run and refreshes itself when it ends (a reload of ours could race
    # that refresh and be aborted)
    expect(page.get_by_test_id("run-approval-link")).to_be_visible(timeout=15_000)
    page.get_by_test_id("run-approval-link").click()
    page.get_by_test_id("submit-run").click()
    page.get_by_label("Comment").fill("Recalculated after dispute resolution.")
    page.get_by_test_id("approve-run").click()
    expect(page.get_by_test_id("approval-steps")).to_contain_text("Approved")
    expect(page.get_by_test_id("run-approval")).to_have_text("Awaiting approval")

    as_user(page, sign_in, "finance")
    open_nav(page, "Approvals")
    queue = page.get_by_test_id("approval-queue")
    expect(queue.get_by_role("row").filter(has_text="Finance approval")).to_have_count(1)
    queue.get_by_role("row").filter(has_text=quarter.key).get_by_role("link", name="Review").click()
    expect(page).to_have_url(f"/comp/runs/{second.pk}/approval/")
    page.get_by_test_id("approve-run").click()
    expect(page.get_by_test_id("run-approval")).to_have_text("Approved")
    assert CalcRun.objects.get(pk=first_run.pk).approval == CalcRun.Approval.SUPERSEDED

    # 4. Finance closes the quarter.
    open_nav(page, "Period close")
    page.get_by_test_id(f"close-{quarter.key}").click()
    expect(page.get_by_test_id("close-periods")).to_contain_text("Closed")
    expect(page.get_by_test_id(f"close-{quarter.key}")).to_have_count(0)
    assert Period.objects.get(pk=quarter.pk).is_closed

    # 5. The payroll file: commission plus the adjustment, to the cent.
    open_nav(page, "Exports")
    page.get_by_role("combobox", name="Period").select_option(quarter.key)
    page.get_by_role("button", name="Show").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Payroll file (CSV)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"payroll-{quarter.key}.csv"
    with saved.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    paid = {(r["payee_id"], r["earning_code"]): Decimal(r["amount"]) for r in rows}
    assert paid == {
        ("REP1", "COMM"): Decimal("16000.00"),
        ("REP1", "COMMADJ"): Decimal("500.00"),
        ("REP2", "COMM"): Decimal("2500.00"),
    }
    assert {r["amount"] for r in rows} == {"16000.00", "500.00", "2500.00"}
    assert {(r["currency"], r["period"]) for r in rows} == {("USD", quarter.key)}
    assert sum(a for (payee, _), a in paid.items() if payee == "REP1") == Decimal("16500.00")

    # rep1's statement now comes from the recalculation and still carries the adjustment.
    as_user(page, sign_in, "rep1")
    page.goto(f"/comp/statements/{world.people['rep1'].pk}/{quarter.key}/")
    expect(page.get_by_test_id("payout-total")).to_contain_text("16,000.00 USD")
    expect(page.get_by_test_id("adjustments")).to_contain_text("500.00 USD")
    expect(page.get_by_test_id("total-due")).to_contain_text("16,500.00 USD")
