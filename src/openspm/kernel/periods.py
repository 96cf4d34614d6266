"""Fiscal periods: months, quarters and years, with a fiscal year start month.

Ids: ``2026`` (a fiscal year), ``2026-Q1`` (a fiscal quarter) and ``2026-01`` (the calendar
month January 2026; ``2026-M01``, the first fiscal month, is also accepted). Fiscal year N ends
in calendar year N, so with ``start_month=7`` fiscal 2026 runs from 2025-07-01 to 2026-07-01.
Every period is a half-open date range ``[start, end)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

PeriodKind = Literal["month", "quarter", "year"]
MONTHS: dict[PeriodKind, int] = {"month": 1, "quarter": 3, "year": 12}

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_FISCAL_MONTH = re.compile(r"^(\d{4})-M(\d{2})$")


def month_index(on: date) -> int:
    """Months since year 0: ``year * 12 + month - 1``."""
    return on.year * 12 + on.month - 1


def month_start(index: int) -> date:
    """The first day of the month with ``month_index`` ``index``."""
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A fiscal month, quarter or year: ``[start, end)``, with its id."""

    start: date
    end: date
    kind: PeriodKind
    id: str
    fiscal_start_month: int = 1

    def contains(self, on: date) -> bool:
        """True when ``on`` falls in ``[start, end)``."""
        return self.start <= on < self.end

    @property
    def last_day(self) -> date:
        """The last day inside the period."""
        return date.fromordinal(self.end.toordinal() - 1)

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.end - self.start).days

    def months(self) -> list[Period]:
        """The months of this period, in order."""
        return self.split("month")

    def split(self, kind: PeriodKind) -> list[Period]:
        """The sub-periods of ``kind`` (no larger than this one) that make up this period."""
        if MONTHS[kind] > MONTHS[self.kind]:
            raise ValueError(f"cannot split a {self.kind} into {kind}s")
        step = MONTHS[kind]
        first = month_index(self.start)
        return [
            period_of(month_start(first + i), kind, self.fiscal_start_month)
            for i in range(0, MONTHS[self.kind], step)
        ]

    @property
    def fiscal_key(self) -> str:
        """The id with months as fiscal months (``2026-M01``); quarters and years unchanged."""
        if self.kind != "month":
            return self.id
        fy = fiscal_year_of(self.start, self.fiscal_start_month)
        number = (
            month_index(self.start) - month_index(_fiscal_year_start(fy, self.fiscal_start_month))
        ) + 1
        return f"{fy}-M{number:02d}"

    def next(self) -> Period:
        """The period of the same kind that follows this one."""
        return period_of(self.end, self.kind, self.fiscal_start_month)

    def previous(self) -> Period:
        """The period of the same kind that precedes this one."""
        return period_of(
            month_start(month_index(self.start) - 1), self.kind, self.fiscal_start_month
        )

    def to_date_window(self, scope: PeriodKind) -> tuple[date, date]:
        """``[start of the enclosing scope, end of this period)``, e.g. quarter-to-date."""
        return period_of(self.start, scope, self.fiscal_start_month).start, self.end

    def __str__(self) -> str:
        return self.id


def fiscal_year_of(on: date, start_month: int = 1) -> int:
    """The fiscal year containing ``on`` (fiscal year N ends in calendar year N)."""
    return on.year if start_month == 1 or on.month < start_month else on.year + 1


def _fiscal_year_start(fiscal_year: int, start_month: int) -> date:
    return date(fiscal_year if start_month == 1 else fiscal_year - 1, start_month, 1)


def period_of(on: date, kind: PeriodKind, start_month: int = 1) -> Period:
    """The fiscal period of ``kind`` that contains ``on``."""
    _check_start_month(start_month)
    fy = fiscal_year_of(on, start_month)
    fy_start = month_index(_fiscal_year_start(fy, start_month))
    offset = month_index(on) - fy_start
    size = MONTHS[kind]
    number = offset // size
    start_index = fy_start + number * size
    start = month_start(start_index)
    end = month_start(start_index + size)
    if kind == "year":
        pid = str(fy)
    elif kind == "quarter":
        pid = f"{fy}-Q{number + 1}"
    else:
        pid = f"{start.year}-{start.month:02d}"
    return Period(start, end, kind, pid, start_month)


def parse_period(text: str, start_month: int = 1) -> Period:
    """Parse ``2026``, ``2026-Q1``, ``2026-01`` or ``2026-M01`` into a :class:`Period`."""
    _check_start_month(start_month)
    value = text.strip()
    if m := _YEAR.match(value):
        return period_of(_fiscal_year_start(int(m[1]), start_month), "year", start_month)
    if m := _QUARTER.match(value):
        first = month_index(_fiscal_year_start(int(m[1]), start_month)) + 3 * (int(m[2]) - 1)
        return period_of(month_start(first), "quarter", start_month)
    if m := _MONTH.match(value):
        month = int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(f"invalid period id {text!r}: month must be 01-12")
        return period_of(date(int(m[1]), month, 1), "month", start_month)
    if m := _FISCAL_MONTH.match(value):
        number = int(m[2])
        if not 1 <= number <= 12:
            raise ValueError(f"invalid period id {text!r}: fiscal month must be M01-M12")
        first = month_index(_fiscal_year_start(int(m[1]), start_month)) + number - 1
        return period_of(month_start(first), "month", start_month)
    raise ValueError(f"invalid period id {text!r}: expected 2026, 2026-Q1, 2026-01 or 2026-M01")


def _check_start_month(start_month: int) -> None:
    if not 1 <= start_month <= 12:
        raise ValueError(f"fiscal year start month must be 1-12, not {start_month}")
