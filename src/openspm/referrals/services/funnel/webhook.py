"""The CRM webhook: a signed event is verified and stored at once (one insert), and the worker
applies each referral's events in order, once, through the funnel's stages."""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from openspm.core.errors import InvalidInput, NotFound, OpenSPMError
from openspm.referrals.errors import WebhookRejected, WebhookReplay
from openspm.referrals.models import Referral, WebhookEvent
from openspm.referrals.services.funnel.stages import StageUpdate, apply_update, lock_referral

TOLERANCE_SECONDS = 300
WRITER_LOCK = "openspm-writer.lock"


EVENTS = {
    "lead.created": "lead",
    "lead.qualified": "qualified",
    "lead.lost": "lost",
    "opportunity.created": "opportunity",
    "opportunity.won": "won",
    "opportunity.lost": "lost",
    "invoice.paid": "paid",
}


def sign(*, secret: str, timestamp: str, body: bytes) -> str:
    """The signature the CRM sends: hex HMAC-SHA256 of `<timestamp>.<body>`."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(*, timestamp: str, signature: str, body: bytes, now: datetime | None = None) -> None:
    secret = settings.OPENSPM_REFERRAL_WEBHOOK_SECRET
    if not secret:
        raise WebhookRejected("The webhook is not configured (OPENSPM_REFERRAL_WEBHOOK_SECRET).")
    try:
        sent = int(timestamp)
    except ValueError:
        raise WebhookRejected("Missing or malformed X-OpenSPM-Timestamp.") from None
    now_ts = int((now or timezone.now()).timestamp())
    if abs(now_ts - sent) > TOLERANCE_SECONDS:
        raise WebhookRejected("The timestamp is outside the five-minute tolerance.")
    expected = sign(secret=secret, timestamp=timestamp, body=body)
    given = signature.removeprefix("sha256=")
    if not hmac.compare_digest(expected, given):
        raise WebhookRejected("Bad signature.")


def _decimal(value: object, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str | int | Decimal):
        raise InvalidInput(f"{field} must be a decimal string.")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"{field} must be a decimal string.") from None


def _stage_update(payload: dict[str, Any]) -> StageUpdate:
    account = payload.get("account")
    return StageUpdate(
        stage=EVENTS[payload["type"]],
        crm_lead_id=str(payload.get("lead_id") or ""),
        crm_opportunity_id=str(payload.get("opportunity_id") or ""),
        deal_amount=_decimal(payload.get("amount"), "amount"),
        first_year_amount=_decimal(payload.get("first_year_amount"), "first_year_amount"),
        account=account if isinstance(account, dict) else None,
        deal_external_id=str(payload.get("transaction_external_id") or ""),
    )


def _referral_named(field: str, value: str) -> int | None:
    """The referral that has this CRM id, or that an earlier event (not failed) named with it
    and has not been applied yet: two indexed reads at most."""
    found = Referral.objects.filter(**{field: value}).values_list("pk", flat=True).first()
    if found is None:
        found = (
            WebhookEvent.objects.filter(**{field: value}, referral__isnull=False)
            .exclude(status=WebhookEvent.Status.FAILED)
            .order_by("pk")
            .values_list("referral_id", flat=True)
            .first()
        )
    return found


def _find(payload: dict[str, Any]) -> int:
    """The id of the referral the event names: by `referral_id`, else by `opportunity_id`,
    else by `lead_id`."""
    if payload.get("referral_id"):
        try:
            referral_id = int(payload["referral_id"])
        except (TypeError, ValueError):
            raise InvalidInput("referral_id must be an integer.") from None
        if not Referral.objects.filter(pk=referral_id).exists():
            raise NotFound("No referral matches this event.")
        return referral_id
    opportunity_id = str(payload.get("opportunity_id") or "")
    lead_id = str(payload.get("lead_id") or "")
    if not opportunity_id and not lead_id:
        raise InvalidInput("The event names no referral_id, lead_id or opportunity_id.")
    found = opportunity_id and _referral_named("crm_opportunity_id", opportunity_id)
    found = found or (lead_id and _referral_named("crm_lead_id", lead_id))
    if not found:
        raise NotFound("No referral matches this event.")
    return found


def handle_webhook(*, timestamp: str, signature: str, body: bytes) -> WebhookEvent:
    """Receive one CRM event: verify, parse, refuse a replay or an event naming no known
    referral, then store it (one insert) and queue its application by the worker
    (`apply_webhook_event`) in the same transaction. A bad signature, a stale timestamp, an
    event id seen before, a malformed event or an unknown referral raises and stores nothing."""
    verify(timestamp=timestamp, signature=signature, body=body)
    try:
        payload = json.loads(body, parse_float=Decimal)
    except ValueError:
        raise InvalidInput("The body is not JSON.") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), str):
        raise InvalidInput("The event needs a string id.")
    kind = payload.get("type")
    if kind not in EVENTS:
        raise InvalidInput(f"Unknown event type {kind!r}.", detail={"types": sorted(EVENTS)})
    if len(payload["id"]) > WebhookEvent._meta.get_field("event_id").max_length:  # type: ignore[operator]
        raise InvalidInput("The event id is too long.")
    update = _stage_update(payload)  # a malformed amount is refused now, not in the worker
    # A replay is refused here, without waiting for the writer; a concurrent delivery of the
    # same id that passes this check fails on the event's unique id inside the transaction.
    if WebhookEvent.objects.filter(event_id=payload["id"]).exists():
        raise WebhookReplay("This event was already processed.")
    referral_id = _find(payload)
    with _one_writer():
        return _store_event(
            event_id=payload["id"],
            kind=kind,
            referral_id=referral_id,
            body=body,
            update=update,
        )


@contextmanager
def _one_writer() -> Iterator[None]:
    """On SQLite, queue the webhook's write transactions (the request's insert and the
    worker's application) on a lock file in the database's folder. A waiter wakes as soon as
    the lock is free, where SQLite's busy handler polls with growing sleeps (up to 100 ms) and
    lets newcomers overtake old waiters: under load that starved some deliveries for seconds.
    One file per folder (not per database), so test databases leave none behind. PostgreSQL
    locks rows."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or ":memory:" in name or "mode=memory" in name:
        yield
        return
    with open(Path(name).with_name(WRITER_LOCK), "ab") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@transaction.atomic
