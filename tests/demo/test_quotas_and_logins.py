"""Quarterly quotas for every quota carrier, and a working login for every role."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import authenticate

from openspm.core.access import role_of
from openspm.core.roles import Role
from openspm.demo.services import DemoResult
from openspm.org import selectors as org_selectors
from openspm.org.models import Period, Person, ReportingLine
from openspm.plans.models import PlanAssignment, PlanVersion
from openspm.quotas.models import Quota

pytestmark = pytest.mark.django_db


def quota_carriers() -> set[int]:
    """Everyone but the top of the hierarchy and the people reporting straight to it."""
    everyone = set(Person.objects.values_list("pk", flat=True))
    managed = set(ReportingLine.objects.values_list("person_id", flat=True))
    top = everyone - managed
    directors = set(
        ReportingLine.objects.filter(manager_id__in=top).values_list("person_id", flat=True)
    )
    return everyone - top - directors


@pytest.mark.usefixtures("company")
class TestQuotas:
    def test_every_quota_carrier_has_one_each_quarter_they_work(self) -> None:
        quarters = Period.objects.filter(kind="quarter", fiscal_year__in=(2025, 2026))
        carriers = Person.objects.filter(pk__in=quota_carriers())
        have = set(Quota.objects.values_list("person_id", "period_id"))

        assert quarters.count() == 8
        for quarter in quarters:
            working = carriers.filter(hired_on__lte=quarter.end_on).exclude(
                terminated_on__lte=quarter.start_on
            )
            assert working.exists()
            for person in working:
                assert (person.pk, quarter.pk) in have, (person, quarter)

    def test_only_carriers_have_quotas(self) -> None:
        holders = set(Quota.objects.values_list("person_id", flat=True))

        assert holders <= quota_carriers()

    def test_bookings_quotas_in_the_payee_currency_in_whole_thousands(self) -> None:
        for quota in Quota.objects.select_related("person"):
            assert quota.measure == "bookings"
            assert quota.currency_id == quota.person.currency
            assert quota.amount > 0
            assert quota.amount % 1000 == 0

    def test_a_manager_carries_about_their_team(self, as_of: date) -> None:
        manager = Person.objects.get(user__username="manager")
        period = Period.objects.get(key="2026-Q4")
        team = org_selectors.list_direct_reports(manager_id=manager.pk, on=period.start_on)
        team_total = sum(q.amount for q in Quota.objects.filter(period=period, person__in=team))
        own = Quota.objects.get(period=period, person=manager).amount

        assert team_total * 8 / 10 <= own <= team_total


class TestLogins:
    @pytest.mark.parametrize(
        ("username", "role"),
        [
            ("admin", Role.ADMINISTRATOR),
            ("compadmin", Role.COMP_ADMIN),
            ("finance", Role.FINANCE),
            ("vp", Role.MANAGER),
            ("manager", Role.MANAGER),
            ("rep", Role.REP),
            ("partner", Role.REFERRAL_PARTNER),
        ],
    )
    def test_each_role_logs_in_with_its_printed_password(
        self, company: DemoResult, username: str, role: Role
    ) -> None:
        login = next(login for login in company.logins if login.username == username)
        user = authenticate(username=username, password=login.password)

        assert user is not None
        assert role_of(user) is role
        assert login.password == f"demo-{username}-2026"

    def test_only_the_administrator_is_staff(self, company: DemoResult) -> None:
        admin = authenticate(username="admin", password="demo-admin-2026")
        others = [authenticate(username=x.username, password=x.password) for x in company.logins]

        assert admin is not None
        assert admin.is_superuser
        assert admin.is_staff
        assert [u.username for u in others if u is not None and u.is_staff] == ["admin"]

    @pytest.mark.usefixtures("company")
    def test_payee_logins_are_linked_to_their_people(self) -> None:
        linked = dict(
            Person.objects.filter(user__isnull=False).values_list("user__username", "title")
        )

        assert linked == {
            "vp": "VP of Sales",
            "manager": "Sales Manager",
            "rep": "Account Executive",
        }


@pytest.mark.usefixtures("company")
class TestPlans:
    def test_every_seller_and_manager_title_has_a_published_plan(self, as_of: date) -> None:
        carriers = Person.objects.filter(pk__in=quota_carriers()).employed_on(as_of)
        titles = set(carriers.values_list("title", flat=True))
        assigned = set(
            PlanAssignment.objects.filter(
                plan__versions__status=PlanVersion.Status.PUBLISHED
            ).values_list("title", flat=True)
        )

        assert titles <= assigned

    def test_plans_were_approved_by_someone_other_than_their_author(self) -> None:
        for version in PlanVersion.objects.select_related("author", "decided_by"):
            assert version.author.username == "compadmin"
            assert version.decided_by.username == "admin"
            assert version.effective_from == date(2025, 1, 1)
