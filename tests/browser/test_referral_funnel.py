"""The whole referral funnel in chromium: a visitor follows a partner's referral link to the
public landing page and refers a company; a comp admin qualifies the lead; the CRM closes the
deal through the signed webhook over real HTTP; finance approves the reward; the partner sees
it in the portal."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import Browser, Page, expect

from openspm.referrals.models import Program, Referral, Reward, WebhookEvent
from openspm.referrals.services import funnel, programs
from openspm.referrals.views_public import MIN_FILL_SECONDS
from tests.factories import PASSWORD, World

pytestmark = pytest.mark.browser
SECRET = "browser-webhook-secret"
WEBHOOK = "/api/v1/referrals/webhooks/crm"


@pytest.fixture
def signed_in(chromium: Browser, live_server: Any) -> Iterator[Any]:
    """`signed_in(username)`: a page of its own browser context, signed in."""
    contexts = []

    def open_as(username: str) -> Page:
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": 1360, "height": 860}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_test_id("whoami").wait_for()
        return page

    yield open_as
    for context in contexts:
        context.close()


def _crm_post(base_url: str, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """What the CRM does: sign `<timestamp>.<body>` with the shared secret and POST it."""
    url = urlsplit(base_url)
    body = json.dumps(event).encode()
    timestamp = str(int(time.time()))
    signature = funnel.sign(secret=SECRET, timestamp=timestamp, body=body)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        conn.request(
            "POST",
            WEBHOOK,
            body=body,
            headers={
                "Content-Type": "application/json",
                "X-OpenSPM-Timestamp": timestamp,
                "X-OpenSPM-Signature": f"sha256={signature}",
            },
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def _run_queued(task_name: str) -> int:
    """Run the queued jobs of one task in this process, as `openspm worker` would."""
    jobs = [
        job for job in DBTaskResult.objects.ready() if job.task_path.rsplit(".", 1)[-1] == task_name
    ]
    for job in jobs:
        job.task.call(*job.task_result.args, **job.task_result.kwargs)
    return len(jobs)


def test_link_to_landing_page_to_won_to_approved_reward_seen_by_the_partner(
    page: Page, signed_in: Any, browser_world: World, live_server: Any, settings: Any
) -> None:
    settings.OPENSPM_REFERRAL_WEBHOOK_SECRET = SECRET
    program = Program(
        slug="partners",
        name="Partner referral program",
        kind=Program.Kind.PARTNER,
        reward_kind=Program.RewardKind.FIXED,
        reward_amount=Decimal("750.00"),
        trigger=Program.Trigger.WON,
        holding_days=0,
    )
    program.full_clean()
    program.save()
    partner = browser_world.users["partner"]
    referrer = programs.create_referrer(
        program=program, name="Pat Partner", email="pat@partnerfirm.example", user=partner
    )

    # 1. The public landing page, reached through the partner's link (no login).
    page.goto(f"/r/c/{referrer.code}")
    expect(page).to_have_url(f"{live_server.url}/r/partners/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Partner referral program")
    assert {c["name"] for c in page.context.cookies()} >= {"openspm_ref"}
    expect(page.get_by_test_id("whoami")).to_have_count(0)

    # 2. A submission: attributed to the partner through the link's cookie.
    form = page.get_by_test_id("referral-form")
    form.get_by_label("Their name").fill("Grace Buyer")
    form.get_by_label("Their email").fill("grace@initrode-browser.example")
    form.get_by_label("Their company").fill("Initrode Browser Ltd")
    form.get_by_label("Country (ISO code)").fill("US")
    page.wait_for_timeout(MIN_FILL_SECONDS * 1000 + 300)  # the form refuses faster (bots)
    form.get_by_role("button", name="Refer").click()
    expect(page.get_by_test_id("referral-thanks")).to_contain_text("Grace Buyer")
    referral = Referral.objects.get(referee_email="grace@initrode-browser.example")
    assert (referral.referrer_id, referral.status, referral.stage) == (
        referrer.pk,
        Referral.Status.PENDING,
        Referral.Stage.SUBMITTED,
    )

    # 3. Qualification: the comp admin moves the lead on the referral's page.
    admin = signed_in("compadmin")
    admin.goto("/referrals/")
    admin.get_by_test_id("referrals").get_by_role("link", name="Grace Buyer").click()
    expect(admin.get_by_test_id("stage")).to_have_text("Submitted")
    advance = admin.get_by_test_id("advance-form")
    advance.locator("select[name=stage]").select_option("qualified")
    advance.get_by_role("button", name="Update").click()
    expect(admin.get_by_test_id("stage")).to_have_text("Qualified")

    # 4. Closed-won: the CRM's signed webhook over real HTTP; a replay is refused.
    won = {
        "id": "crm-evt-won-1",
        "type": "opportunity.won",
        "referral_id": referral.pk,
        "opportunity_id": "OPP-77",
        "amount": "12000.00",
    }
    assert _crm_post(live_server.url, won)[0] == 202
    assert _crm_post(live_server.url, won)[0] == 409
    assert WebhookEvent.objects.filter(event_id="crm-evt-won-1").count() == 1
    # The worker's part, played by the test: the event the webhook stored, then the reward
    # computation the win queued.
    assert _run_queued("apply_webhook_event") == 1
    assert WebhookEvent.objects.get(event_id="crm-evt-won-1").status == "applied"
    assert _run_queued("compute_referral_rewards") == 1
    admin.reload()
    expect(admin.get_by_test_id("stage")).to_have_text("Closed-won")
    expect(admin.get_by_test_id("rewards")).to_contain_text("Held")

    # 5. The reward approved by a reviewer (finance) on the rewards page.
    finance = signed_in("finance")
    finance.goto("/referrals/rewards/")
    row = finance.get_by_test_id("rewards").locator("tr", has_text="Grace Buyer")
    expect(row).to_contain_text("Held")
    row.get_by_role("button", name="Approve").click()
    expect(finance.get_by_text("Reward approved.")).to_be_visible()
    expect(row).to_contain_text("Approved")
    reward = Reward.objects.get(referral=referral, side=Reward.Side.REFERRER)
    assert (reward.status, reward.amount) == (Reward.Status.APPROVED, Decimal("750.00"))

    # 6. The partner sees their referral, won, and the approved reward in the portal.
    portal = signed_in("partner")
    portal.goto("/referrals/")
    referral_row = portal.get_by_test_id("referrals").locator("tr", has_text="Grace Buyer")
    expect(referral_row).to_contain_text("Closed-won")
    reward_row = portal.get_by_test_id("rewards").locator("tr", has_text="Grace Buyer")
    expect(reward_row).to_contain_text("750.00")
    expect(reward_row).to_contain_text("Approved")
    expect(portal.get_by_test_id("rewards").get_by_role("button")).to_have_count(0)
