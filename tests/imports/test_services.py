"""The import service: upsert, idempotence, round trips, XLSX, atomicity and audit history."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from openspm.core.errors import InvalidInput, NotFound, PermissionDenied
from openspm.imports.entities import ENTITIES
from openspm.imports.services import export_file, import_file
from openspm.org.models import Person
from openspm.sales.models import CreditSplit, Transaction
from openspm.territories.models import Territory
from tests.imports.conftest import Sales, errors_of, fixture_bytes, run, snapshot

pytestmark = pytest.mark.django_db

IMPORTABLE = [name for name, entity in ENTITIES.items() if entity.importable]


class TestImportTransactions:
    def test_creates_rows_with_exact_decimals(self, sales: Sales) -> None:
        result = run(sales.compadmin, "transactions", fixture_bytes("transactions.csv"))
        assert (result.errors, result.created, result.updated, result.unchanged) == ([], 3, 0, 0)
        assert result.written
        tx = Transaction.objects.get(external_id="T-1002")
        assert tx.amount == Decimal("9800.50")
        assert isinstance(tx.amount, Decimal)
        assert (tx.account.external_id, tx.product.sku, tx.owner.external_id) == (
            "GLOBEX",
            "SKU-ADDON",
            "REP2",
        )
        assert (tx.currency_id, tx.quantity, tx.type, tx.status) == ("EUR", 2, "upsell", "booked")
        assert Transaction.objects.get(external_id="T-1003").amount == Decimal("0.35")

    def test_reimporting_the_same_file_creates_no_duplicates(self, sales: Sales) -> None:
        run(sales.compadmin, "transactions", fixture_bytes("transactions.csv"))
        before = snapshot()
        again = run(sales.compadmin, "transactions", fixture_bytes("transactions.csv"))
        assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
        assert snapshot() == before

    def test_upserts_on_external_id(self, sales: Sales) -> None:
        run(sales.compadmin, "transactions", fixture_bytes("transactions.csv"))
        changed = fixture_bytes("transactions.csv").replace(b"12500.00", b"13000.00")
        result = run(sales.compadmin, "transactions", changed)
        assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
        assert Transaction.objects.get(external_id="T-1001").amount == Decimal("13000.00")
        assert Transaction.objects.count() == 3

    def test_dry_run_counts_but_writes_nothing(self, sales: Sales) -> None:
        before = snapshot()
        result = run(
            sales.compadmin, "transactions", fixture_bytes("transactions.csv"), dry_run=True
        )
        assert (result.errors, result.created, result.written) == ([], 3, False)
        assert snapshot() == before

    def test_utf8_with_byte_order_mark_and_crlf(self, sales: Sales) -> None:
        result = run(sales.compadmin, "transactions", fixture_bytes("transactions_bom.csv"))
        assert (result.errors, result.created) == ([], 1)

    def test_semicolon_separated_with_loose_header_case(self, sales: Sales) -> None:
        content = b"External ID;Owner;Booked On;Amount;Currency\nT-1;REP1;2026-01-15;10.5;usd\n"
        result = run(sales.compadmin, "transactions", content)
        assert (result.errors, result.created) == ([], 1)
        assert Transaction.objects.get(external_id="T-1").currency_id == "USD"

    def test_history_records_the_importing_user(self, sales: Sales) -> None:
        run(sales.compadmin, "transactions", fixture_bytes("transactions.csv"), filename="q1.csv")
        record = Transaction.history.get(external_id="T-1001")
        assert record.history_user == sales.compadmin
        assert record.history_change_reason == "import transactions from q1.csv"

    def test_a_failure_in_the_middle_writes_nothing(self, sales: Sales) -> None:
        def fail_on_second_written_row(phase: str, done: int, total: int) -> None:
            if phase == "writing" and done == 2:
                raise RuntimeError("disk full")

        before = snapshot()
        result = import_file(
            actor=sales.compadmin,
            entity="transactions",
            content=fixture_bytes("transactions.csv"),
            filename="t.csv",
            dry_run=False,
            progress=fail_on_second_written_row,
        )
        assert errors_of(result) == [(3, "")]
        assert result.errors[0].message == "disk full"
        assert not result.written
        assert snapshot() == before


class TestImportXlsx:
    def test_numbers_and_dates_from_spreadsheet_cells(self, sales: Sales) -> None:
        book = Workbook()
        sheet = book.active
        sheet.append(["external_id", "owner", "booked_on", "amount", "currency", "quantity"])
        sheet.append(["T-X1", "REP1", datetime(2026, 1, 15), 1234.56, "USD", 3])
        sheet.append(["T-X2", "REP2", "2026-02-01", 0.1, "EUR", None])
        buffer = io.BytesIO()
        book.save(buffer)
        result = run(sales.compadmin, "transactions", buffer.getvalue(), filename="deals.xlsx")
        assert (result.errors, result.created) == ([], 2)
        first = Transaction.objects.get(external_id="T-X1")
        assert (first.amount, first.booked_on, first.quantity) == (
            Decimal("1234.56"),
            date(2026, 1, 15),
            Decimal(3),
        )
        assert Transaction.objects.get(external_id="T-X2").amount == Decimal("0.1")

    def test_errors_use_the_sheet_row_numbers(self, sales: Sales) -> None:
        book = Workbook()
        sheet = book.active
        sheet.append(["external_id", "owner", "booked_on", "amount", "currency"])
        sheet.append(["T-X1", "REP1", "2026-01-15", 1, "USD"])
        sheet.append([None, None, None, None, None])
        sheet.append(["T-X2", "REP1", "01/15/2026", 1, "USD"])
        buffer = io.BytesIO()
        book.save(buffer)
        before = snapshot()
        result = run(sales.compadmin, "transactions", buffer.getvalue(), filename="deals.xlsx")
        assert errors_of(result) == [(4, "booked_on")]
        assert snapshot() == before


class TestCreditSplits:
    def test_imports_splits_summing_to_100(self, split_deals: Sales) -> None:
        result = run(split_deals.compadmin, "credit_splits", fixture_bytes("credit_splits.csv"))
        assert (result.errors, result.created) == ([], 3)
        assert sorted(
            CreditSplit.objects.values_list("transaction__external_id", "split_percent")
        ) == [("T-9001", Decimal("40")), ("T-9001", Decimal("60")), ("T-9002", Decimal("100"))]

    def test_the_file_replaces_a_transactions_splits(self, split_deals: Sales) -> None:
        run(split_deals.compadmin, "credit_splits", fixture_bytes("credit_splits.csv"))
        replacement = b"transaction,person,split_percent\nT-9001,REP3,100\n"
        result = run(split_deals.compadmin, "credit_splits", replacement)
        assert (result.errors, result.created, result.deleted) == ([], 1, 2)
        assert list(
            CreditSplit.objects.filter(transaction__external_id="T-9001").values_list(
                "person__external_id", flat=True
            )
        ) == ["REP3"]
        deleted = CreditSplit.history.filter(history_type="-").first()
        assert deleted is not None
        assert deleted.history_user == split_deals.compadmin


class TestRoundTrip:
    @pytest.mark.parametrize("file_format", ["csv", "xlsx"])
    @pytest.mark.parametrize("entity", IMPORTABLE)
    def test_export_then_import_changes_nothing(
        self, company: Sales, entity: str, file_format: str
    ) -> None:
        exported = export_file(viewer=company.compadmin, entity=entity, file_format=file_format)
        before = snapshot()
        result = run(company.compadmin, entity, exported.content, filename=exported.filename)
        assert result.errors == []
        assert result.total_rows > 0
        assert (result.created, result.updated, result.deleted) == (0, 0, 0)
        assert result.unchanged == result.total_rows
        assert snapshot() == before

    def test_exported_money_is_plain_text(self, company: Sales) -> None:
        exported = export_file(viewer=company.compadmin, entity="quotas", file_format="csv")
        text = exported.content.decode("utf-8-sig")
        assert text.splitlines()[0] == "person,period,measure,amount,currency"
        assert "REP1,2026-Q1,bookings,150000.25,USD" in text

    def test_xlsx_cells_are_text(self, company: Sales) -> None:
        exported = export_file(viewer=company.compadmin, entity="fx_rates", file_format="xlsx")
        sheet = load_workbook(io.BytesIO(exported.content)).active
        assert [c.value for c in sheet[2]] == ["EUR", "USD", "2026-01-01", "1.085"]

    def test_parents_are_exported_before_children(self, company: Sales) -> None:
        Territory.objects.filter(code="EMEA").update(code="ZZ-EMEA")
        exported = export_file(viewer=company.compadmin, entity="territories", file_format="csv")
        codes = [line.split(",")[0] for line in exported.content.decode("utf-8-sig").splitlines()]
        assert codes == ["code", "ZZ-EMEA", "EMEA-FR"]

    def test_import_restores_an_edited_row(self, company: Sales) -> None:
        people = export_file(viewer=company.compadmin, entity="people", file_format="csv").content
        Person.objects.filter(external_id="REP1").update(first_name="Changed")
        result = run(company.compadmin, "people", people)
        assert (result.updated, result.errors) == (1, [])
        assert Person.objects.get(external_id="REP1").first_name == "Rep1"


class TestRules:
    @pytest.mark.parametrize("role", ["rep1", "manager1", "finance", "partner"])
    def test_only_comp_admins_and_administrators_import(self, sales: Sales, role: str) -> None:
        before = snapshot()
        with pytest.raises(PermissionDenied):
            run(sales.world.users[role], "transactions", fixture_bytes("transactions.csv"))
        assert snapshot() == before

    def test_administrator_imports(self, sales: Sales) -> None:
        result = run(sales.world.users["admin"], "transactions", fixture_bytes("transactions.csv"))
        assert result.created == 3

    def test_periods_are_export_only(self, sales: Sales) -> None:
        with pytest.raises(InvalidInput):
            run(sales.compadmin, "periods", b"key\n2026\n")

    def test_unknown_entity(self, sales: Sales) -> None:
        with pytest.raises(NotFound):
            run(sales.compadmin, "planets", b"x\n1\n")

    def test_people(self, sales: Sales) -> None:
        result = run(sales.compadmin, "people", fixture_bytes("people.csv"))
        assert (result.errors, result.created) == ([], 2)
        grace = Person.objects.get(external_id="E-101")
        assert (grace.currency, grace.hired_on, grace.terminated_on) == (
            "EUR",
            date(2024, 7, 15),
            None,
        )
