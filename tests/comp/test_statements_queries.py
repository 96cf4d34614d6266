"""Statement and My pay pages: the number of queries does not grow with the number of lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from openspm.comp.models import EarningLine
from tests.comp.test_mypay import this_quarter
from tests.comp.test_statements import client_as
from tests.factories import World

# Measured, and the same for 5 and 50 deals: session, user, role, scope, period, run, one query
# per kind of line, adjustments, disputes, acknowledgement, the plan versions the viewer sees.
STATEMENT_QUERIES = 18
PDF_QUERIES = 20  # as a manager: the team's hierarchy too
LINE_QUERIES = 15
LIST_QUERIES = 12
MY_PAY_QUERIES = 16


@pytest.mark.django_db
@pytest.mark.parametrize("deals", [5, 50])
class TestQueryCounts:
    def test_statement_page(
        self, world: World, deals: int, django_assert_max_num_queries: Callable[..., Any]
    ) -> None:
        quarter = this_quarter(world, deals=deals)
        lines = EarningLine.objects.filter(person=world.people["rep1"])
        assert sum(lines.values_list("line_count", flat=True)) >= deals  # deals summed per tier
        client = client_as(world, "rep1")
        url = reverse("comp:statement", args=[world.people["rep1"].pk, quarter.key])
        with django_assert_max_num_queries(STATEMENT_QUERIES):
            response = client.get(url)
        assert response.status_code == 200

    def test_statement_pdf(
        self, world: World, deals: int, django_assert_max_num_queries: Callable[..., Any]
    ) -> None:
        quarter = this_quarter(world, deals=deals)
        client = client_as(world, "manager1")
        url = reverse("comp:statement_pdf", args=[world.people["rep1"].pk, quarter.key])
        with django_assert_max_num_queries(PDF_QUERIES):
            response = client.get(url)
        assert response.content.startswith(b"%PDF")

    def test_line_drill_down(
        self, world: World, deals: int, django_assert_max_num_queries: Callable[..., Any]
    ) -> None:
        this_quarter(world, deals=deals)
        line = EarningLine.objects.filter(person=world.people["rep1"]).order_by("-line_count")[0]
        assert line.line_count >= deals // 2  # the deals of one tier, with their credits
        client = client_as(world, "rep1")
        with django_assert_max_num_queries(LINE_QUERIES):
            response = client.get(reverse("comp:statement_line", args=[line.pk]))
        assert response.status_code == 200
        assert len(response.context["trace"].deals) == line.line_count

    def test_statement_list(
        self, world: World, deals: int, django_assert_max_num_queries: Callable[..., Any]
    ) -> None:
        this_quarter(world, deals=deals)
        client = client_as(world, "finance")
        with django_assert_max_num_queries(LIST_QUERIES):
            response = client.get(reverse("comp:statements"))
        assert len(response.context["statements"]) == 2

    def test_my_pay_page(
        self, world: World, deals: int, django_assert_max_num_queries: Callable[..., Any]
    ) -> None:
        this_quarter(world, deals=deals)
        client = client_as(world, "rep1")
        with django_assert_max_num_queries(MY_PAY_QUERIES):
            response = client.get(reverse("comp:my_pay"))
        assert response.context["pay"].periods
