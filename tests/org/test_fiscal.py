from __future__ import annotations

import itertools
from datetime import date

import pytest

from openspm.org.fiscal import fiscal_periods, fiscal_year_of


class TestFiscalPeriods:
    def test_calendar_year(self) -> None:
        spans = {s.key: s for s in fiscal_periods(2026, 1)}
        assert spans["2026"].start_on == date(2026, 1, 1)
        assert spans["2026"].end_on == date(2026, 12, 31)
        assert (spans["2026-Q1"].start_on, spans["2026-Q1"].end_on) == (
            date(2026, 1, 1),
            date(2026, 3, 31),
        )
        assert spans["2026-M02"].end_on == date(2026, 2, 28)
        assert len(spans) == 1 + 4 + 12

    def test_fiscal_year_starting_in_april_ends_in_its_named_year(self) -> None:
        spans = {s.key: s for s in fiscal_periods(2027, 4)}
        assert spans["2027"].start_on == date(2026, 4, 1)
        assert spans["2027"].end_on == date(2027, 3, 31)
        assert spans["2027-Q4"].start_on == date(2027, 1, 1)
        assert spans["2027-M10"].start_on == date(2027, 1, 1)

    def test_quarters_and_months_tile_the_year(self) -> None:
        for start_month in range(1, 13):
            spans = fiscal_periods(2026, start_month)
            year = spans[0]
            for kind, count in (("quarter", 4), ("month", 12)):
                parts = [s for s in spans if s.kind == kind]
                assert len(parts) == count
                assert parts[0].start_on == year.start_on
                assert parts[-1].end_on == year.end_on
                for before, after in itertools.pairwise(parts):
                    assert (after.start_on - before.end_on).days == 1

    @pytest.mark.parametrize(
        ("on", "start_month", "expected"),
        [
            (date(2026, 3, 31), 4, 2026),
            (date(2026, 4, 1), 4, 2027),
            (date(2026, 12, 31), 1, 2026),
            (date(2026, 2, 1), 2, 2027),
        ],
    )
    def test_fiscal_year_of(self, on: date, start_month: int, expected: int) -> None:
        assert fiscal_year_of(on, start_month) == expected
