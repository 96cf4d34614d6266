"""Fixed-window rate limits shared by every process (a counter row per key and window)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from openspm.referrals.errors import RateLimited
from openspm.referrals.models import RateCounter


def _window_start(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def _count_upsert(key: str, start: datetime) -> int:
    """One statement, atomic on its own: insert the window's row with 1, or add 1 to it, and
    return the count (SQLite 3.35+ and PostgreSQL both have ON CONFLICT ... RETURNING)."""
    meta = RateCounter._meta
    q = connection.ops.quote_name
    table = q(meta.db_table)
    sql = (
        f"INSERT INTO {table} ({q('key')}, {q('window_start')}, {q('count')}) "
        f"VALUES (%s, %s, 1) ON CONFLICT ({q('key')}, {q('window_start')}) "
        f"DO UPDATE SET {q('count')} = {table}.{q('count')} + 1 RETURNING {q('count')}"
    )
    params = [key, meta.get_field("window_start").get_db_prep_value(start, connection)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def _count_orm(key: str, start: datetime) -> int:
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
        return int(
            RateCounter.objects.filter(key=key, window_start=start).values_list("count", flat=True)[
                0
            ]
        )


def hit(*, key: str, limit: int, window_seconds: int, now: datetime | None = None) -> int:
    """Count one request for `key`; raise RateLimited past `limit` in the window."""
    now = now or timezone.now()
    start = _window_start(now, window_seconds)
    if connection.features.can_return_columns_from_insert:
        count = _count_upsert(key, start)
    else:  # an SQLite older than 3.35: update, else insert, then read
        count = _count_orm(key, start)
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
