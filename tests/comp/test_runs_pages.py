"""The runs pages and the simulation page: what they show and what their buttons do."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from openspm.comp.models import CalcRun, PayoutLine
from openspm.comp.services import calc
from openspm.org.selectors import get_period
from openspm.org.services import ensure_fiscal_year
from tests.comp.factories import glossary_quarter, publish_ae_plan
from tests.comp.test_simulate import draft_with_top_rate
from tests.factories import World

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _static_from_finders(settings: Any) -> None:
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_USE_FINDERS = True


@pytest.fixture
def login(world: World) -> Callable[[str], Client]:
    def client_for(name: str) -> Client:
        client = Client()
        client.force_login(world.users[name])
        return client

    return client_for


def succeeded_run(world: World) -> CalcRun:
    publish_ae_plan(world)
    glossary_quarter(world)
    run = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
    run = calc.execute_run(run_id=run.pk)
    assert run.status == "succeeded", run.error
    return run


@pytest.mark.django_db
class TestRunList:
    def test_lists_runs_with_a_start_form_for_comp_admins(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        run = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
        response = login("compadmin").get(reverse("comp:runs"))
        assert response.status_code == 200
        assert response.context["runs"] == [run]
        assert response.context["can_start"] is True
        assert b'data-testid="start-run"' in response.content

    def test_finance_sees_runs_but_cannot_start_one(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        response = login("finance").get(reverse("comp:runs"))
        assert response.status_code == 200
        assert b'data-testid="start-run"' not in response.content

    def test_filters_by_period(self, world: World, login: Callable[[str], Client]) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
        q2 = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q2")
        response = login("admin").get(reverse("comp:runs"), {"period": "2026-Q2"})
        assert response.context["runs"] == [q2]

    def test_query_count_does_not_grow_with_runs(
        self, world: World, login: Callable[[str], Client], django_assert_max_num_queries: Any
    ) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        client = login("admin")
        calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
        with django_assert_max_num_queries(12) as few:
            client.get(reverse("comp:runs"))
        for key in ("2026-Q2", "2026-Q3", "2026-M01", "2026-M02"):
            calc.request_run(actor=world.users["compadmin"], period_key=key)
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(reverse("comp:runs"))


@pytest.mark.django_db
class TestStartRun:
    def test_queues_a_run_and_shows_it(self, world: World, login: Callable[[str], Client]) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        response = login("compadmin").post(reverse("comp:start_run"), {"period": "2026-Q1"})
        run = CalcRun.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("comp:run", args=[run.pk])
        assert (run.trigger, run.status, run.requested_by) == (
            "ui",
            "queued",
            world.users["compadmin"],
        )

    def test_a_second_run_while_one_is_active_says_why(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        active = calc.request_run(actor=world.users["admin"], period_key="2026-Q1")
        client = login("compadmin")
        response = client.post(reverse("comp:start_run"), {"period": "2026-Q1"}, follow=True)
        assert CalcRun.objects.count() == 1
        shown = [str(m) for m in response.context["messages"]]
        assert shown == [f"Run {active.pk} of 2026-Q1 is queued; wait for it to finish."]
        assert response.context["runs"] == [active]

    def test_finance_may_not_start_a_run(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        response = login("finance").post(reverse("comp:start_run"), {"period": "2026-Q1"})
        assert response.status_code == 403
        assert not CalcRun.objects.exists()


@pytest.mark.django_db
class TestRunDetail:
    def test_a_succeeded_run_shows_inputs_plans_totals_and_payees(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        run = succeeded_run(world)
        response = login("finance").get(reverse("comp:run", args=[run.pk]))
        assert response.status_code == 200
        payees = [
            (p.external_id, p.amount, p.currency, url) for p, url in response.context["payees"]
        ]
        rep1, rep2 = world.people["rep1"].pk, world.people["rep2"].pk
        assert payees == [
            ("REP1", Decimal("16000.00"), "USD", f"/comp/statements/{rep1}/2026-Q1/"),
            ("REP2", Decimal("2500.00"), "USD", f"/comp/statements/{rep2}/2026-Q1/"),
        ]
        [usd] = response.context["totals"]
        assert (usd.currency, usd.amount, usd.payee_count) == ("USD", Decimal("18500.00"), 2)
        content = response.content.decode()
        assert "18,500.00 USD" in content
        assert run.fingerprint in content
        assert "ae v1" in content
        assert 'data-testid="input-counts"' in content
        assert "hx-trigger" not in content  # finished: no polling
        assert "Reproduce" in content

    def test_query_count_does_not_grow_with_payees(
        self, world: World, login: Callable[[str], Client], django_assert_max_num_queries: Any
    ) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        run = CalcRun.objects.create(
            period=get_period(key="2026-Q1"), status=CalcRun.Status.SUCCEEDED
        )

        def pay(name: str) -> None:
            PayoutLine.objects.create(
                run=run,
                person=world.people[name],
                plan_code="ae",
                plan_version=1,
                period_key="2026-Q1",
                line_type="earning",
                plan_amount=Decimal("100.00"),
                plan_currency="USD",
                amount=Decimal("100.00"),
                currency="USD",
            )

        client = login("finance")
        pay("rep1")
        with django_assert_max_num_queries(15) as few:
            client.get(reverse("comp:run", args=[run.pk]))
        for name in ("rep2", "rep3", "manager1", "manager2"):
            pay(name)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(reverse("comp:run", args=[run.pk]))
        assert len(response.context["payees"]) == 5

    def test_an_active_run_polls_its_progress_every_second(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        run = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
        CalcRun.objects.filter(pk=run.pk).update(
            status="running", progress=40, progress_note="calculating"
        )
        client = login("compadmin")
        page = client.get(reverse("comp:run", args=[run.pk])).content.decode()
        assert 'hx-trigger="every 1s"' in page
        partial = client.get(reverse("comp:run", args=[run.pk]), headers=HTMX)
        assert [t.name for t in partial.templates] == ["comp/runs/_progress.html"]
        assert "40 %" in partial.content.decode()
        assert "calculating" in partial.content.decode()
        assert "HX-Refresh" not in partial

    def test_polling_a_finished_run_refreshes_the_page(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        run = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
        calc.execute_run(run_id=run.pk)
        partial = login("compadmin").get(reverse("comp:run", args=[run.pk]), headers=HTMX)
        assert partial["HX-Refresh"] == "true"
        assert 'hx-trigger="every 1s"' not in partial.content.decode()

    def test_a_failed_run_shows_its_error_and_can_be_retried(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        failed = calc.execute_run(
            run_id=calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1").pk
        )
        client = login("compadmin")
        content = client.get(reverse("comp:run", args=[failed.pk])).content.decode()
        assert "No published plan is assigned to anyone in 2026-Q1." in content
        assert reverse("comp:retry_run", args=[failed.pk]) in content
        response = client.post(reverse("comp:retry_run", args=[failed.pk]))
        retried = CalcRun.objects.exclude(pk=failed.pk).get()
        assert response["Location"] == reverse("comp:run", args=[retried.pk])
        assert (retried.status, retried.period_id) == ("queued", failed.period_id)

    def test_finance_gets_no_retry_button(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        failed = calc.execute_run(
            run_id=calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1").pk
        )
        content = login("finance").get(reverse("comp:run", args=[failed.pk])).content.decode()
        assert reverse("comp:retry_run", args=[failed.pk]) not in content

    def test_reproduce_reports_a_match(self, world: World, login: Callable[[str], Client]) -> None:
        run = succeeded_run(world)
        client = login("compadmin")
        partial = client.post(reverse("comp:reproduce_run", args=[run.pk]), headers=HTMX)
        assert partial.context["matched"] is True
        assert "the fingerprint and every output table" in partial.content.decode()
        full = client.post(reverse("comp:reproduce_run", args=[run.pk]))
        assert full.context["reproduced"]["matched"] is True
        assert full.context["run"] == run

    def test_reproduce_without_the_archive_says_so(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        from openspm.comp import archive

        run = succeeded_run(world)
        archive.delete_archive(run.pk)
        partial = login("compadmin").post(
            reverse("comp:reproduce_run", args=[run.pk]), headers=HTMX
        )
        assert partial.context["matched"] is False
        assert "Not reproduced" in partial.content.decode()


@pytest.mark.django_db
class TestSimulatePage:
    def test_shows_per_payee_and_total_differences(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        published = publish_ae_plan(world)
        glossary_quarter(world)
        draft = draft_with_top_rate(world, published, "0.15")
        client = login("compadmin")
        version_page = client.get(reverse("plans:version", args=[draft.pk])).content.decode()
        assert reverse("comp:simulate", args=[draft.pk]) in version_page

        form = client.get(reverse("comp:simulate", args=[draft.pk]))
        assert form.context["result"] is None
        response = client.get(reverse("comp:simulate", args=[draft.pk]), {"period": "2026-Q1"})
        result = response.context["result"]
        assert [(p.external_id, p.difference) for p in result.payees] == [
            ("REP1", Decimal("1500.00")),
            ("REP2", Decimal(0)),
        ]
        content = response.content.decode()
        assert "17,500.00 USD" in content
        assert "1,500.00 USD" in content
        assert "rate on D2: 0.12 → 0.15" in content

    def test_an_invalid_draft_says_why_on_the_page(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        published = publish_ae_plan(world)
        glossary_quarter(world)
        draft = draft_with_top_rate(world, published, "lots")
        response = login("compadmin").get(
            reverse("comp:simulate", args=[draft.pk]), {"period": "2026-Q1"}
        )
        assert response.status_code == 200
        assert response.context["result"] is None
        assert "rate" in response.context["problem"]
        assert 'data-testid="simulation-error"' in response.content.decode()

    def test_reps_do_not_get_the_simulate_link(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        published = publish_ae_plan(world)
        page = login("rep1").get(reverse("plans:version", args=[published.pk]))
        assert page.status_code == 200
        assert reverse("comp:simulate", args=[published.pk]) not in page.content.decode()
