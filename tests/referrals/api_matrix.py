"""The referral endpoints in the role × endpoint matrix (tests/api/test_matrix.py collects this).

Rows: `rep1` — a referral of an account rep1 owns (so routed to rep1), won and rewarded;
`rep3` — routed to rep3; `partner` — made through the referral partner's own link, won and
rewarded. Comp admins, finance and administrators see all; a rep or manager the referrals
routed into their scope; the partner only their own.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from decimal import Decimal

from openspm.referrals.services import funnel, programs
from tests.api.conftest import SEE_ALL, Company, call, client_for, rolled_back, sees_payee, snapshot
from tests.api.matrix import Detail, Entry, List, _expect
from tests.factories import make_account
from tests.referrals.factories import compute_rewards, make_program, make_referrer, submit

P = "/api/v1/referrals"


def _visible(kind: str):  # type: ignore[no-untyped-def]
    def visible(c: Company, role: str) -> set[str]:
        names = {n for n in ("rep1", "rep3") if n in c.rows[kind] and sees_payee(role, n)}
        if "partner" in c.rows[kind] and (role in SEE_ALL or role == "partner"):
            names.add("partner")
        return names

    return visible


def prepare(c: Company) -> None:
    if "referrals" in c.rows:
        return
    admin = c.users["compadmin"]
    program = make_program(slug="matrix", eligibility={"allow_existing_customers": True})
    customer = make_referrer(program)
    partner = programs.create_referrer(
        program=program, name="Partner", email="partner@channel.example", user=c.users["partner"]
    )
    make_account(name="Rep One Co", owner=c.people["rep1"])
    make_account(name="Rep Three Co", owner=c.people["rep3"])
    rep1 = submit(program, customer, company="Rep One Co")
    rep3 = submit(program, customer, company="Rep Three Co")
    own = submit(program, partner)
    for referral in (rep1, own):
        funnel.advance(
            actor=admin,
            referral_id=referral.pk,
            update=funnel.StageUpdate(stage="won", deal_amount=Decimal("1000")),
        )
    compute_rewards(program)
    c.add("referrals", "rep1", rep1, "rep1")
    c.add("referrals", "rep3", rep3, "rep3")
    c.add("referrals", "partner", own)
    c.add("rewards", "rep1", rep1.rewards.get(), "rep1")
    c.add("rewards", "partner", own.rewards.get())
    c.rows["program"] = {"matrix": program}
    c.rows["codes"] = {"customer": customer.code}


@dataclass(frozen=True)
class PublicSubmission:
    """Public: every role, signed in or not, may submit (201)."""

    def check(self, c: Company, role: str, method: str, path: str) -> list[str]:
        payload = {
            "program": "matrix",
            "code": c.rows["codes"]["customer"],
            "referee_name": f"Buyer {role}",
            "referee_email": f"buyer@{role}.example",
        }
        response = rolled_back(lambda: call(client_for(c, role), method, path, payload))
        return _expect(response, 201, role)


@dataclass(frozen=True)
class SignedWebhook:
    """Not session-authenticated: unsigned is 401 for every role and changes nothing; a
    correctly signed event is accepted (202, stored for the worker) whoever is signed in."""

    def check(self, c: Company, role: str, method: str, path: str) -> list[str]:
        from django.test import override_settings

        client = client_for(c, role)
        event = {"id": f"matrix-{role}", "type": "lead.qualified", "referral_id": 0}
        event["referral_id"] = c.rows["referrals"]["rep3"].pk

        def attempt() -> list[str]:
            before = snapshot()
            unsigned = call(client, method, path, event)
            problems = _expect(unsigned, 401, f"{role} unsigned")
            if snapshot() != before:
                problems.append(f"{role}: an unsigned webhook changed the database")
            secret = "matrix-secret"
            body = json.dumps(event).encode()
            ts = str(int(time.time()))
            with override_settings(OPENSPM_REFERRAL_WEBHOOK_SECRET=secret):
                signed = client.post(
                    path,
                    body,
                    content_type="application/json",
                    headers={
                        "X-OpenSPM-Timestamp": ts,
                        "X-OpenSPM-Signature": funnel.sign(secret=secret, timestamp=ts, body=body),
                    },
                )
            if signed.status_code != 202:
                problems.append(f"{role} signed: got {signed.status_code}, expected 202")
            return problems

        return rolled_back(attempt)


MATRIX: dict[str, Entry] = {
    f"GET {P}/referrals": List("referrals", _visible("referrals")),
    f"GET {P}/referrals/{{referral_id}}": Detail("referrals", _visible("referrals")),
    f"GET {P}/rewards": List("rewards", _visible("rewards")),
    f"POST {P}/submissions": PublicSubmission(),
    f"POST {P}/webhooks/crm": SignedWebhook(),
}
