from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import World, make_world


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
