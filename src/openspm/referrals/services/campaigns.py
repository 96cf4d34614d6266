"""Campaign emails: rendered from templates into the outbox, sent by a task after commit.

An opted-out referrer's messages are recorded as `skipped` and never sent.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from openspm.core.access import Viewer, require_edit
from openspm.referrals.models import Message, Program, Referral, Referrer

UNSUBSCRIBE_SALT = "openspm.referrals.unsubscribe"


def unsubscribe_token(referrer: Referrer) -> str:
    return signing.dumps(referrer.pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe_path(referrer: Referrer) -> str:
    return reverse("referrals_public:unsubscribe", args=[unsubscribe_token(referrer)])


def absolute(path: str) -> str:
    """`path` on the site's public address (`OPENSPM_SITE_URL`), for links in emails."""
    return f"{settings.SITE_URL}{path}"


def referral_link(referrer: Referrer) -> str:
    """The referrer's shareable link, absolute."""
    return absolute(reverse("referrals_public:click", args=[referrer.code]))


def queue_message(*, kind: str, referrer: Referrer, referral: Referral | None = None) -> Message:
    """Render `referrals/email/<kind>.txt` (first line: subject) into the outbox and send it
    once the transaction commits."""
    text = render_to_string(
        f"referrals/email/{kind}.txt",
        {
            "referrer": referrer,
            "referral": referral,
            "program": referrer.program,
            "link": referral_link(referrer),
            "landing": absolute(reverse("referrals_public:landing", args=[referrer.program.slug])),
            "unsubscribe": absolute(unsubscribe_path(referrer)),
        },
    )
    subject, _, body = text.strip().partition("\n")
    message = Message.objects.create(
        kind=kind,
        referrer=referrer,
        referral=referral,
        to_email=referrer.email,
        subject=subject.strip()[:200],
        body=body.strip(),
        status=Message.Status.SKIPPED if referrer.is_opted_out else Message.Status.QUEUED,
    )
    if message.status == Message.Status.QUEUED:
        from openspm.referrals import tasks

        transaction.on_commit(partial(tasks.send_referral_message.enqueue, message.pk))
    return message


@transaction.atomic
def send_message(*, message_id: int) -> Message:
    """Send one queued message; a no-op when already sent or skipped (safe to run twice)."""
    message = Message.objects.select_for_update().select_related("referrer").get(pk=message_id)
    if message.status != Message.Status.QUEUED:
        return message
    if message.referrer.is_opted_out:
        message.status = Message.Status.SKIPPED
    else:
        send_mail(message.subject, message.body, None, [message.to_email])
        message.status = Message.Status.SENT
        message.sent_at = timezone.now()
    message.save(update_fields=["status", "sent_at", "updated_at"])
    return message


@transaction.atomic
def invite(*, actor: Viewer, program: Program) -> list[Message]:
    """An invitation to every referrer of the program (opted-out ones are skipped)."""
    require_edit(actor)
    return [
        queue_message(kind="invitation", referrer=r)
        for r in program.referrers.select_related("program")
    ]


@transaction.atomic
def remind_idle(*, program: Program) -> list[Message]:
    """A reminder to referrers of the program who have not referred anyone yet."""
    return [
        queue_message(kind="reminder", referrer=r)
        for r in program.referrers.select_related("program")
        .filter(referrals__isnull=True)
        .exclude(messages__kind=Message.Kind.REMINDER)
    ]


@transaction.atomic
def unsubscribe(*, token: str) -> Referrer | None:
    """Opt a referrer out by the signed token in their emails; None for a bad token."""
    try:
        referrer_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    referrer = Referrer.objects.filter(pk=referrer_id).first()
    if referrer is not None and not referrer.is_opted_out:
        referrer.is_opted_out = True
        referrer.save(update_fields=["is_opted_out", "updated_at"])
        Message.objects.filter(referrer=referrer, status=Message.Status.QUEUED).update(
            status=Message.Status.SKIPPED
        )
    return referrer
