from __future__ import annotations

from datetime import date

import pytest

from openspm.core.errors import InvalidInput, NotFound, PermissionDenied
from openspm.org.models import Team, TeamMembership
from openspm.plans import selectors, services
from openspm.plans.documents import check_document, with_version
from openspm.plans.errors import ApprovalRefused, PlanInvalid, PlanNotEditable
from openspm.plans.models import PlanAcceptance, PlanVersion
from tests.factories import World
from tests.plans.factories import make_published_plan, plan_text


@pytest.mark.django_db
class TestDrafts:
    def test_a_draft_with_problems_is_kept_but_cannot_be_submitted(self, world: World) -> None:
        bad = plan_text().replace("rate: 0.05", "rate: lots")
        draft = services.create_plan(
            actor=world.users["compadmin"],
            code="ae",
            name="AE",
            text=bad,
            effective_from=date(2026, 1, 1),
        )
        assert PlanVersion.objects.get(pk=draft.pk).text == bad
        with pytest.raises(PlanInvalid) as caught:
            services.submit_version(actor=world.users["compadmin"], version_id=draft.pk)
        problems = caught.value.detail
        assert isinstance(problems, list)
        assert problems[0]["line"] == 13
        assert "components[0].rate" in problems[0]["path"]
        assert PlanVersion.objects.get(pk=draft.pk).status == "draft"

    def test_document_must_name_its_plan_and_version(self) -> None:
        issues = check_document(plan_text(code="other", number=3), code="ae", number=1)
        assert {(i.path, i.line) for i in issues} == {("id", 2), ("version", 3)}

    def test_referral_plans_are_not_stored_as_plans(self) -> None:
        text = plan_text().replace("schema_version: 1\n", "schema_version: 1\nkind: referral\n")
        issues = check_document(text, code="ae", number=1)
        assert [(i.path, i.line) for i in issues] == [
            ("kind", text.splitlines().index("kind: referral") + 1)
        ]
        assert "referral program" in issues[0].message

    def test_with_version_rewrites_only_the_top_level_line(self) -> None:
        assert "version: 7\n" in with_version(plan_text(number=1), 7)
        assert with_version("id: x\nname: y\n", 2) == "id: x\nversion: 2\nname: y\n"

    def test_reps_may_not_author(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            services.create_plan(
                actor=world.users["rep1"],
                code="ae",
                name="AE",
                text=plan_text(),
                effective_from=date(2026, 1, 1),
            )


@pytest.mark.django_db
class TestApproval:
    def test_publish_needs_someone_else(self, world: World) -> None:
        author = world.users["compadmin"]
        draft = services.create_plan(
            actor=author, code="ae", name="AE", text=plan_text(), effective_from=date(2026, 1, 1)
        )
        services.submit_version(actor=author, version_id=draft.pk)
        with pytest.raises(ApprovalRefused, match="someone else"):
            services.approve_version(actor=author, version_id=draft.pk)
        with pytest.raises(PermissionDenied):
            services.approve_version(actor=world.users["manager1"], version_id=draft.pk)
        published = services.approve_version(actor=world.users["finance"], version_id=draft.pk)
        assert published.status == "published"
        assert published.decided_by == world.users["finance"]

    def test_published_versions_are_immutable(self, world: World) -> None:
        v1 = make_published_plan(author=world.users["compadmin"], approver=world.users["finance"])
        with pytest.raises(PlanNotEditable):
            services.update_draft(
                actor=world.users["compadmin"], version_id=v1.pk, text=plan_text(rate="0.5")
            )
        assert PlanVersion.objects.get(pk=v1.pk).text == plan_text()

    def test_a_new_version_ends_the_previous_one(self, world: World) -> None:
        admin, finance = world.users["compadmin"], world.users["finance"]
        v1 = make_published_plan(author=admin, approver=finance)
        v2 = services.new_draft(actor=admin, plan_id=v1.plan_id)
        assert v2.number == 2
        assert "version: 2" in v2.text
        services.update_draft(
            actor=admin,
            version_id=v2.pk,
            text=plan_text(number=2, rate="0.06"),
            effective_from=date(2026, 7, 1),
        )
        services.submit_version(actor=admin, version_id=v2.pk)
        services.approve_version(actor=finance, version_id=v2.pk)
        v1.refresh_from_db()
        assert v1.effective_to == date(2026, 7, 1)
        diff = selectors.diff_versions(viewer=admin, old_id=v1.pk, new_id=v2.pk)
        assert [d.text for d in diff if d.kind == "added"] == ["+version: 2", "+    rate: 0.06"]

    def test_reject_needs_a_reason_and_allows_rework(self, world: World) -> None:
        admin = world.users["compadmin"]
        draft = services.create_plan(
            actor=admin, code="ae", name="AE", text=plan_text(), effective_from=date(2026, 1, 1)
        )
        services.submit_version(actor=admin, version_id=draft.pk)
        with pytest.raises(InvalidInput):
            services.reject_version(actor=world.users["finance"], version_id=draft.pk, comment=" ")
        services.reject_version(
            actor=world.users["finance"], version_id=draft.pk, comment="Rate too high"
        )
        again = services.update_draft(actor=admin, version_id=draft.pk, text=plan_text(rate="0.04"))
        assert again.status == "draft"


@pytest.mark.django_db
class TestAssignmentAndVisibility:
    def test_team_and_title_assignments_expand_to_payees(self, world: World) -> None:
        admin = world.users["compadmin"]
        v1 = make_published_plan(author=admin, approver=world.users["finance"])
        team = Team.objects.create(code="west", name="West")
        TeamMembership.objects.create(
            team=team, person=world.people["rep1"], effective_from=date(2026, 2, 1)
        )
        services.assign_plan(
            actor=admin, plan_id=v1.plan_id, team=team, effective_from=date(2026, 1, 1)
        )
        world.people["rep3"].title = "SDR"
        world.people["rep3"].save()
        services.assign_plan(
            actor=admin,
            plan_id=v1.plan_id,
            title="sdr",
            effective_from=date(2026, 1, 1),
            effective_to=date(2026, 4, 1),
        )
        rows = selectors.resolve_assignments(start=date(2026, 1, 1), end=date(2026, 4, 1))
        got = {(r.person_id, r.effective_from, r.effective_to) for r in rows}
        assert got == {
            (world.people["rep1"].pk, date(2026, 2, 1), None),
            (world.people["rep3"].pk, date(2026, 1, 1), date(2026, 4, 1)),
        }

    def test_assignment_needs_exactly_one_target(self, world: World) -> None:
        v1 = make_published_plan(author=world.users["compadmin"], approver=world.users["finance"])
        with pytest.raises(InvalidInput):
            services.assign_plan(
                actor=world.users["compadmin"],
                plan_id=v1.plan_id,
                person=world.people["rep1"],
                title="AE",
                effective_from=date(2026, 1, 1),
            )

    def test_reps_see_only_published_versions_of_their_own_plans(self, world: World) -> None:
        admin = world.users["compadmin"]
        v1 = make_published_plan(author=admin, approver=world.users["finance"])
        other = make_published_plan(author=admin, approver=world.users["finance"], code="sdr")
        services.assign_plan(
            actor=admin,
            plan_id=v1.plan_id,
            person=world.people["rep1"],
            effective_from=date(2026, 1, 1),
        )
        services.new_draft(actor=admin, plan_id=v1.plan_id)
        rep1 = world.users["rep1"]
        assert list(selectors.list_plans(viewer=rep1)) == [v1.plan]
        assert list(selectors.list_versions(viewer=rep1)) == [v1]
        assert list(selectors.list_plans(viewer=world.users["rep2"])) == []
        assert set(selectors.list_plans(viewer=world.users["manager1"])) == {v1.plan}
        with pytest.raises(NotFound):
            selectors.get_plan(viewer=rep1, plan_id=other.plan_id)

    def test_acceptance_records_the_fingerprint_once(self, world: World) -> None:
        admin = world.users["compadmin"]
        v1 = make_published_plan(author=admin, approver=world.users["finance"])
        services.assign_plan(
            actor=admin,
            plan_id=v1.plan_id,
            person=world.people["rep1"],
            effective_from=date(2026, 1, 1),
        )
        first = services.accept_version(actor=world.users["rep1"], version_id=v1.pk)
        again = services.accept_version(actor=world.users["rep1"], version_id=v1.pk)
        assert first.pk == again.pk
        assert first.fingerprint == v1.fingerprint
        with pytest.raises(NotFound):
            services.accept_version(actor=world.users["rep2"], version_id=v1.pk)
        assert PlanAcceptance.objects.count() == 1
