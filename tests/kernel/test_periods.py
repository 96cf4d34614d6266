"""kernel.periods: fiscal months, quarters and years as half-open ranges."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openspm.kernel.periods import parse_period, period_of


class TestParsePeriod:
    def test_calendar_quarter(self) -> None:
        q = parse_period("2026-Q1")
        assert (q.start, q.end, q.kind, q.id) == (
            date(2026, 1, 1),
            date(2026, 4, 1),
            "quarter",
            "2026-Q1",
        )

    def test_fiscal_year_ends_in_its_named_year(self) -> None:
        fy = parse_period("2026", start_month=7)
        assert (fy.start, fy.end) == (date(2025, 7, 1), date(2026, 7, 1))
        assert parse_period("2026-Q2", start_month=7).start == date(2025, 10, 1)

    def test_months_calendar_and_fiscal_ids(self) -> None:
        assert parse_period("2026-02").id == "2026-02"
        assert parse_period("2026-M01", start_month=7).id == "2025-07"

    def test_rejects_bad_ids(self) -> None:
        for bad in ("2026-Q5", "2026-13", "26-Q1", "Q1"):
            with pytest.raises(ValueError, match="invalid period"):
                parse_period(bad)

    def test_contains_is_half_open(self) -> None:
        q = parse_period("2026-Q1")
        assert q.contains(date(2026, 1, 1))
        assert q.contains(date(2026, 3, 31))
        assert not q.contains(date(2026, 4, 1))
        assert q.last_day == date(2026, 3, 31)

    def test_to_date_windows(self) -> None:
        feb = parse_period("2026-02")
        assert feb.to_date_window("quarter") == (date(2026, 1, 1), date(2026, 3, 1))
        assert feb.to_date_window("year") == (date(2026, 1, 1), date(2026, 3, 1))

    def test_split_next_previous(self) -> None:
        q = parse_period("2026-Q1")
        assert [m.id for m in q.months()] == ["2026-01", "2026-02", "2026-03"]
        assert q.next().id == "2026-Q2"
        assert q.previous().id == "2025-Q4"

    @given(
        st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
        st.integers(min_value=1, max_value=12),
        st.sampled_from(["month", "quarter", "year"]),
    )
    def test_period_of_contains_and_round_trips(self, on: date, fs: int, kind: str) -> None:
        p = period_of(on, kind, fs)  # type: ignore[arg-type]
        assert p.contains(on)
        assert parse_period(p.id, fs) == p


class TestFiscalKey:
    def test_months_have_fiscal_keys(self) -> None:
        assert parse_period("2026-01").fiscal_key == "2026-M01"
        assert parse_period("2025-07", start_month=7).fiscal_key == "2026-M01"
        assert parse_period("2026-Q2").fiscal_key == "2026-Q2"
