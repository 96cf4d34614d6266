"""`openspm demo` loads the referral programs after paying the quarters: the employees' released
rewards reach the comp ledger, so the demo rep's statement of the current quarter shows its
*Referral rewards*; `--reset` replaces them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openspm.comp import archive
from openspm.comp.models import Adjustment, CalcRun
from openspm.comp.selectors import statements as statement_selectors
from openspm.comp.services import exports
from openspm.core.models import User
from openspm.org.models import Person
from openspm.referrals.models import Program, Reward
from tests.demo.conftest import Generate

CURRENT = "2026-Q4"  # the quarter of AS_OF (24 November 2026): published, open


@pytest.mark.django_db
def test_the_rep_statement_shows_referral_rewards_and_reset_replaces_them(
    generate: Generate,
) -> None:
    generate(pay=True)
    assert set(Program.objects.values_list("kind", flat=True)) == {
        "partner",
        "customer",
        "employee",
    }
    rep = User.objects.get(username="rep")
    person = Person.objects.get(user=rep)
    statement = statement_selectors.get_statement(
        viewer=rep, person_id=person.pk, period_key=CURRENT
    )
    assert not statement.is_preliminary
    assert [(a.amount, a.status) for a in statement.referral_rewards] == [
        (Decimal("1000.0000"), Adjustment.Status.APPROVED)
    ] * 2
    assert [(m.amount, m.currency) for m in statement.referral_totals] == [
        (Decimal("2000.00"), person.currency)
    ]
    assert all(a.reference.startswith("referral-reward-") for a in statement.referral_rewards)
    held = Reward.objects.filter(payee=person, status=Reward.Status.HELD)
    assert list(held.values_list("amount", flat=True)) == [Decimal("1500.00")]

    finance = User.objects.get(username="finance")
    payroll = exports.payroll_rows(viewer=finance, period_key=CURRENT)
    assert (person.external_id, "REFERRAL", Decimal("2000.00")) in [
        (r.payee_id, r.earning_code, r.amount) for r in payroll
    ]
    journal = exports.accrual_journal(viewer=finance, period_key=CURRENT)
    referral_lines = [line for line in journal if "referral-reward-" in line.reference]
    assert len(referral_lines) == 2 * 3  # rep 2, manager 1: a debit and a credit each
    for currency in {line.currency for line in journal}:
        mine = [line for line in journal if line.currency == currency]
        assert sum(line.debit for line in mine) == sum(line.credit for line in mine)

    old_programs = set(Program.objects.values_list("pk", flat=True))
    generate(pay=True, reset=True)
    assert Program.objects.count() == 3
    assert not Program.objects.filter(pk__in=old_programs).exists()
    assert Adjustment.objects.filter(source=Adjustment.Source.REFERRAL).count() == 3
    for pk in CalcRun.objects.values_list("pk", flat=True):
        archive.delete_archive(pk)


@pytest.mark.django_db
def test_without_payouts_there_are_no_referral_programs(generate: Generate) -> None:
    generate(pay=False)
    assert not Program.objects.exists()
