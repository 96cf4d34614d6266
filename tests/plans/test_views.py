from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from openspm.plans import services
from openspm.plans.documents import check_document
from openspm.plans.models import PlanAcceptance, PlanVersion
from openspm.plans.tutorial import STARTER_PLAN
from tests.factories import World
from tests.plans.factories import make_published_plan, plan_text


def client_for(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def test_starter_plan_is_valid() -> None:
    text = STARTER_PLAN.format(code="new_plan", name="New plan")
    assert check_document(text, code="new_plan", number=1) == []


@pytest.mark.django_db
class TestPlanPages:
    def test_comp_admin_creates_a_plan_from_the_starter(self, world: World) -> None:
        client = client_for(world, "compadmin")
        response = client.post(
            reverse("plans:plans"),
            {"code": "ae_2026", "name": "AE 2026", "effective_from": "2026-01-01"},
        )
        version = PlanVersion.objects.get(plan__code="ae_2026")
        assert response.status_code == 302
        assert response["Location"] == reverse("plans:version", args=[version.pk])
        page = client.get(response["Location"])
        assert page.context["editable"] is True
        assert page.context["issues"] == []

    def test_validation_partial_reports_lines(self, world: World) -> None:
        client = client_for(world, "compadmin")
        draft = services.create_plan(
            actor=world.users["compadmin"],
            code="ae",
            name="AE",
            text=plan_text(),
            effective_from=date(2026, 1, 1),
        )
        response = client.post(
            reverse("plans:validate", args=[draft.pk]),
            {"text": plan_text().replace("measure: bookings", "measure: nothing")},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        issues = response.context["issues"]
        assert [i.line for i in issues] == [12]
        assert b'data-line="12"' in response.content

    def test_save_and_submit_then_approve_in_the_browser_flow(self, world: World) -> None:
        author = client_for(world, "compadmin")
        draft = services.create_plan(
            actor=world.users["compadmin"],
            code="ae",
            name="AE",
            text=plan_text(),
            effective_from=date(2026, 1, 1),
        )
        url = reverse("plans:version", args=[draft.pk])
        author.post(
            url, {"text": plan_text(rate="0.07"), "effective_from": "2026-01-01", "submit": "1"}
        )
        draft.refresh_from_db()
        assert draft.status == "pending"
        assert "rate: 0.07" in draft.text
        finance = client_for(world, "finance")
        assert finance.get(reverse("plans:plans")).context["pending"].count() == 1
        finance.post(reverse("plans:decide", args=[draft.pk]), {"approve": "1", "comment": "ok"})
        draft.refresh_from_db()
        assert draft.status == "published"

    def test_reps_cannot_see_drafts_or_other_plans(self, world: World) -> None:
        draft = services.create_plan(
            actor=world.users["compadmin"],
            code="ae",
            name="AE",
            text=plan_text(),
            effective_from=date(2026, 1, 1),
        )
        client = client_for(world, "rep1")
        assert client.get(reverse("plans:version", args=[draft.pk])).status_code == 404
        assert client.get(reverse("plans:detail", args=[draft.plan_id])).status_code == 404
        assert list(client.get(reverse("plans:plans")).context["plans"]) == []
        response = client.post(reverse("plans:validate", args=[draft.pk]), {"text": "x"})
        assert response.status_code == 404

    def test_rep_accepts_their_plan_and_sees_the_diff(self, world: World) -> None:
        v1 = make_published_plan(author=world.users["compadmin"], approver=world.users["finance"])
        services.assign_plan(
            actor=world.users["compadmin"],
            plan_id=v1.plan_id,
            person=world.people["rep1"],
            effective_from=date(2026, 1, 1),
        )
        client = client_for(world, "rep1")
        page = client.get(reverse("plans:version", args=[v1.pk]))
        assert page.status_code == 200
        assert page.context["editable"] is False
        client.post(reverse("plans:accept", args=[v1.pk]))
        assert PlanAcceptance.objects.filter(person=world.people["rep1"]).count() == 1

    def test_diff_page(self, world: World) -> None:
        admin = world.users["compadmin"]
        v1 = make_published_plan(author=admin, approver=world.users["finance"])
        v2 = services.new_draft(actor=admin, plan_id=v1.plan_id)
        response = client_for(world, "compadmin").get(reverse("plans:diff", args=[v1.pk, v2.pk]))
        kinds = [line.kind for line in response.context["lines"]]
        assert kinds.count("added") == 1
        assert kinds.count("removed") == 1


@pytest.mark.django_db
class TestPlanApi:
    def test_create_validate_submit_approve(self, world: World) -> None:
        author = client_for(world, "compadmin")
        created = author.post(
            "/api/v1/plans/plans",
            {"code": "ae", "name": "AE", "text": plan_text(), "effective_from": "2026-01-01"},
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        version_id = created.json()["id"]
        issues = author.post(
            f"/api/v1/plans/versions/{version_id}/validate",
            {"text": plan_text().replace("USD", "usd")},
            content_type="application/json",
        ).json()
        assert issues
        assert issues[0]["line"] == 5
        assert author.post(f"/api/v1/plans/versions/{version_id}/submit").status_code == 200
        refused = author.post(
            f"/api/v1/plans/versions/{version_id}/decision",
            {"approve": True},
            content_type="application/json",
        )
        assert refused.status_code == 409
        approved = client_for(world, "finance").post(
            f"/api/v1/plans/versions/{version_id}/decision",
            {"approve": True},
            content_type="application/json",
        )
        assert approved.json()["status"] == "published"

    def test_rep_gets_404_for_unassigned_plans(self, world: World) -> None:
        v1 = make_published_plan(author=world.users["compadmin"], approver=world.users["finance"])
        client = client_for(world, "rep1")
        assert client.get(f"/api/v1/plans/plans/{v1.plan_id}").status_code == 404
        assert client.get(f"/api/v1/plans/versions/{v1.pk}").status_code == 404
        assert client.get("/api/v1/plans/plans").json()["items"] == []
