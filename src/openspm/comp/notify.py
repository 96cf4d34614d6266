"""E-mails about disputes, sent through Django's e-mail backend (text and HTML alternatives).

The services call these after their transaction commits (`transaction.on_commit`), with ids,
so a rolled-back change sends nothing and each message reads the committed rows. A recipient
without an e-mail address is skipped.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from openspm.comp.models import Dispute, DisputeComment
from openspm.core.models import User
from openspm.core.roles import Role

SUBJECT_PREFIX = "[OpenSPM] "


def dispute_link(dispute: Dispute, *, site_url: str = "") -> str:
    """The dispute's page; absolute when the caller knows the site's address."""
    return site_url.rstrip("/") + reverse("comp:dispute", args=[dispute.pk])


def payee_address(dispute: Dispute) -> str:
    """The payee's own address, else their login's."""
    person = dispute.person
    if person.email:
        return person.email
    return person.user.email if person.user is not None else ""


def comp_admin_addresses() -> list[str]:
    return sorted(
        set(
            User.objects.filter(is_active=True, groups__name=Role.COMP_ADMIN.value)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def _load(dispute_id: int) -> Dispute:
    return Dispute.objects.select_related(
        "person", "person__user", "period", "assignee", "opened_by", "adjustment"
    ).get(pk=dispute_id)


def _context(dispute: Dispute, site_url: str) -> dict[str, object]:
    amount = dispute.trace.get("amount")
    return {
        "dispute": dispute,
        "link": dispute_link(dispute, site_url=site_url),
        "trace": dispute.trace,
        "line_amount": Decimal(str(amount)) if amount not in (None, "") else None,
        "line_currency": dispute.trace.get("currency", ""),
    }


def _send(*, template: str, subject: str, to: list[str], context: dict[str, object]) -> int:
    if not to:
        return 0
    message = EmailMultiAlternatives(
        subject=SUBJECT_PREFIX + subject,
        body=render_to_string(f"comp/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach_alternative(
        render_to_string(f"comp/email/{template}.html", context), "text/html"
    )
    return message.send()


def dispute_opened(*, dispute_id: int, site_url: str = "") -> int:
    """To the assignee (if any) and every comp admin."""
    dispute = _load(dispute_id)
    to = set(comp_admin_addresses())
    if dispute.assignee is not None and dispute.assignee.email:
        to.add(dispute.assignee.email)
    return _send(
        template="dispute_opened",
        subject=f"Dispute {dispute.pk} opened: {dispute.subject}",
        to=sorted(to),
        context=_context(dispute, site_url),
    )


def dispute_commented(*, comment_id: int, site_url: str = "") -> int:
    """To the payee, for a comment they may see that someone else wrote."""
    comment = DisputeComment.objects.select_related("author").get(pk=comment_id)
    if comment.is_internal:
        return 0
    dispute = _load(comment.dispute_id)
    if dispute.person.user_id is not None and dispute.person.user_id == comment.author_id:
        return 0
    address = payee_address(dispute)
    return _send(
        template="dispute_comment",
        subject=f"New reply on dispute {dispute.pk}: {dispute.subject}",
        to=[address] if address else [],
        context=_context(dispute, site_url) | {"comment": comment},
    )


def dispute_decided(*, dispute_id: int, site_url: str = "") -> int:
    """To the payee, when their dispute is resolved or rejected."""
    dispute = _load(dispute_id)
    address = payee_address(dispute)
    verb = dispute.get_status_display().lower()
    return _send(
        template="dispute_decided",
        subject=f"Dispute {dispute.pk} {verb}: {dispute.subject}",
        to=[address] if address else [],
        context=_context(dispute, site_url),
    )
