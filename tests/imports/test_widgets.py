"""The widgets every resource shares: exact decimals, strict dates, natural keys."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from openspm.org.models import Person
from openspm.org.resources import (
    ChoiceWidget,
    DecimalWidget,
    IntegerWidget,
    IsoDateWidget,
    NaturalKeyWidget,
    cell_text,
    plain_decimal,
)
from tests.factories import World


class TestDecimalWidget:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("1234.56", Decimal("1234.56")),
            (" -12 ", Decimal("-12")),
            ("0.035", Decimal("0.035")),
            (".5", Decimal("0.5")),
            ("+7.", Decimal("7")),
            (1234.56, Decimal("1234.56")),
            (0.1, Decimal("0.1")),
            (0.000012, Decimal("0.000012")),
            (3, Decimal(3)),
            ("", None),
        ],
    )
    def test_parses_exactly(self, text: object, expected: Decimal | None) -> None:
        value = DecimalWidget().clean(text)
        assert value == expected
        assert value is None or type(value) is Decimal

    @pytest.mark.parametrize("text", ["12,5x", "12,5", "1,234.56", "$250", "1 000", "1e3", "NaN"])
    def test_refuses_anything_else(self, text: str) -> None:
        with pytest.raises(ValueError, match=r"is not a number: write digits with '\.'"):
            DecimalWidget().clean(text)

    @pytest.mark.parametrize(
        ("value", "places", "text"),
        [
            (Decimal("12500.0000"), 2, "12500.00"),
            (Decimal("0.3500"), 2, "0.35"),
            (Decimal("1.0850000000"), 0, "1.085"),
            (Decimal("50.0000"), 0, "50"),
            (Decimal("1E+3"), 0, "1000"),
            (None, 2, ""),
        ],
    )
    def test_renders_plain_text(self, value: Decimal | None, places: int, text: str) -> None:
        assert plain_decimal(value, min_places=places) == text


class TestIsoDateWidget:
    def test_parses_iso_dates_and_spreadsheet_dates(self) -> None:
        widget = IsoDateWidget()
        assert widget.clean("2026-01-31") == date(2026, 1, 31)
        assert widget.clean(datetime(2026, 1, 31)) == date(2026, 1, 31)
        assert widget.clean("") is None

    @pytest.mark.parametrize("text", ["31/01/2026", "2026-1-31", "20260131", "Jan 31 2026"])
    def test_refuses_other_formats(self, text: str) -> None:
        with pytest.raises(ValueError, match="is not a date: write it as YYYY-MM-DD"):
            IsoDateWidget().clean(text)

    def test_refuses_impossible_dates(self) -> None:
        with pytest.raises(ValueError, match="is not a real date"):
            IsoDateWidget().clean("2026-02-29")


class TestOtherWidgets:
    def test_whole_numbers(self) -> None:
        assert IntegerWidget().clean("42") == 42
        assert IntegerWidget().clean(3.0) == 3
        with pytest.raises(ValueError, match=r"'2\.5' is not a whole number"):
            IntegerWidget().clean("2.5")

    def test_choices_ignore_case(self) -> None:
        widget = ChoiceWidget(["new", "renewal"])
        assert widget.clean(" Renewal ") == "renewal"
        with pytest.raises(ValueError, match="'barter' is not one of: new, renewal"):
            widget.clean("barter")

    def test_cell_text_keeps_the_digits_of_spreadsheet_numbers(self) -> None:
        assert cell_text(0.1) == "0.1"
        assert cell_text(0.00001) == "0.00001"
        assert cell_text(12345678901.25) == "12345678901.25"
        assert cell_text(1234.5) == "1234.5"
        assert cell_text(datetime(2026, 3, 1)) == "2026-03-01"
        assert cell_text(None) == ""

    @pytest.mark.django_db
    def test_natural_keys(self, world: World) -> None:
        widget = NaturalKeyWidget(Person, "external_id", label="owner")
        widget.preload(["REP1", "REP2", ""])
        assert widget.clean("REP1") == world.people["rep1"]
        assert widget.render(world.people["rep2"]) == "REP2"
        with pytest.raises(ValueError, match="Unknown owner 'NOPE'"):
            widget.clean("NOPE")
