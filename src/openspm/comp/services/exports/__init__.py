"""Finance exports of published results: the payroll file (`payroll`), the GL accrual journal
(`accruals`), and the ASC 340-40 / IFRS 15 capitalisation schedule with its journal entries
(`capitalization`); `files` writes each as CSV.

Amounts are `Decimal` end to end and written with exactly two decimals (never through
float). Everything here reads published runs only: a period without one is refused.
"""

from openspm.comp.services.exports.accruals import (
    AccrualRow,
    accrual_journal,
    accrual_rows,
    adjustment_reference,
)
from openspm.comp.services.exports.capitalization import (
    DEFAULT_CAPITALIZED_KINDS,
    Asset,
    ScheduleMonth,
    amortize,
    capitalization_journal,
    capitalization_schedule,
)
from openspm.comp.services.exports.common import (
    CENT,
    JournalLine,
    NotPublished,
    cents,
    get_policy,
    may_export,
)
from openspm.comp.services.exports.files import EXPORT_KINDS, export_csv
from openspm.comp.services.exports.payroll import (
    PAY_DELAY_DAYS,
    PayrollRow,
    pay_date,
    payroll_rows,
)

__all__ = [
    "CENT",
    "DEFAULT_CAPITALIZED_KINDS",
    "EXPORT_KINDS",
    "PAY_DELAY_DAYS",
    "AccrualRow",
    "Asset",
    "JournalLine",
    "NotPublished",
    "PayrollRow",
    "ScheduleMonth",
    "accrual_journal",
    "accrual_rows",
    "adjustment_reference",
    "amortize",
    "capitalization_journal",
    "capitalization_schedule",
    "cents",
    "export_csv",
    "get_policy",
    "may_export",
    "pay_date",
    "payroll_rows",
]
