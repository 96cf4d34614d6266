"""Comp's models: calculation runs and their result lines (`runs`), and what happens to a
run's results afterwards (`payouts`: approvals, acknowledgements, adjustments, disputes,
schedules, the accounting policy)."""

from openspm.comp.models.payouts import (
    APPROVAL_STEPS,
    AccountingPolicy,
    Adjustment,
    CalcSchedule,
    Dispute,
    DisputeComment,
    RunApproval,
    StatementAcknowledgement,
)
from openspm.comp.models.runs import (
    ACTIVE_STATUSES,
    CalcRun,
    CreditLine,
    EarningLine,
    MeasureLine,
    PayoutLine,
    RunLine,
)

__all__ = [
    "ACTIVE_STATUSES",
    "APPROVAL_STEPS",
    "AccountingPolicy",
    "Adjustment",
    "CalcRun",
    "CalcSchedule",
    "CreditLine",
    "Dispute",
    "DisputeComment",
    "EarningLine",
    "MeasureLine",
    "PayoutLine",
    "RunApproval",
    "RunLine",
    "StatementAcknowledgement",
]
