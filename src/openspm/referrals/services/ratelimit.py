"""Fixed-window rate limits shared by every process (a counter row per key and window)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from openspm.referrals.errors import RateLimited
from openspm.referrals.models import RateCounter


def _window_start(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def hit(*, key: str, limit: int, window_seconds: int, now: datetime | None = None) -> int:
    """Count one request for `key`; raise RateLimited past `limit` in the window."""
    now = now or timezone.now()
    start = _window_start(now, window_seconds)
    with transaction.atomic():
        updated = RateCounter.objects.filter(key=key, window_start=start).update(
            count=F("count") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window_start=start, count=1)
            except IntegrityError:
                RateCounter.objects.filter(key=key, window_start=start).update(count=F("count") + 1)
        count = RateCounter.objects.filter(key=key, window_start=start).values_list(
            "count", flat=True
        )[0]
    if count > limit:
        raise RateLimited(
            "Too many requests; try again later.",
            detail={
                "retry_after": int(
                    (start + timedelta(seconds=window_seconds) - now).total_seconds()
                )
            },
        )
    return count


def purge(*, before: datetime) -> int:
    """Drop counters of windows that started before `before`."""
    return RateCounter.objects.filter(window_start__lt=before).delete()[0]
