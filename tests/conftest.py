from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from pytest_django.plugin import blocking_manager_key

from tests.factories import World, make_world

# Properties are checked on their examples, never on the clock: Hypothesis's per-example
# deadline and its "input generation is slow" check fail a property on a loaded 2-core CI
# machine (a single date draw took 1.2 s there while two suites ran).
settings.register_profile("openspm", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("openspm")

# Module- or class-scoped fixtures that take `django_db_blocker` and commit rows their tests
# share (tests/demo's demo companies); set up now and not yet finalized.
_shared_db_fixtures: set[pytest.FixtureDef[object]] = set()


def _commits_shared_rows(fixturedef: pytest.FixtureDef[object]) -> bool:
    return fixturedef.scope in ("package", "module", "class") and (
        "django_db_blocker" in fixturedef.argnames
    )


def pytest_fixture_post_finalizer(fixturedef: pytest.FixtureDef[object]) -> None:
    _shared_db_fixtures.discard(fixturedef)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[object]) -> Generator[None, object, object]:
    result = yield
    if _commits_shared_rows(fixturedef):
        _shared_db_fixtures.add(fixturedef)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, None, None]:
    """Fail the test that leaves rows in the job queue or the rate limiter's counters after its
    database was rolled back or flushed (and after the module fixtures it ended were deleted):
    the next tests would see them. Then delete them, so only the culprit fails."""
    yield
    if nextitem is None or _shared_db_fixtures:  # the database is gone, or rows still shared
        return
    if "django_db_setup" not in getattr(item, "fixturenames", ()):
        return
    from django_tasks_db.models import DBTaskResult

    from openspm.referrals.models import RateCounter

    with item.config.stash[blocking_manager_key].unblock():
        left = {m.__name__: m.objects.count() for m in (DBTaskResult, RateCounter)}
        if not any(left.values()):
            return
        for model in (DBTaskResult, RateCounter):
            model.objects.all().delete()
    pytest.fail(
        f"{item.nodeid} left rows that later tests would see: {left}. Rows committed outside "
        "the test's rolled-back transaction (a module fixture's, another thread's or "
        "process's) must be deleted by whoever committed them",
        pytrace=False,
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    # Argon2 is the production hasher (tests/core checks it); tests hash thousands of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _run_archive_per_test(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    # Run ids restart at 1 in every test database: each test keeps its archives apart.
    settings.RUN_ARCHIVE_DIR = tmp_path / "runs"  # type: ignore[attr-defined]


@pytest.fixture
def world(db: None) -> World:
    return make_world()
