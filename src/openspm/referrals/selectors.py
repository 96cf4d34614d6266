"""Reads of the referral app, narrowed to what the viewer may see.

Comp admins, finance and administrators see every referral; a referral partner sees the
referrals made through their own referrer records; a rep or manager sees the referrals routed
to a payee in their scope, plus those they made themselves. Anonymous viewers see nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from openspm.core.access import ScopeKind, Viewer, can_edit, scope_of
from openspm.core.errors import NotFound
from openspm.org import selectors as org_selectors
from openspm.referrals.models import (
    FraudSignal,
    Message,
    Program,
    Referral,
    Referrer,
    Reward,
    WebhookEvent,
)


def _referral_filter(viewer: Viewer, prefix: str = "") -> Q | None:
    """None: every row; otherwise the rows the viewer sees (Q(pk__in=[]) for nobody)."""
    scope = scope_of(viewer)
    if scope.kind is ScopeKind.ALL:
        return None
    if scope.kind is ScopeKind.NONE:
        return Q(pk__in=[])
    own = Q(**{f"{prefix}referrer__user_id": viewer.pk})
    if scope.kind is ScopeKind.PARTNER:
        return own
    ids = org_selectors.visible_person_ids(viewer=viewer) or set()
    return own | Q(**{f"{prefix}owner_id__in": ids})


def list_programs(*, viewer: Viewer, active_only: bool = False) -> QuerySet[Program]:
    qs = Program.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    return qs if viewer.is_authenticated else qs.none()


def get_public_program(*, slug: str) -> Program:
    """An active program for its public landing page (no login)."""
    program = Program.objects.filter(slug=slug, is_active=True).first()
    if program is None:
        raise NotFound("No such referral program.")
    return program


def get_referrer_by_code(*, code: str) -> Referrer | None:
    return Referrer.objects.select_related("program").filter(code=code).first()


def list_referrers(*, viewer: Viewer, program_id: int | None = None) -> QuerySet[Referrer]:
    scope = scope_of(viewer)
    qs = Referrer.objects.select_related("program", "person", "user")
    if program_id is not None:
        qs = qs.filter(program_id=program_id)
    if scope.kind is ScopeKind.ALL:
        return qs
    if scope.kind is ScopeKind.NONE:
        return qs.none()
    return qs.filter(user_id=viewer.pk)  # type: ignore[misc]


def list_referrals(
    *,
    viewer: Viewer,
    program_id: int | None = None,
    status: str = "",
    stage: str = "",
) -> QuerySet[Referral]:
    qs = Referral.objects.select_related("program", "referrer", "owner", "account")
    visible = _referral_filter(viewer)
    if visible is not None:
        qs = qs.filter(visible)
    if program_id is not None:
        qs = qs.filter(program_id=program_id)
    if status:
        qs = qs.filter(status=status)
    if stage:
        qs = qs.filter(stage=stage)
    return qs


def get_referral(*, viewer: Viewer, referral_id: int) -> Referral:
    referral = list_referrals(viewer=viewer).filter(pk=referral_id).first()
    if referral is None:
        raise NotFound("No such referral.")
    return referral


def list_crm_events(*, viewer: Viewer, referral: Referral) -> list[WebhookEvent]:
    """The CRM webhook events of a referral the viewer sees, newest first, with their outcome
    (received, applied, failed and why); only for those who may move referrals."""
    if not can_edit(viewer):
        return []
    return list(
        WebhookEvent.objects.filter(referral=referral)
        .only("event_id", "event_type", "status", "received_at", "applied_at", "error")
        .order_by("-pk")[:50]
    )


def list_review_queue(*, viewer: Viewer) -> QuerySet[Referral]:
    """Flagged referrals, oldest first, with their signals."""
    return (
        list_referrals(viewer=viewer, status=Referral.Status.FLAGGED)
        .prefetch_related("signals")
        .order_by("submitted_at", "pk")
    )


def list_signals(*, referral_ids: list[int]) -> QuerySet[FraudSignal]:
    return FraudSignal.objects.filter(referral_id__in=referral_ids)


def list_rewards(*, viewer: Viewer, status: str = "") -> QuerySet[Reward]:
    qs = Reward.objects.select_related(
        "referral", "referral__referrer", "program", "payee", "ledger_line__period"
    )
    visible = _referral_filter(viewer, prefix="referral__")
    if visible is not None:
        qs = qs.filter(visible)
        if scope_of(viewer).kind is ScopeKind.PARTNER:
            qs = qs.filter(side=Reward.Side.REFERRER)
    if status:
        qs = qs.filter(status=status)
    return qs


def get_reward(*, viewer: Viewer, reward_id: int) -> Reward:
    reward = list_rewards(viewer=viewer).filter(pk=reward_id).first()
    if reward is None:
        raise NotFound("No such reward.")
    return reward


def list_messages(*, viewer: Viewer) -> QuerySet[Message]:
    qs = Message.objects.select_related("referrer")
    if scope_of(viewer).kind is ScopeKind.ALL:
        return qs
    return qs.none()


def successful_referral_count(*, referrer_id: int) -> int:
    """Referrals of this referrer that already earned a (not cancelled) referrer reward."""
    return (
        Reward.objects.filter(referral__referrer_id=referrer_id, side=Reward.Side.REFERRER)
        .exclude(status=Reward.Status.CANCELLED)
        .count()
    )


def committed_reward_amount(*, program_id: int) -> Decimal:
    """Every reward of the program not cancelled: what counts against its budget."""
    total = (
        Reward.objects.filter(program_id=program_id)
        .exclude(status=Reward.Status.CANCELLED)
        .aggregate(total=Sum("amount"))["total"]
    )
    return total or Decimal("0")


@dataclass(frozen=True)
class ProgramStats:
    program: Program
    referrals: int
    leads: int
    won: int
    conversion_rate: Decimal
    avg_days_to_close: Decimal | None
    revenue_amount: Decimal
    reward_cost_amount: Decimal
    roi: Decimal | None

    @property
    def conversion_percent(self) -> Decimal:
        return (self.conversion_rate * 100).quantize(Decimal("0.1"))


_LEAD_STAGES = ("lead", "qualified", "opportunity", "won", "lost")


def program_stats(*, viewer: Viewer) -> list[ProgramStats]:
    """Per program: volume, conversion, time to close, reward cost and ROI (three queries)."""
    visible = _referral_filter(viewer)
    referrals = Referral.objects.exclude(status=Referral.Status.CANCELLED)
    if visible is not None:
        referrals = referrals.filter(visible)
    counts = {
        row["program_id"]: row
        for row in referrals.values("program_id").annotate(
            total=Count("pk"),
            leads=Count("pk", filter=Q(stage__in=_LEAD_STAGES)),
            won=Count("pk", filter=Q(stage="won")),
            revenue=Sum("deal_amount", filter=Q(stage="won")),
        )
    }
    durations: dict[int, list[timedelta]] = {}
    for program_id, submitted, won in referrals.filter(won_at__isnull=False).values_list(
        "program_id", "submitted_at", "won_at"
    ):
        durations.setdefault(program_id, []).append(won - submitted)  # type: ignore[operator]
    rewards = Reward.objects.exclude(status=Reward.Status.CANCELLED).filter(referral__in=referrals)
    costs = dict(
        rewards.values("program_id").annotate(cost=Sum("amount")).values_list("program_id", "cost")
    )
    stats = []
    for program in list_programs(viewer=viewer):
        row = counts.get(program.pk, {})
        total, won = row.get("total", 0), row.get("won", 0)
        revenue = row.get("revenue") or Decimal("0")
        cost = costs.get(program.pk) or Decimal("0")
        days = durations.get(program.pk)
        stats.append(
            ProgramStats(
                program=program,
                referrals=total,
                leads=row.get("leads", 0),
                won=won,
                conversion_rate=(Decimal(won) / Decimal(total)).quantize(Decimal("0.0001"))
                if total
                else Decimal("0"),
                avg_days_to_close=(
                    (
                        Decimal(sum(int(d.total_seconds()) for d in days))
                        / Decimal(len(days) * 86400)
                    ).quantize(Decimal("0.1"))
                    if days
                    else None
                ),
                revenue_amount=revenue,
                reward_cost_amount=cost,
                roi=((revenue - cost) / cost).quantize(Decimal("0.01")) if cost else None,
            )
        )
    return stats


def top_referrers(*, viewer: Viewer, limit: int = 10) -> list[dict[str, object]]:
    visible = _referral_filter(viewer)
    qs = Referral.objects.exclude(status=Referral.Status.CANCELLED)
    if visible is not None:
        qs = qs.filter(visible)
    rows = (
        qs.values("referrer_id", "referrer__name", "program__name")
        .annotate(referrals=Count("pk"), won=Count("pk", filter=Q(stage="won")))
        .order_by("-won", "-referrals", "referrer__name")[:limit]
    )
    return list(rows)
