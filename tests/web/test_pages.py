"""Role × page matrix over every page URL of ours: status, and exactly the visible rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from openspm.comp.models import CalcRun
from openspm.plans.models import PlanVersion
from tests.comp.matrix_disputes import page_dispute
from tests.comp.matrix_payouts import PayoutRows, payout_rows
from tests.comp.matrix_statements import first_line_of, page_run
from tests.referrals.matrix_pages import referral_rows, referrals_seen
from tests.web.conftest import ROLES, Company

ALL_PEOPLE = frozenset({"vp", "manager1", "manager2", "rep1", "rep2", "rep3"})
VISIBLE_PEOPLE: dict[str, frozenset[str]] = {
    "rep1": frozenset({"rep1"}),
    "rep2": frozenset({"rep2"}),
    "manager1": frozenset({"manager1", "rep1", "rep2"}),
    "manager2": frozenset({"manager2", "rep3"}),
    "vp": ALL_PEOPLE,
    "finance": ALL_PEOPLE,
    "compadmin": ALL_PEOPLE,
    "admin": ALL_PEOPLE,
    "partner": frozenset(),
}
# Who each transaction is credited to (owner, or split holders).
TRANSACTION_PEOPLE = {
    "rep1": {"rep1"},
    "split": {"rep1", "rep2"},
    "cancelled": {"rep1"},
    "rep2": {"rep2"},
    "rep3": {"rep3"},
    "rep3eur": {"rep3"},
}
ACCOUNT_OWNERS = {"rep1": "rep1", "rep2": "rep2", "rep3": "rep3"}
QUOTA_PEOPLE = {name: name for name in ("rep1", "rep2", "rep3", "manager1", "manager2")}

INTERNAL = {role: 200 for role in ROLES} | {"partner": 403}
PEOPLE_ROLES = INTERNAL | {"rep1": 403, "rep2": 403}
EDITORS = {role: 403 for role in ROLES} | {"admin": 200, "compadmin": 200}
POST_ONLY = {role: 405 for role in ROLES}
ADMIN_ONLY = {role: 403 for role in ROLES} | {"admin": 200}
EVERYONE = {role: 200 for role in ROLES}
# A detail page of one of rep1's rows: 404 for whoever may not see rep1, 403 for partners.
REP1_DETAIL = INTERNAL | {"rep2": 404, "manager2": 404}


def _pks(company: Company, kind: str, names: set[str]) -> set[int]:
    rows = {
        "people": company.world.people,
        "transactions": company.transactions,
        "accounts": company.accounts,
        "quotas": company.quotas,
    }[kind]
    return {rows[name].pk for name in names}


def _visible(kind: str) -> Callable[[Company, str], set[int]]:
    def expected(company: Company, role: str) -> set[int]:
        seen = VISIBLE_PEOPLE[role]
        if kind == "people":
            names = set(seen)
        elif kind == "transactions":
            names = {k for k, people in TRANSACTION_PEOPLE.items() if people & seen}
        elif kind == "accounts":
            names = {k for k, owner in ACCOUNT_OWNERS.items() if owner in seen}
        else:
            names = {k for k, person in QUOTA_PEOPLE.items() if person in seen}
        return _pks(company, kind, names)

    return expected


def _teams(company: Company, role: str) -> set[int]:
    """Team East (leader manager1; rep1, rep2) shows to whoever sees its leader or a member."""
    east = company.team
    return {east.pk} if VISIBLE_PEOPLE[role] & {"manager1", "rep1", "rep2"} else set()


def _rep1_plan(company: Company) -> list[PlanVersion]:
    """Two published versions of a plan assigned to rep1 (made on first use)."""
    from openspm.plans import services as plan_services
    from tests.plans.factories import make_published_plan, plan_text

    existing = list(PlanVersion.objects.filter(plan__code="rep1_plan").order_by("number"))
    if existing:
        return existing
    users = company.world.users
    v1 = make_published_plan(author=users["compadmin"], approver=users["finance"], code="rep1_plan")
    plan_services.assign_plan(
        actor=users["compadmin"],
        plan_id=v1.plan_id,
        person=company.world.people["rep1"],
        effective_from=v1.effective_from,
    )
    v2 = plan_services.new_draft(actor=users["compadmin"], plan_id=v1.plan_id)
    plan_services.update_draft(
        actor=users["compadmin"],
        version_id=v2.pk,
        text=plan_text("rep1_plan", 2, rate="0.06"),
        effective_from=date(2026, 7, 1),
    )
    plan_services.submit_version(actor=users["compadmin"], version_id=v2.pk)
    plan_services.approve_version(actor=users["finance"], version_id=v2.pk)
    return [v1, v2]


def _plans_seen(company: Company, role: str) -> set[int]:
    return {_rep1_plan(company)[0].plan_id} if "rep1" in VISIBLE_PEOPLE[role] else set()


# Payouts (approvals, adjustments, close, exports) hold every payee's pay: approvers only.
APPROVERS = {role: 403 for role in ROLES} | {"admin": 200, "compadmin": 200, "finance": 200}
APPROVER_DETAIL = {role: 404 for role in ROLES} | {
    "partner": 403,
    "admin": 200,
    "compadmin": 200,
    "finance": 200,
}


def _payouts(company: Company) -> PayoutRows:
    """Runs waiting, published, closed and recalculated, and adjustments (tests/comp)."""
    return payout_rows(company.world.users, company.world.people)


def _adjustments_seen(company: Company, role: str) -> set[int]:
    rows = _payouts(company)
    return {
        rows[f"adjustment_{name}"].pk for name in ("rep1", "rep3") if name in VISIBLE_PEOPLE[role]
    }


# Runs show every payee's pay: only these roles; a run's page is a 404 to the others.
RUNS = {role: 403 for role in ROLES} | {"admin": 200, "compadmin": 200, "finance": 200}
RUN_DETAIL = {role: 404 for role in ROLES} | {
    "partner": 403,
    "admin": 200,
    "compadmin": 200,
    "finance": 200,
}


def _failed_run(company: Company) -> CalcRun:
    """A failed run of this quarter (made on first use)."""
    run = CalcRun.objects.filter(period=company.quarter).first()
    return run or CalcRun.objects.create(
        period=company.quarter, status=CalcRun.Status.FAILED, error="No published plan."
    )


def _statement_run(company: Company) -> CalcRun:
    """A published run of this quarter for rep1, rep2 and rep3 (made on first use)."""
    return page_run(company.world, company.quarter)


def _rep1_statement(company: Company) -> list[object]:
    return [_statement_run(company) and company.world.people["rep1"].pk, company.quarter.key]


@dataclass(frozen=True)
class Page:
    statuses: dict[str, int]
    context_key: str = ""
    expected: Callable[[Company, str], set[int] | None] | None = None
    args: Callable[[Company], list[object]] = field(default=lambda company: [])


PAGES: dict[str, Page] = {
    "home": Page(EVERYONE),
    "org:people": Page(PEOPLE_ROLES, "people", _visible("people")),
    "org:hierarchy": Page(PEOPLE_ROLES, "people", _visible("people")),
    "org:teams": Page(INTERNAL, "teams", _teams),
    "org:periods": Page(INTERNAL, "periods"),
    "web:person": Page(REP1_DETAIL, args=lambda c: [c.world.people["rep1"].pk]),
    "web:account": Page(REP1_DETAIL, args=lambda c: [c.accounts["rep1"].pk]),
    "web:audit": Page(ADMIN_ONLY, "entries"),
    "sales:transactions": Page(INTERNAL, "transactions", _visible("transactions")),
    "sales:transaction": Page(REP1_DETAIL, args=lambda c: [c.transactions["rep1"].pk]),
    "sales:accounts": Page(INTERNAL, "accounts", _visible("accounts")),
    "sales:products": Page(INTERNAL, "products"),
    "sales:fx_rates": Page(INTERNAL, "rates"),
    "quotas:quotas": Page(INTERNAL, "quotas", _visible("quotas")),
    "quotas:quota": Page(REP1_DETAIL, args=lambda c: [c.quotas["rep1"].pk]),
    "territories:territories": Page(INTERNAL, "territories"),
    "territories:territory": Page(INTERNAL, args=lambda c: [c.territory.pk]),
    # The import pages (tests/imports checks what they do; here only who may open them).
    "imports:start": Page(EDITORS),
    "imports:check": Page(POST_ONLY),
    "imports:confirm": Page(POST_ONLY),
    # Someone else's (or a made-up) import token is not found, for those who may import.
    "imports:status": Page(
        EDITORS | {"admin": 404, "compadmin": 404}, args=lambda c: ["no-such-token"]
    ),
    # An export holds only the rows the viewer sees (tests/imports checks the rows).
    "imports:export": Page(EVERYONE, args=lambda c: ["people", "csv"]),
    # Plans: rep1's published plan (tests/plans checks drafts and the approval flow).
    "plans:plans": Page(
        INTERNAL, "plans", lambda c, role: _plans_seen(c, role), lambda c: _rep1_plan(c) and []
    ),
    "plans:detail": Page(REP1_DETAIL, args=lambda c: [_rep1_plan(c)[0].plan_id]),
    "plans:version": Page(REP1_DETAIL, args=lambda c: [_rep1_plan(c)[0].pk]),
    "plans:diff": Page(REP1_DETAIL, args=lambda c: [v.pk for v in _rep1_plan(c)]),
    "plans:new_version": Page(POST_ONLY, args=lambda c: [_rep1_plan(c)[0].plan_id]),
    "plans:validate": Page(POST_ONLY, args=lambda c: [_rep1_plan(c)[0].pk]),
    "plans:decide": Page(POST_ONLY, args=lambda c: [_rep1_plan(c)[0].pk]),
    "plans:accept": Page(POST_ONLY, args=lambda c: [_rep1_plan(c)[0].pk]),
    # Payouts (tests/comp/test_adjustments_pages.py checks what the pages do).
    "comp:approvals": Page(
        APPROVERS,
        "runs",
        lambda c, role: {_payouts(c)["pending"].pk},
        lambda c: _payouts(c) and [],
    ),
    "comp:run_approval": Page(APPROVER_DETAIL, args=lambda c: [_payouts(c)["recalc"].pk]),
    "comp:submit_run": Page(POST_ONLY, args=lambda c: [_payouts(c)["unsubmitted"].pk]),
    "comp:decide_run": Page(POST_ONLY, args=lambda c: [_payouts(c)["pending"].pk]),
    "comp:post_differences": Page(POST_ONLY, args=lambda c: [_payouts(c)["recalc"].pk]),
    "comp:adjustments": Page(
        INTERNAL, "adjustments", _adjustments_seen, lambda c: _payouts(c) and []
    ),
    "comp:adjustment": Page(REP1_DETAIL, args=lambda c: [_payouts(c)["adjustment_rep1"].pk]),
    "comp:decide_adjustment": Page(POST_ONLY, args=lambda c: [_payouts(c)["adjustment_rep1"].pk]),
    "comp:close": Page(APPROVERS, "periods", args=lambda c: _payouts(c) and []),
    "comp:close_period": Page(POST_ONLY, args=lambda c: ["2026-Q3"]),
    "comp:exports": Page(APPROVERS, "payroll", args=lambda c: _payouts(c) and []),
    "comp:export": Page(APPROVERS, args=lambda c: _payouts(c) and ["payroll", "2026-Q3"]),
    # Calc runs and simulation: administrators, comp admins and finance (tests/comp/test_runs_*).
    "comp:runs": Page(RUNS, "runs", args=lambda c: _failed_run(c) and []),
    "comp:run": Page(RUN_DETAIL, args=lambda c: [_failed_run(c).pk]),
    "comp:start_run": Page(POST_ONLY),
    "comp:retry_run": Page(POST_ONLY, args=lambda c: [_failed_run(c).pk]),
    "comp:reproduce_run": Page(POST_ONLY, args=lambda c: [_failed_run(c).pk]),
    "comp:simulate": Page(RUNS, args=lambda c: [_rep1_plan(c)[1].pk]),
    # Statements and My pay (tests/comp/test_statements*.py, test_mypay*.py check the content).
    "comp:statements": Page(
        INTERNAL,
        "statements",
        lambda c, role: _pks(c, "people", set(VISIBLE_PEOPLE[role]) & {"rep1", "rep2", "rep3"}),
        lambda c: _statement_run(c) and [],
    ),
    "comp:statement": Page(REP1_DETAIL, args=lambda c: _rep1_statement(c)),
    "comp:statement_pdf": Page(REP1_DETAIL, args=lambda c: _rep1_statement(c)),
    "comp:statement_acknowledge": Page(POST_ONLY, args=lambda c: _rep1_statement(c)),
    "comp:statement_line": Page(
        REP1_DETAIL, args=lambda c: [_statement_run(c) and first_line_of(c.world.people["rep1"])]
    ),
    "comp:my_pay": Page(INTERNAL, args=lambda c: _statement_run(c) and []),
    "comp:what_if": Page(INTERNAL),
    # Disputes: rep1's inquiry (tests/comp/test_disputes*.py check the workflow and content);
    # opening one needs ?earning_line= or ?payout_line= of a line the viewer sees, else 404.
    "comp:disputes": Page(
        INTERNAL,
        "disputes",
        lambda c, role: {page_dispute(c.world).pk} if "rep1" in VISIBLE_PEOPLE[role] else set(),
        lambda c: page_dispute(c.world) and [],
    ),
    "comp:dispute_new": Page({role: 404 for role in ROLES} | {"partner": 403}),
    "comp:dispute": Page(REP1_DETAIL, args=lambda c: [page_dispute(c.world).pk]),
    "comp:dispute_comment": Page(POST_ONLY, args=lambda c: [page_dispute(c.world).pk]),
    "comp:dispute_transition": Page(POST_ONLY, args=lambda c: [page_dispute(c.world).pk]),
    # Referrals (tests/referrals checks what the pages do): rows routed to rep1 and rep3, and
    # the partner's own.
    "referrals:referrals": Page(
        {role: 200 for role in ROLES},
        "referrals",
        referrals_seen,
        lambda c: referral_rows(c) and [],
    ),
    "referrals:referral": Page(
        {role: 404 for role in ROLES}
        | {r: 200 for r in ("rep1", "manager1", "vp", "finance", "compadmin", "admin")},
        args=lambda c: [referral_rows(c)["rep1"].pk],
    ),
    "referrals:advance": Page(POST_ONLY, args=lambda c: [1]),
    "referrals:submit": Page(POST_ONLY),
    "referrals:review": Page(APPROVERS),
    "referrals:review_decide": Page(POST_ONLY, args=lambda c: [1]),
    "referrals:rewards": Page({role: 200 for role in ROLES}),
    "referrals:reward_approve": Page(POST_ONLY, args=lambda c: [1]),
    "referrals:reward_pay": Page(POST_ONLY, args=lambda c: [1]),
    "referrals:outbox": Page(APPROVERS),
    "referrals:analytics": Page(APPROVERS),
    "referrals:analytics_csv": Page(APPROVERS),
}
# Pages without a login, or outside this matrix (the admin and the API have their own).
PUBLIC = {"login", "logout", "healthz"}
# Referral landing pages, links and unsubscribe work without a login (tests/referrals).
PUBLIC |= {"referrals_public:landing", "referrals_public:click", "referrals_public:unsubscribe"}
SKIPPED_PREFIXES = ("admin/", "api/")


def _walk(patterns: list[object], prefix: str = "", namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            route = prefix + str(pattern.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def page_names() -> list[str]:
    return sorted(set(_walk(get_resolver().url_patterns)) - PUBLIC)


def test_every_page_has_a_matrix_entry() -> None:
    missing = [name for name in page_names() if name not in PAGES]
    assert not missing, f"add these pages to PAGES in {__file__}: {missing}"
    stale = [name for name in PAGES if name not in page_names()]
    assert not stale, f"these PAGES entries have no URL any more: {stale}"


def _url(name: str, company: Company) -> str:
    return reverse(name, args=PAGES[name].args(company))


@pytest.mark.parametrize("name", page_names())
def test_anonymous_is_sent_to_login(name: str, client: Client, company: Company) -> None:
    url = _url(name, company)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", page_names())
def test_role_sees_page_and_exactly_its_rows(
    name: str, role: str, company: Company, login: Callable[[str], Client]
) -> None:
    page = PAGES[name]
    response = login(role).get(_url(name, company))
    assert response.status_code == page.statuses[role]
    if response.status_code != 200 or not page.context_key:
        return
    rows = response.context[page.context_key]
    if page.expected is not None:
        assert {row.pk for row in rows} == page.expected(company, role)
    else:
        assert rows, f"{name} shows no rows to {role}"


class TestGuessedUrls:
    """A row outside the viewer's scope is a 404, never a 403, so ids cannot be probed."""

    @pytest.mark.parametrize(
        ("name", "row"),
        [
            ("web:person", lambda c: c.world.people["rep3"]),
            ("web:account", lambda c: c.accounts["rep3"]),
            ("sales:transaction", lambda c: c.transactions["rep3"]),
            ("quotas:quota", lambda c: c.quotas["rep3"]),
        ],
    )
    @pytest.mark.parametrize("role", ["rep1", "rep2", "manager1"])
    def test_other_teams_rows_are_not_found(
        self,
        name: str,
        row: Callable[[Company], object],
        role: str,
        company: Company,
        login: Callable[[str], Client],
    ) -> None:
        response = login(role).get(reverse(name, args=[row(company).pk]))  # type: ignore[attr-defined]
        assert response.status_code == 404
        assert "errors/error.html" in [t.name for t in response.templates]

    @pytest.mark.parametrize(
        "name", ["web:person", "web:account", "sales:transaction", "quotas:quota"]
    )
    def test_ids_that_do_not_exist_are_not_found(
        self, name: str, company: Company, login: Callable[[str], Client]
    ) -> None:
        assert login("admin").get(reverse(name, args=[999_999])).status_code == 404

    def test_a_split_holder_sees_the_shared_deal(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        url = reverse("sales:transaction", args=[company.transactions["split"].pk])
        assert login("rep2").get(url).status_code == 200
        assert login("manager2").get(url).status_code == 404
