"""A few disputes, adjustments and acknowledgements, made by the demo logins through the services.

The rep login opens four inquiries from lines of their statements: one left open (with a note
from their manager), one in review (with a reply and an internal note from the comp admin), one
resolved with an adjustment (which finance approves, four eyes), and one rejected. The comp admin
also enters two manual adjustments in the current quarter: a bonus finance approved and a
recovery still pending. The rep acknowledges the statements of the closed quarters.

Dispute resolutions pay in today's open quarter (`comp.services.disputes`); the manual ones pay in
the current demo quarter. No e-mail goes out: the demo's addresses are made up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.test.utils import override_settings

from openspm.comp.models import Adjustment, CalcRun, Dispute, EarningLine
from openspm.comp.services import adjustments, disputes, statements
from openspm.core.models import User
from openspm.demo.generate.base import Progress
from openspm.demo.generate.runs import PaidQuarters
from openspm.org.models import Person

DISPUTE_ADJUSTMENT = Decimal("350.00")
BONUS = Decimal("1000.00")
RECOVERY = Decimal("-250.00")


@contextmanager
def no_email() -> Iterator[None]:
    """Drop the e-mails sent inside this block, those sent on commit included: wrap the
    transaction that makes the demo's disputes in it."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        yield


def _rep_lines(run: CalcRun, person: Person, count: int) -> list[EarningLine]:
    """The payee's first `count` earning lines of a run, biggest first (stable)."""
    return list(
        EarningLine.objects.filter(run=run, person=person)
        .exclude(amount=0)
        .order_by("-amount", "pk")[:count]
    )


def _disputable_lines(paid: PaidQuarters, person: Person) -> list[EarningLine]:
    """Four of the rep's lines: two from the current quarter (fewer if it has fewer), the
    rest from the latest quarters before it."""
    found = _rep_lines(paid.runs[-1], person, 2)
    for run in reversed(paid.runs[:-1]):
        if len(found) == 4:
            break
        found += _rep_lines(run, person, 4 - len(found))
    return found


def make_disputes(paid: PaidQuarters, progress: Progress) -> int:
    """The rep's four inquiries in their four states; returns how many were opened."""
    rep = User.objects.get(username="rep")
    manager = User.objects.get(username="manager")
    comp_admin = User.objects.get(username="compadmin")
    finance = User.objects.get(username="finance")
    person = Person.objects.get(user=rep)
    questions = [
        (Dispute.Category.MISSING_CREDIT, "A deal is missing from this line",
         "I closed a renewal with this account at the end of the quarter and it is not "
         "credited here."),
        (Dispute.Category.WRONG_RATE, "Rate looks too low",
         "I was above quota by then, so this should be at the accelerated rate."),
        (Dispute.Category.WRONG_PAYMENT, "Split with the SE not applied",
         "The sales engineer's overlay was taken out of my credit, but we agreed on a "
         "100 % credit for me on this deal."),
        (Dispute.Category.OTHER, "Why is this line lower than last quarter?",
         "The same kind of deal paid more last quarter. Can you explain the difference?"),
    ]  # fmt: skip
    opened = [
        disputes.open_dispute(
            actor=rep, category=category, subject=subject, body=body, earning_line_id=line.pk
        )
        for line, (category, subject, body) in zip(
            _disputable_lines(paid, person), questions, strict=False
        )
    ]
    if opened:  # open: the manager adds a note for the comp team
        disputes.comment_on_dispute(
            actor=manager,
            dispute_id=opened[0].pk,
            body="I can confirm the renewal was signed before the quarter ended.",
        )
    if len(opened) > 1:  # in review: the comp admin replies and keeps a note
        _review(comp_admin, opened[1])
        disputes.comment_on_dispute(
            actor=comp_admin,
            dispute_id=opened[1].pk,
            body="Checking your attainment as of the deal's booking date.",
        )
        disputes.comment_on_dispute(
            actor=comp_admin,
            dispute_id=opened[1].pk,
            body="Attainment crossed 100 % two days after this deal: likely correct.",
            is_internal=True,
        )
    if len(opened) > 2:  # resolved with an adjustment, which finance approves
        _review(comp_admin, opened[2])
        disputes.comment_on_dispute(
            actor=rep, dispute_id=opened[2].pk, body="The agreement is in the deal notes."
        )
        resolved = disputes.transition_dispute(
            actor=comp_admin,
            dispute_id=opened[2].pk,
            action="resolve",
            resolution="Agreed: the overlay should not have reduced your credit.",
            amount=DISPUTE_ADJUSTMENT,
        )
        assert resolved.adjustment_id is not None
        adjustments.decide_adjustment(
            actor=finance,
            adjustment_id=resolved.adjustment_id,
            approve=True,
            comment="Matches the deal notes.",
        )
    if len(opened) > 3:  # rejected, with the reason
        _review(comp_admin, opened[3])
        disputes.transition_dispute(
            actor=comp_admin,
            dispute_id=opened[3].pk,
            action="reject",
            resolution="Last quarter's deal was above quota, at the accelerated rate; "
            "this one was below it. The line is correct.",
        )
    progress("disputes", len(opened))
    return len(opened)


def _review(comp_admin: User, dispute: Dispute) -> None:
    disputes.transition_dispute(actor=comp_admin, dispute_id=dispute.pk, action="take")
    disputes.transition_dispute(actor=comp_admin, dispute_id=dispute.pk, action="review")


def make_adjustments(paid: PaidQuarters, progress: Progress) -> int:
    """Two manual adjustments in the current quarter: a bonus finance approved for the rep, and
    a recovery from another payee still waiting for approval."""
    comp_admin = User.objects.get(username="compadmin")
    finance = User.objects.get(username="finance")
    rep = Person.objects.get(user__username="rep")
    other = (
        Person.objects.filter(title=rep.title, terminated_on__isnull=True)
        .exclude(pk=rep.pk)
        .order_by("external_id")
        .first()
    ) or rep
    bonus = adjustments.create_adjustment(
        actor=comp_admin,
        person=rep,
        period=paid.current,
        amount=BONUS,
        currency=rep.currency,
        reason_code=Adjustment.Reason.MANUAL_BONUS,
        description="Discretionary bonus: top new-logo count of the region this quarter.",
    )
    adjustments.decide_adjustment(
        actor=finance, adjustment_id=bonus.pk, approve=True, comment="Approved by the VP."
    )
    adjustments.create_adjustment(
        actor=comp_admin,
        person=other,
        period=paid.current,
        amount=RECOVERY,
        currency=other.currency,
        reason_code=Adjustment.Reason.RECOVERY,
        description="Recovery: a deal credited last quarter was refunded by the customer.",
    )
    progress("adjustments", 2)
    return 2


def acknowledge_statements(paid: PaidQuarters, progress: Progress) -> int:
    """The rep acknowledges their statements of the closed quarters they have one for."""
    rep = User.objects.get(username="rep")
    person = Person.objects.get(user=rep)
    with_lines = set(
        EarningLine.objects.filter(run__in=paid.runs[:-1], person=person)
        .values_list("run__period__key", flat=True)
        .distinct()
    )
    done = 0
    for period in paid.periods[:-1]:
        if period.key in with_lines:
            statements.acknowledge_statement(actor=rep, person_id=person.pk, period_key=period.key)
            done += 1
    progress("acknowledged statements", done)
    return done
