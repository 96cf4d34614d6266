"""`openspm demo`: deterministic for a seed, refuses a non-empty database, --reset, its output."""

from __future__ import annotations

import hashlib
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from openspm.demo.services import DemoDataPresent
from openspm.org import selectors as org_selectors
from openspm.org.models import Person, ReportingLine, Team, TeamMembership
from openspm.quotas.models import Quota
from openspm.sales.models import Account, CreditSplit, FxRate, Product, Transaction
from openspm.territories.models import NamedAccount, Territory, TerritoryMember, TerritoryRule
from tests.demo.conftest import Generate
from tests.factories import make_person

# Every generated row by natural keys: no primary keys, no creation instants.
SNAPSHOT = (
    (Person, ("external_id", "first_name", "last_name", "email", "title", "currency",
              "hired_on", "terminated_on", "user__username")),
    (ReportingLine, ("person__external_id", "manager__external_id", "effective_from",
                     "effective_to")),
    (Team, ("code", "name", "leader__external_id")),
    (TeamMembership, ("team__code", "person__external_id", "effective_from", "effective_to")),
    (Territory, ("code", "name", "region", "parent__code", "priority")),
    (TerritoryRule, ("territory__code", "field", "value")),
    (NamedAccount, ("territory__code", "account__external_id")),
    (TerritoryMember, ("territory__code", "person__external_id", "role", "effective_from",
                       "effective_to")),
    (Account, ("external_id", "name", "industry", "employee_band", "country", "region",
               "postal_code", "owner__external_id")),
    (Product, ("sku", "name", "family__code")),
    (Transaction, ("external_id", "account__external_id", "product__sku", "owner__external_id",
                   "booked_on", "closed_on", "invoiced_on", "paid_on", "cancelled_on", "amount",
                   "collected_amount", "currency_id",
                   "cost_amount", "quantity", "type", "status")),
    (CreditSplit, ("transaction__external_id", "person__external_id", "split_percent")),
    (Quota, ("person__external_id", "period__key", "measure", "amount", "currency_id")),
    (FxRate, ("currency_id", "quote_currency_id", "rate_on", "rate")),
)  # fmt: skip


def digest() -> str:
    """A hash of every generated row, independent of ids and of the order rows were written."""
    sha = hashlib.sha256()
    for model, fields in SNAPSHOT:
        rows = sorted(repr(row) for row in model.objects.values_list(*fields))
        sha.update(f"{model.__name__}:{len(rows)}\n".encode())
        for row in rows:
            sha.update(row.encode() + b"\n")
    return sha.hexdigest()


class TestDeterminism:
    def test_the_same_seed_gives_identical_rows_and_another_seed_others(
        self, generate: Generate
    ) -> None:
        generate(seed=42)
        first = digest()
        generate(seed=42, reset=True)
        again = digest()
        generate(seed=7, reset=True)

        assert again == first
        assert digest() != first


class TestRefusal:
    def test_a_second_run_without_reset_refuses_and_changes_nothing(
        self, generate: Generate
    ) -> None:
        generate()
        before = digest()

        with pytest.raises(DemoDataPresent, match="--reset"):
            generate()
        assert digest() == before

    def test_refuses_a_database_with_someone_elses_people(self, generate: Generate) -> None:
        make_person(external_id="REAL-1")

        with pytest.raises(DemoDataPresent, match="1 people"):
            generate()
        assert Person.objects.count() == 1

    def test_reset_deletes_existing_data_first(self, generate: Generate) -> None:
        make_person(external_id="REAL-1")
        generate(reset=True)

        assert not Person.objects.filter(external_id="REAL-1").exists()
        assert Person.objects.filter(external_id__startswith="EMP-").exists()


class TestCommand:
    def run(self, *args: str) -> str:
        out = StringIO()
        call_command(
            "demo", "--scale", "0.005", "--as-of", "2026-11-24", "--no-payouts", *args, stdout=out
        )
        return out.getvalue()

    @pytest.mark.django_db
    def test_prints_progress_and_a_login_table(self) -> None:
        output = self.run("--seed", "3")

        assert "transactions ......" in output
        assert "http://127.0.0.1:8000/" in output
        for username in ("admin", "compadmin", "finance", "vp", "manager", "rep", "partner"):
            assert f" {username} " in output
            assert f"demo-{username}-2026" in output

    @pytest.mark.django_db
    def test_second_run_fails_with_a_clear_message(self) -> None:
        self.run()

        with pytest.raises(CommandError, match=r"not empty.*openspm demo --reset"):
            self.run()
        assert Transaction.objects.count() == 300

    @pytest.mark.django_db
    def test_reset_runs_again(self) -> None:
        self.run()
        output = self.run("--reset")

        assert "deleted rows" in output
        assert Transaction.objects.count() == 300

    @pytest.mark.django_db
    @pytest.mark.parametrize("scale", ["0", "-1", "abc", "11"])
    def test_rejects_a_bad_scale(self, scale: str) -> None:
        with pytest.raises(CommandError, match="scale"):
            call_command("demo", "--scale", scale)
        assert not Person.objects.exists()


def test_defaults_to_today_and_dates_nothing_after_it(generate: Generate) -> None:
    generate(as_of=None)
    today: date = org_selectors.today()

    assert Transaction.objects.order_by("-booked_on").first().booked_on <= today
    assert FxRate.objects.order_by("-rate_on").first().rate_on == today


class TestIfEmpty:
    @pytest.mark.django_db
    def test_generates_into_an_empty_database(self) -> None:
        output = StringIO()
        call_command("demo", "--scale", "0.005", "--if-empty", "--no-payouts", stdout=output)

        assert Transaction.objects.exists()
        assert "demo-rep-2026" in output.getvalue()

    @pytest.mark.django_db
    def test_leaves_existing_data_and_prints_the_logins(self) -> None:
        call_command(
            "demo", "--scale", "0.005", "--as-of", "2026-11-24", "--no-payouts", stdout=StringIO()
        )
        before = digest()
        output = StringIO()
        call_command("demo", "--scale", "0.005", "--if-empty", stdout=output)

        assert digest() == before
        assert "leaving it as it is" in output.getvalue()
        assert "demo-manager-2026" in output.getvalue()
