from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.db import models, transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from openspm.core.models import User
from openspm.demo import services as demo_services
from openspm.demo.generate.logins import DEMO_USERNAMES
from openspm.demo.services import DemoResult
from openspm.org.models import FiscalCalendar, Period
from openspm.referrals.models import RateCounter
from openspm.sales.models import Currency

AS_OF = date(2026, 11, 24)
SCALE = Decimal("0.02")  # the shared company read-only tests look at
TINY = Decimal("0.005")  # companies generated in a test: the smallest that keeps every feature
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def _load(
    *,
    seed: int = 42,
    reset: bool = False,
    as_of: date | None = AS_OF,
    scale: Decimal = SCALE,
    pay: bool = False,
) -> DemoResult:
    """The demo company; without its paid quarters unless `pay` (test_payouts.py has them)."""
    steps: list[tuple[str, int]] = []
    return demo_services.load_demo(
        seed=seed,
        scale=scale,
        as_of=as_of,
        reset=reset,
        progress=lambda step, n: steps.append((step, n)),
        pay=pay,
    )


Generate = Callable[..., DemoResult]


@pytest.fixture
def generate(db: None) -> Generate:
    """Generate a tiny demo company, as of AS_OF unless told otherwise."""
    return partial(_load, scale=TINY)


@pytest.fixture
def as_of() -> date:
    """The day the test company is generated as of."""
    return AS_OF


# Rows a committed demo company leaves that `clear_demo_data` does not remove: reference data
# (periods, currencies) and what the demo's services wrote beside it (the jobs they queued, the
# rate limiter's counters of the referral submissions).
KEPT: tuple[type[models.Model], ...] = (Currency, Period, FiscalCalendar, DBTaskResult, RateCounter)


def snapshot_kept() -> dict[type[models.Model], set[Any]]:
    """The primary keys of the KEPT tables before a shared demo company is committed."""
    return {m: set(m.objects.values_list("pk", flat=True)) for m in KEPT}


def delete_demo_company(before: dict[type[models.Model], set[Any]]) -> None:
    """Delete a committed demo company and every row it added to the KEPT tables, so the tests
    after a module's shared company start from the database they would have without it."""
    with transaction.atomic():
        demo_services.clear_demo_data()
        User.objects.filter(username__in=DEMO_USERNAMES).delete()
        for model, pks in before.items():
            model.objects.exclude(pk__in=pks).delete()
            history = getattr(model, "history", None)
            if history is not None:
                history.exclude(**{f"{model._meta.pk.attname}__in": pks}).delete()


@pytest.fixture(scope="module")
def company(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoResult]:
    """One demo company shared by a module's read-only tests: generated and committed once,
    then deleted with everything it created (periods and currencies included)."""
    with django_db_blocker.unblock():
        assert not demo_services.existing_data(), "the test database should be empty"
        before = snapshot_kept()
        with override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
            result = _load()
    yield result
    with django_db_blocker.unblock():
        delete_demo_company(before)