def _store_event(
    *, event_id: str, kind: str, referral_id: int, body: bytes, update: StageUpdate
) -> WebhookEvent:
    """One insert for the event and one for its job, in one transaction (the job queue is in
    the same database). A concurrent delivery of the same id that got here first makes the
    insert fail, and the delivery is refused as a replay (no savepoint needed: the error
    leaves this atomic block)."""
    from openspm.referrals import tasks

    try:
        event = WebhookEvent.objects.create(
            event_id=event_id,
            event_type=kind,
            referral_id=referral_id,
            body=body.decode(),
            crm_lead_id=update.crm_lead_id[:64],
            crm_opportunity_id=update.crm_opportunity_id[:64],
        )
    except IntegrityError:
        raise WebhookReplay("This event was already processed.") from None
    tasks.apply_webhook_event.enqueue(event.pk)
    return event


def apply_webhook_event(*, event_pk: int) -> WebhookEvent:
    """The worker's part: apply the event's referral's received events up to this one, oldest
    first, each once and in its own transaction. A transition the referral's state does not
    allow marks its event failed, with the error, and changes nothing else. Safe to run twice
    and in several workers at once (the referral's row lock orders them)."""
    event = WebhookEvent.objects.get(pk=event_pk)
    if event.status != WebhookEvent.Status.RECEIVED:  # applied already, with an earlier one
        return event
    if event.referral_id is None:
        _fail_orphan(event_pk=event.pk)
    else:
        while True:
            with _one_writer():
                done = _apply_next(referral_id=event.referral_id, up_to=event.pk)
            if done is None or done.pk == event.pk:
                break
    event.refresh_from_db()
    return event


def apply_stale_webhook_events(*, before: datetime) -> int:
    """Apply the events still received that arrived before `before`, oldest first (their job
    was lost, or stopped on an unexpected error); housekeeping runs it. Returns how many."""
    pks = list(
        WebhookEvent.objects.filter(status=WebhookEvent.Status.RECEIVED, received_at__lt=before)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in pks:
        apply_webhook_event(event_pk=pk)
    return len(pks)


@transaction.atomic
def _fail_orphan(*, event_pk: int) -> None:
    WebhookEvent.objects.filter(pk=event_pk, status=WebhookEvent.Status.RECEIVED).update(
        status=WebhookEvent.Status.FAILED, error="The referral no longer exists."
    )


@transaction.atomic
def _apply_next(*, referral_id: int, up_to: int) -> WebhookEvent | None:
    """Apply the referral's oldest received event (up to `up_to`); None when there is none."""
    try:
        referral = lock_referral(referral_id)  # every worker on this referral waits here
    except Referral.DoesNotExist:
        return None
    event = (
        WebhookEvent.objects.select_for_update()
        .filter(referral_id=referral_id, status=WebhookEvent.Status.RECEIVED, pk__lte=up_to)
        .order_by("pk")
        .first()
    )
    if event is None:
        return None
    try:
        with transaction.atomic():  # a failed event rolls back its own changes only
            apply_update(referral, _stage_update(json.loads(event.body, parse_float=Decimal)))
    except (OpenSPMError, ValidationError) as exc:
        event.status = WebhookEvent.Status.FAILED
        event.error = _message(exc)
    else:
        event.status = WebhookEvent.Status.APPLIED
        event.applied_at = timezone.now()
    event.save(update_fields=["status", "applied_at", "error"])
    return event


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)
