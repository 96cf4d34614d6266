"""Disputes (inquiries about a statement line) and the lines they may be opened from.

A rep sees their own disputes, a manager their team's, comp admins, finance and
administrators all of them; referral partners none. Internal comments are shown only to the
roles that handle disputes (comp admins, finance, administrators).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from openspm.comp import summaries
from openspm.comp.models import CalcRun, Dispute, DisputeComment, EarningLine, PayoutLine
from openspm.core.access import Viewer, can_edit, is_internal, role_of
from openspm.core.errors import NotFound
from openspm.core.models import User
from openspm.core.roles import APPROVE_ROLES, EDIT_ROLES
from openspm.org import selectors as org_selectors

OPEN_STATUSES = (Dispute.Status.OPEN, Dispute.Status.IN_REVIEW)
# Runs whose lines a payee (or their manager) may question: the published run and the runs it
# superseded (statements the payee was once shown). Comp staff may question any succeeded run.
PAYEE_RUN_APPROVALS = (CalcRun.Approval.APPROVED, CalcRun.Approval.SUPERSEDED)
#: A dispute's trace names at most this many of a summary line's deals.
TRACE_DEALS = 200


def handles_disputes(viewer: Viewer) -> bool:
    """Takes, reviews, resolves and rejects disputes: comp admins and administrators."""
    return can_edit(viewer)


def sees_internal_comments(viewer: Viewer) -> bool:
    return role_of(viewer) in APPROVE_ROLES


def list_disputes(
    *,
    viewer: Viewer,
    status: str = "",
    assignee_id: int | None = None,
    unassigned: bool = False,
    overdue: bool | None = None,
    person_id: int | None = None,
    now: datetime | None = None,
) -> QuerySet[Dispute]:
    """Disputes of the payees the viewer sees, newest first, each annotated with `is_overdue`
    (still open or in review after its `due_at`)."""
    moment = now or timezone.now()
    qs = Dispute.objects.select_related(
        "person", "period", "run", "assignee", "opened_by", "adjustment"
    ).annotate(
        is_overdue=Case(
            When(Q(status__in=OPEN_STATUSES, due_at__lt=moment), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    if not is_internal(viewer):
        return qs.none()
    qs = org_selectors.restrict_to_people(qs, viewer=viewer)
    if status:
        qs = qs.filter(status=status)
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    if unassigned:
        qs = qs.filter(assignee__isnull=True)
    if overdue is not None:
        qs = qs.filter(is_overdue=overdue)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    return qs.order_by("-created_at", "-pk")


def get_dispute(*, viewer: Viewer, dispute_id: int) -> Dispute:
    dispute = list_disputes(viewer=viewer).filter(pk=dispute_id).first()
    if dispute is None:
        raise NotFound("No such dispute.")
    return dispute


def list_comments(*, viewer: Viewer, dispute: Dispute) -> list[DisputeComment]:
    """The thread of a dispute the viewer sees; internal notes only for comp staff."""
    qs = DisputeComment.objects.filter(dispute=dispute).select_related("author")
    if not sees_internal_comments(viewer):
        qs = qs.filter(is_internal=False)
    return list(qs.order_by("created_at", "pk"))


def get_disputable_line(
    *,
    viewer: Viewer,
    earning_line_id: int | None = None,
    payout_line_id: int | None = None,
) -> EarningLine | PayoutLine:
    """The statement line a dispute is opened from: one of the viewer's payees' lines in a run
    they were shown (404 otherwise, and for partners)."""
    if (earning_line_id is None) == (payout_line_id is None):
        raise NotFound("Name one earning line or one payout line.")
    qs: QuerySet[EarningLine] | QuerySet[PayoutLine]
    if earning_line_id is not None:
        qs = EarningLine.objects.filter(pk=earning_line_id)
    else:
        qs = PayoutLine.objects.filter(pk=payout_line_id or 0)
    qs = qs.select_related("run", "run__period", "person").filter(
        run__status=CalcRun.Status.SUCCEEDED
    )
    if not is_internal(viewer):
        qs = qs.none()
    qs = org_selectors.restrict_to_people(qs, viewer=viewer)
    if role_of(viewer) not in APPROVE_ROLES:
        qs = qs.filter(run__approval__in=PAYEE_RUN_APPROVALS)
    line = qs.first()
    if line is None:
        raise NotFound("No such statement line.")
    return line


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def line_trace(line: EarningLine | PayoutLine) -> dict[str, object]:
    """What a line said when it was questioned, as JSON (decimals as strings), so the dispute
    still shows it after a recalculation replaces the run's lines."""
    run = line.run
    trace: dict[str, object] = {
        "line_kind": "earning" if isinstance(line, EarningLine) else "payout",
        "line_id": line.pk,
        "run_id": run.pk,
        "run_fingerprint": run.fingerprint,
        "period": line.period_key,
        "plan_code": line.plan_code,
        "plan_version": line.plan_version,
        "component_id": line.component_id,
        "line_type": line.line_type,
        "amount": _text(line.amount),
        "currency": line.currency,
    }
    if isinstance(line, EarningLine):
        trace |= {
            "component_kind": line.component_kind,
            "transaction_refs": _deal_refs(line),
            "deal_count": line.line_count or None,
            "credit_reason": line.credit_reason,
            "measure_id": line.measure_id,
            "measure_value": _text(line.measure_value),
            "quota_amount": _text(line.quota_amount),
            "attainment": _text(line.attainment),
            "tier": line.tier,
            "rate": _text(line.rate),
            "multiplier": _text(line.multiplier),
        }
    else:
        trace |= {
            "transaction_refs": line.transaction_refs.split(),
            "plan_amount": _text(line.plan_amount),
            "plan_currency": line.plan_currency,
            "fx_rate": _text(line.fx_rate),
            "held_amount": _text(line.held_amount),
        }
    return trace


