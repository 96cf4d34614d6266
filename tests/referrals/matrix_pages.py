"""Referral rows for the page matrix (tests/web/test_pages.py): a referral routed to rep1
(through rep1's account), one routed to rep3, and one the referral partner made."""

from __future__ import annotations

from typing import Any

from openspm.referrals.models import Referral
from openspm.referrals.services import programs
from tests.referrals.factories import make_program, make_referrer, submit

VISIBLE_ROUTED: dict[str, set[str]] = {
    "rep1": {"rep1"},
    "rep2": set(),
    "manager1": {"rep1"},
    "manager2": {"rep3"},
    "vp": {"rep1", "rep3"},
    "partner": {"partner"},
}


def referral_rows(company: Any) -> dict[str, Referral]:
    cached: dict[str, Referral] | None = getattr(company, "_referral_rows", None)
    if cached is not None:
        return cached
    program = make_program(slug="pages", eligibility={"allow_existing_customers": True})
    customer = make_referrer(program)
    partner = programs.create_referrer(
        program=program,
        name="Partner",
        email="partner@channel.example",
        user=company.world.users["partner"],
    )
    rep1_account = company.accounts["rep1"]
    rep3_account = company.accounts["rep3"]
    rows = {
        "rep1": submit(program, customer, company=rep1_account.name),
        "rep3": submit(program, customer, company=rep3_account.name),
        "partner": submit(program, partner),
    }
    # Routing is tested in tests/referrals; here the owners are set to the rows' payees.
    for name in ("rep1", "rep3"):
        rows[name].owner = company.world.people[name]
        rows[name].save(update_fields=["owner"])
    company._referral_rows = rows
    return rows


def referrals_seen(company: Any, role: str) -> set[int]:
    rows = referral_rows(company)
    names = VISIBLE_ROUTED.get(role, set(rows))
    return {rows[name].pk for name in names}
