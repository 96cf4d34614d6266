"""Login, role navigation, logout, HTMX filtering and an import with row errors, in chromium."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from openspm.org.models import Person
from openspm.org.selectors import today
from openspm.org.services import ensure_fiscal_year
from tests.factories import PASSWORD, World, make_quota, make_transaction

pytestmark = pytest.mark.browser


def _nav(page: Page) -> list[str]:
    return [text.strip() for text in page.get_by_test_id("mainnav").locator("a").all_inner_texts()]


def test_login_with_a_wrong_then_the_right_password(page: Page, browser_world: World) -> None:
    page.goto("/")
    expect(page).to_have_url("/login/?next=/")
    page.get_by_label("Username").fill("rep1")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("didn't match")
    expect(page.get_by_label("Username")).to_have_value("rep1")
    expect(page.get_by_label("Password")).to_have_value("")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("whoami")).to_contain_text("Rep")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Rep1")


def test_rep_navigation_has_no_people_import_or_audit(
    page: Page, sign_in: Callable[[str], Page]
) -> None:
    sign_in("rep1")
    labels = _nav(page)
    assert "Transactions" in labels
    assert not {"People", "Hierarchy", "Import", "Audit"} & set(labels)
    page.get_by_test_id("mainnav").get_by_role("link", name="Transactions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transactions")
    response = page.goto("/org/people/")
    assert response is not None
    assert response.status == 403


def test_comp_admin_navigation_and_clicking_through(
    page: Page, sign_in: Callable[[str], Page], browser_world: World
) -> None:
    sign_in("compadmin")
    labels = _nav(page)
    assert {"People", "Hierarchy", "Import", "Transactions", "Quotas"} <= set(labels)
    assert "Audit" not in labels
    nav = page.get_by_test_id("mainnav")
    nav.get_by_role("link", name="People").click()
    expect(page.get_by_test_id("people-table")).to_contain_text("Rep1 Test")
    page.get_by_role("link", name="Rep1 Test").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rep1 Test")
    expect(page.get_by_test_id("manager-chain")).to_contain_text("Manager1 Test")
    nav.get_by_role("link", name="Hierarchy").click()
    expect(page.get_by_test_id("hierarchy-table")).to_contain_text("Vp Test")
    nav.get_by_role("link", name="Import").click()
    expect(page.get_by_test_id("import-form")).to_be_visible()


def test_people_search_filters_in_place_with_htmx(
    page: Page, sign_in: Callable[[str], Page]
) -> None:
    sign_in("admin")
    page.goto("/org/people/")
    table = page.get_by_test_id("people-table")
    expect(table.locator("tbody tr")).to_have_count(6)
    page.evaluate("window.__same_page = true")
    page.get_by_label("Search").fill("manager")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(page).to_have_url("/org/people/?q=manager")
    assert page.evaluate("window.__same_page") is True  # swapped in place, not reloaded


def test_logout(page: Page, sign_in: Callable[[str], Page]) -> None:
    sign_in("manager1")
    page.get_by_test_id("logout").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.goto("/sales/transactions/")
    expect(page).to_have_url("/login/?next=/sales/transactions/")


def test_a_bad_import_shows_its_row_errors_and_writes_nothing(
    page: Page, sign_in: Callable[[str], Page]
) -> None:
    before = Person.objects.count()
    sign_in("compadmin")
    page.goto("/imports/")
    page.get_by_label("What").select_option("people")
    page.get_by_label("File").set_input_files(
        {
            "name": "people.csv",
            "mimeType": "text/csv",
            "buffer": (
                b"external_id,first_name,last_name,currency,hired_on\n"
                b"E-1,Ada,Lovelace,USD,not-a-date\n"
                b"E-2,Bob,Moore,ZZZ,2025-01-01\n"
            ),
        }
    )
    page.get_by_role("button", name="Check file").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text("ZZZ")
    rows = errors.get_by_test_id("import-error-row")
    assert {rows.nth(i).get_attribute("data-row") for i in range(rows.count())} == {"2", "3"}
    expect(page.get_by_test_id("import-invalid")).to_contain_text("Nothing was written")
    assert Person.objects.count() == before


def test_screenshots_of_home_and_lists(
    page: Page, sign_in: Callable[[str], Page], browser_world: World
) -> None:
    """Pages with data, saved to /tmp for a human look (make browser leaves them there)."""
    people = browser_world.people
    on = today()
    ensure_fiscal_year(fiscal_year=on.year)
    quarter_start = date(on.year, (on.month - 1) // 3 * 3 + 1, 1)
    for n, name in enumerate(("rep1", "rep2", "rep3")):
        make_quota(
            person=people[name],
            period_key=f"{on.year}-Q{(on.month - 1) // 3 + 1}",
            amount=Decimal(50_000 + 10_000 * n),
        )
        for k in range(4):
            make_transaction(
                owner=people[name],
                amount=Decimal(4_250 * (k + 1) + 1_000 * n),
                booked_on=quarter_start,
            )
    sign_in("manager1")
    expect(page.get_by_test_id("report-table")).to_contain_text("Rep1 Test")
    page.screenshot(path="/tmp/openspm-home-manager.png", full_page=True)
    page.get_by_test_id("logout").click()
    sign_in("admin")
    page.screenshot(path="/tmp/openspm-home-admin.png", full_page=True)
    page.goto("/sales/transactions/")
    page.screenshot(path="/tmp/openspm-transactions.png", full_page=True)
    page.goto("/audit/")
    expect(page.get_by_test_id("audit-table")).to_be_visible()
    page.screenshot(path="/tmp/openspm-audit.png", full_page=True)
