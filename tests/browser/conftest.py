"""Playwright (sync API) driving Debian's chromium against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import Group

from openspm.core.roles import Role
from tests.factories import PASSWORD, World, make_world

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run beside
# one unless told that the test owns the thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # noqa: TID251

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the browser tests, and run every transactional test last (after pytest-randomly's
    shuffle), as Django does: their flush empties every table, the role groups included."""
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: "transactional_db" in getattr(item, "fixturenames", ()))


@pytest.fixture(autouse=True)
def _static_root(settings, tmp_path_factory):  # type: ignore[no-untyped-def]
    # Whitenoise warns (an error under filterwarnings=error) when STATIC_ROOT does not exist.
    settings.STATIC_ROOT = tmp_path_factory.getbasetemp() / "static"
    settings.STATIC_ROOT.mkdir(exist_ok=True)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(django_db_setup, chromium, live_server) -> Iterator[object]:  # type: ignore[no-untyped-def]
    # django_db_setup first, so the test database outlives the live server's connections.
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1360, "height": 860}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _ensure_roles() -> None:
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@pytest.fixture
def browser_world(transactional_db: None) -> World:
    """The `world` company, committed so the live server sees it. The role groups come from a
    data migration, which an earlier transactional test's flush may have emptied."""
    _ensure_roles()
    return make_world()


@pytest.fixture
def sign_in(page, browser_world: World) -> Callable[[str], object]:  # type: ignore[no-untyped-def]
    def _sign_in(username: str) -> object:
        page.goto("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_test_id("whoami").wait_for()
        return page

    return _sign_in
