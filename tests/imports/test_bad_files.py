"""Every malformed file names each problem by row and column, and writes nothing at all."""

from __future__ import annotations

import pytest

from openspm.imports.results import RowError
from tests.imports.conftest import Sales, errors_of, fixture_bytes, run, snapshot

pytestmark = pytest.mark.django_db


class TestBadFiles:
    def test_wrong_encoding_names_the_row_column_and_byte(self, sales: Sales) -> None:
        before = snapshot()
        result = run(sales.compadmin, "accounts", fixture_bytes("accounts_latin1.csv"))
        assert errors_of(result) == [(3, "name")]
        message = result.errors[0].message
        assert message.startswith("The file is not UTF-8: byte 0xe9 at offset 48")
        assert "CSV UTF-8" in message
        assert snapshot() == before

    def test_missing_columns_are_each_named(self, sales: Sales) -> None:
        before = snapshot()
        result = run(
            sales.compadmin, "transactions", fixture_bytes("transactions_missing_columns.csv")
        )
        assert result.errors == [
            RowError(1, "amount", "This required column is missing."),
            RowError(1, "currency", "This required column is missing."),
        ]
        assert snapshot() == before

    def test_unparseable_dates(self, sales: Sales) -> None:
        before = snapshot()
        result = run(sales.compadmin, "transactions", fixture_bytes("transactions_bad_dates.csv"))
        assert result.errors == [
            RowError(
                3,
                "booked_on",
                "'15/01/2026' is not a date: write it as YYYY-MM-DD (e.g. 2026-01-31).",
            ),
            RowError(4, "closed_on", "'2026-02-30' is not a real date."),
        ]
        assert not result.written
        assert snapshot() == before

    def test_non_numeric_amounts(self, sales: Sales) -> None:
        before = snapshot()
        result = run(sales.compadmin, "transactions", fixture_bytes("transactions_bad_amounts.csv"))
        assert errors_of(result) == [(3, "amount"), (4, "cost_amount"), (5, "amount")]
        assert result.errors[0].message.startswith("'12,5x' is not a number: write digits")
        assert result.errors[1].message.startswith("'1 000' is not a number")
        assert result.errors[2].message.startswith("'$250' is not a number")
        assert snapshot() == before

    def test_unknown_currency(self, sales: Sales) -> None:
        before = snapshot()
        result = run(
            sales.compadmin, "transactions", fixture_bytes("transactions_unknown_currency.csv")
        )
        assert result.errors == [RowError(3, "currency", "Unknown currency 'XYZ'.")]
        assert snapshot() == before

    def test_ids_duplicated_within_the_file(self, sales: Sales) -> None:
        before = snapshot()
        result = run(
            sales.compadmin, "transactions", fixture_bytes("transactions_duplicate_ids.csv")
        )
        assert result.errors == [
            RowError(
                4,
                "external_id",
                "Duplicate: external_id 'T-1001' is already on row 2 of this file.",
            )
        ]
        assert snapshot() == before

    def test_splits_not_summing_to_100(self, split_deals: Sales) -> None:
        before = snapshot()
        result = run(
            split_deals.compadmin, "credit_splits", fixture_bytes("credit_splits_not_100.csv")
        )
        assert errors_of(result) == [(2, "split_percent")]
        message = result.errors[0].message
        assert "sum to 100%" in message
        assert "sum to 90%" in message
        assert message.endswith("Transaction T-9001, rows 2, 3.")
        assert snapshot() == before

    def test_unknown_foreign_keys_name_their_column(self, sales: Sales) -> None:
        content = (
            b"external_id,account,product,owner,booked_on,amount,currency\n"
            b"T-1,NOPE,SKU-CORE,REP1,2026-01-15,1.00,USD\n"
            b"T-2,ACME,SKU-NOPE,REP1,2026-01-15,1.00,USD\n"
            b"T-3,ACME,SKU-CORE,GHOST,2026-01-15,1.00,USD\n"
        )
        before = snapshot()
        result = run(sales.compadmin, "transactions", content)
        assert result.errors == [
            RowError(2, "account", "Unknown account 'NOPE'."),
            RowError(3, "product", "Unknown product 'SKU-NOPE'."),
            RowError(4, "owner", "Unknown owner 'GHOST'."),
        ]
        assert snapshot() == before

    def test_every_error_of_the_file_is_collected(self, sales: Sales) -> None:
        content = (
            b"external_id,owner,booked_on,amount,currency,type\n"
            b",REP1,2026-01-15,1.00,USD,new\n"
            b"T-2,REP1,yesterday,lots,EUR,barter\n"
        )
        result = run(sales.compadmin, "transactions", content)
        assert errors_of(result) == [
            (2, "external_id"),
            (3, "booked_on"),
            (3, "amount"),
            (3, "type"),
        ]
        assert result.errors[0].message == "A value is required."
        assert result.errors[3].message == "'barter' is not one of: new, renewal, upsell."

    def test_unknown_and_repeated_columns(self, sales: Sales) -> None:
        content = (
            b"external_id,owner,booked_on,amount,currency,colour,amount\n"
            b"T-1,REP1,2026-01-15,1,USD,red,1\n"
        )
        result = run(sales.compadmin, "transactions", content)
        assert errors_of(result) == [(1, "colour"), (1, "amount")]
        assert result.errors[0].message.startswith("Unknown column; the columns are: external_id,")
        assert result.errors[1].message == "This column appears more than once."

    def test_row_with_too_many_cells(self, sales: Sales) -> None:
        content = b"external_id,owner,booked_on,amount,currency\nT-1,REP1,2026-01-15,12,5,USD\n"
        before = snapshot()
        result = run(sales.compadmin, "transactions", content)
        assert (
            RowError(2, "", "This row has 6 cells but the header has 5 columns.") in result.errors
        )
        assert snapshot() == before

    def test_dates_out_of_order_are_reported_on_the_end_date(self, sales: Sales) -> None:
        content = (
            b"person,manager,effective_from,effective_to\nREP1,MANAGER2,2026-03-01,2026-02-01\n"
        )
        result = run(sales.compadmin, "reporting_lines", content)
        assert result.errors == [
            RowError(2, "effective_to", "effective_to must be after effective_from.")
        ]

    def test_a_person_reporting_to_themself(self, sales: Sales) -> None:
        content = b"person,manager,effective_from\nREP1,REP1,2026-03-01\n"
        before = snapshot()
        result = run(sales.compadmin, "reporting_lines", content)
        assert result.errors == [RowError(2, "manager", "A person cannot report to themself.")]
        assert snapshot() == before

    def test_unknown_person_currency(self, sales: Sales) -> None:
        content = b"external_id,first_name,last_name,currency,hired_on\nE-1,Ada,L,ZZZ,2025-01-01\n"
        result = run(sales.compadmin, "people", content)
        assert result.errors == [RowError(2, "currency", "Unknown currency 'ZZZ'.")]

    def test_empty_file(self, sales: Sales) -> None:
        result = run(sales.compadmin, "transactions", b"")
        assert result.errors == [RowError(None, "", "The file is empty.")]

    def test_old_excel_file(self, sales: Sales) -> None:
        result = run(sales.compadmin, "transactions", b"\xd0\xcf\x11\xe0rest", filename="t.xls")
        assert result.errors[0].message.startswith("This is an old Excel (.xls) file")

    def test_broken_xlsx(self, sales: Sales) -> None:
        result = run(sales.compadmin, "transactions", b"PK\x03\x04garbage", filename="t.xlsx")
        assert result.errors == [RowError(None, "", "This is not a valid XLSX file.")]