def _deal_refs(line: EarningLine) -> list[str]:
    """The deals of an earning line: its own, or the first `TRACE_DEALS` of those a summary
    line sums (from the run's archive; none when the archive is gone)."""
    if not line.line_count:
        return [line.transaction_ref] if line.transaction_ref else []
    found = summaries.read_deal_lines(
        line,
        payee_external_id=line.person.external_id,
        run_period_key=line.run.period.key,
        limit=TRACE_DEALS,
    )
    return sorted({str(row["transaction_id"]) for row in found[0]}) if found else []


def trace_amount(dispute: Dispute) -> Decimal | None:
    """The questioned line's amount, back from the trace's text (never via float)."""
    value = dispute.trace.get("amount")
    return None if value in (None, "") else Decimal(str(value))


def list_handlers() -> list[User]:
    """Users who may be assigned a dispute (comp admins and administrators), for filters."""
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=[r.value for r in EDIT_ROLES]) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )


TRACE_LABELS: tuple[tuple[str, str], ...] = (
    ("period", "Period"),
    ("plan_code", "Plan"),
    ("plan_version", "Plan version"),
    ("component_id", "Component"),
    ("line_type", "Line type"),
    ("deal_count", "Deal lines"),
    ("transaction_refs", "Deals"),
    ("credit_reason", "Credit reason"),
    ("measure_id", "Measure"),
    ("measure_value", "Measure value"),
    ("quota_amount", "Quota"),
    ("attainment", "Attainment"),
    ("tier", "Tier"),
    ("rate", "Rate"),
    ("multiplier", "Multiplier"),
    ("plan_amount", "Plan amount"),
    ("fx_rate", "FX rate"),
    ("held_amount", "Held"),
    ("run_id", "Run"),
    ("run_fingerprint", "Run fingerprint"),
)


def trace_rows(trace: dict[str, object]) -> list[tuple[str, str]]:
    """The trace's filled-in facts as (label, text), in a fixed order, for the page."""
    rows = []
    for key, label in TRACE_LABELS:
        value = trace.get(key)
        if value in (None, "", []):
            continue
        text = " ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        rows.append((label, text))
    return rows
