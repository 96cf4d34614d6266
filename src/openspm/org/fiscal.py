"""Fiscal period arithmetic. FY N ends in calendar year N (it starts in N-1 unless in January)."""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class PeriodSpan:
    key: str
    kind: str
    fiscal_year: int
    number: int
    start_on: date
    end_on: date


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _month_span(year: int, month: int, count: int) -> tuple[date, date]:
    end_year, end_month = _add_months(year, month, count - 1)
    last_day = _calendar.monthrange(end_year, end_month)[1]
    return date(year, month, 1), date(end_year, end_month, last_day)


def fiscal_year_start(fiscal_year: int, start_month: int) -> tuple[int, int]:
    return (fiscal_year, 1) if start_month == 1 else (fiscal_year - 1, start_month)


def fiscal_year_of(on: date, start_month: int) -> int:
    return on.year if start_month == 1 or on.month < start_month else on.year + 1


def fiscal_periods(fiscal_year: int, start_month: int) -> list[PeriodSpan]:
    """The year, its four quarters and twelve months, keyed 2026, 2026-Q1, 2026-M01."""
    year, month = fiscal_year_start(fiscal_year, start_month)
    start, end = _month_span(year, month, 12)
    spans = [PeriodSpan(str(fiscal_year), "year", fiscal_year, 1, start, end)]
    for quarter in range(4):
        qy, qm = _add_months(year, month, quarter * 3)
        q_start, q_end = _month_span(qy, qm, 3)
        spans.append(
            PeriodSpan(
                f"{fiscal_year}-Q{quarter + 1}", "quarter", fiscal_year, quarter + 1, q_start, q_end
            )
        )
    for offset in range(12):
        my, mm = _add_months(year, month, offset)
        m_start, m_end = _month_span(my, mm, 1)
        spans.append(
            PeriodSpan(
                f"{fiscal_year}-M{offset + 1:02d}", "month", fiscal_year, offset + 1, m_start, m_end
            )
        )
    return spans
