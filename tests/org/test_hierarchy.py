from __future__ import annotations

from datetime import date

import pytest

from openspm.core.errors import InvalidInput, PermissionDenied
from openspm.org import selectors, services
from openspm.org.models import Period, ReportingLine
from tests.factories import World, make_person


@pytest.mark.django_db
class TestSetManager:
    def test_move_mid_period_keeps_history(self, world: World) -> None:
        rep1, m1, m2 = (world.people[n] for n in ("rep1", "manager1", "manager2"))
        services.set_manager(
            actor=world.users["compadmin"], person=rep1, manager=m2, on=date(2026, 2, 15)
        )
        assert selectors.get_manager(person_id=rep1.pk, on=date(2026, 2, 14)) == m1
        assert selectors.get_manager(person_id=rep1.pk, on=date(2026, 2, 15)) == m2
        lines = list(ReportingLine.objects.filter(person=rep1).order_by("effective_from"))
        assert [(line.manager_id, line.effective_to) for line in lines] == [
            (m1.pk, date(2026, 2, 15)),
            (m2.pk, None),
        ]

    def test_subordinates_follow_the_date(self, world: World) -> None:
        rep1, m2 = world.people["rep1"], world.people["manager2"]
        services.set_manager(
            actor=world.users["admin"], person=rep1, manager=m2, on=date(2026, 2, 15)
        )
        m1 = world.people["manager1"]
        assert rep1.pk in selectors.subordinate_ids(manager_id=m1.pk, on=date(2026, 2, 1))
        assert rep1.pk not in selectors.subordinate_ids(manager_id=m1.pk, on=date(2026, 3, 1))
        vp_team = selectors.subordinate_ids(manager_id=world.people["vp"].pk, on=date(2026, 3, 1))
        assert rep1.pk in vp_team

    def test_rejects_a_loop(self, world: World) -> None:
        vp, rep1 = world.people["vp"], world.people["rep1"]
        with pytest.raises(InvalidInput, match="loop"):
            services.set_manager(
                actor=world.users["admin"], person=vp, manager=rep1, on=date(2026, 1, 1)
            )
        assert not ReportingLine.objects.filter(person=vp).exists()

    def test_rejects_self(self, world: World) -> None:
        rep1 = world.people["rep1"]
        with pytest.raises(InvalidInput):
            services.set_manager(
                actor=world.users["admin"], person=rep1, manager=rep1, on=date(2026, 1, 1)
            )

    def test_rejects_rewriting_a_later_change(self, world: World) -> None:
        rep1, m2 = world.people["rep1"], world.people["manager2"]
        services.set_manager(
            actor=world.users["admin"], person=rep1, manager=m2, on=date(2026, 6, 1)
        )
        with pytest.raises(InvalidInput, match="after"):
            services.set_manager(
                actor=world.users["admin"], person=rep1, manager=m2, on=date(2026, 3, 1)
            )

    def test_reps_may_not_change_the_hierarchy(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            services.set_manager(
                actor=world.users["rep1"],
                person=world.people["rep1"],
                manager=world.people["manager2"],
                on=date(2026, 2, 1),
            )
        assert ReportingLine.objects.filter(person=world.people["rep1"]).count() == 1


@pytest.mark.django_db
class TestVisibility:
    @pytest.mark.parametrize(
        ("viewer", "expected"),
        [
            ("rep1", {"rep1"}),
            ("manager1", {"manager1", "rep1", "rep2"}),
            ("manager2", {"manager2", "rep3"}),
            ("vp", {"vp", "manager1", "manager2", "rep1", "rep2", "rep3"}),
            ("partner", set()),
        ],
    )
    def test_scoped_roles(self, world: World, viewer: str, expected: set[str]) -> None:
        ids = selectors.visible_person_ids(viewer=world.users[viewer])
        assert ids == {world.people[name].pk for name in expected}

    @pytest.mark.parametrize("viewer", ["admin", "compadmin", "finance"])
    def test_see_all_roles(self, world: World, viewer: str) -> None:
        make_person()
        assert selectors.visible_person_ids(viewer=world.users[viewer]) is None
        assert selectors.list_people(viewer=world.users[viewer]).count() == 7

    def test_a_rep_without_a_person_sees_nobody(self, world: World) -> None:
        from openspm.core.roles import Role
        from tests.factories import make_user

        assert selectors.visible_person_ids(viewer=make_user(role=Role.REP)) == set()

    def test_guessing_another_person_is_not_found(self, world: World) -> None:
        from openspm.core.errors import NotFound

        with pytest.raises(NotFound):
            selectors.get_person(viewer=world.users["rep1"], person_id=world.people["rep2"].pk)


@pytest.mark.django_db
class TestEnsureFiscalYear:
    def test_idempotent(self) -> None:
        first = services.ensure_fiscal_year(fiscal_year=2026)
        second = services.ensure_fiscal_year(fiscal_year=2026)
        assert [p.key for p in first] == [p.key for p in second]
        assert Period.objects.count() == 17

    def test_period_containing(self) -> None:
        services.ensure_fiscal_year(fiscal_year=2026)
        found = selectors.get_period_containing(on=date(2026, 5, 5), kind="quarter")
        assert found is not None
        assert found.key == "2026-Q2"
