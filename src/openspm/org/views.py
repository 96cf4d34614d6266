"""Organisation pages: people, the hierarchy on any date, teams and fiscal periods."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openspm.core.access import Viewer, require_internal, role_of
from openspm.core.errors import PermissionDenied
from openspm.core.roles import SEE_ALL_ROLES, Role
from openspm.org import selectors
from openspm.org.forms import HierarchyFilterForm, PeopleFilterForm, PeriodFilterForm
from openspm.org.models import Person

PAGE_SIZE = 50
_PEOPLE_ROLES = SEE_ALL_ROLES | {Role.MANAGER}


def _require_people_role(viewer: Viewer) -> None:
    if role_of(viewer) not in _PEOPLE_ROLES:
        raise PermissionDenied("Only managers, finance and administrators see the people lists.")


def _page_or_partial(
    request: HttpRequest, page: str, partial: str, context: dict[str, object]
) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    template = partial if htmx and not htmx.boosted else page
    return render(request, template, context)


@login_required
def people(request: HttpRequest) -> HttpResponse:
    _require_people_role(request.user)
    form = PeopleFilterForm(request.GET or None)
    search, active = "", False
    if form.is_valid():
        search, active = form.cleaned_data["q"], form.cleaned_data["active"]
    qs = selectors.list_people(
        viewer=request.user, search=search, active_on=selectors.today() if active else None
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page_or_partial(
        request,
        "org/people.html",
        "org/_people.html",
        {"form": form, "page": page, "people": list(page.object_list)},
    )


@dataclass
class TreeNode:
    person: Person
    children: list[TreeNode] = field(default_factory=list)


def _build_tree(people: list[Person], managers: dict[int, int]) -> list[TreeNode]:
    nodes = {p.pk: TreeNode(p) for p in people}
    roots: list[TreeNode] = []
    for person in people:
        boss = managers.get(person.pk)
        if boss in nodes and boss != person.pk:
            nodes[boss].children.append(nodes[person.pk])
        else:
            roots.append(nodes[person.pk])
    return roots


def _flatten(roots: list[TreeNode]) -> list[tuple[int, Person, int]]:
    """(depth, person, number of direct reports) in tree order, for an indented table."""
    rows: list[tuple[int, Person, int]] = []
    stack = [(0, node) for node in reversed(roots)]
    while stack:
        depth, node = stack.pop()
        rows.append((depth, node.person, len(node.children)))
        stack.extend((depth + 1, child) for child in reversed(node.children))
    return rows


@login_required
def hierarchy(request: HttpRequest) -> HttpResponse:
    _require_people_role(request.user)
    form = HierarchyFilterForm(request.GET or None)
    on: date = selectors.today()
    if form.is_valid() and form.cleaned_data["on"]:
        on = form.cleaned_data["on"]
    people = list(selectors.list_people(viewer=request.user, active_on=on))
    lines = selectors.list_reporting_lines(viewer=request.user, on=on)
    managers = {line.person_id: line.manager_id for line in lines}
    rows = _flatten(_build_tree(people, managers))
    return _page_or_partial(
        request,
        "org/hierarchy.html",
        "org/_hierarchy.html",
        {"form": form, "on": on, "rows": rows, "people": [row[1] for row in rows]},
    )


@login_required
def teams(request: HttpRequest) -> HttpResponse:
    require_internal(request.user)
    today = selectors.today()
    team_list = list(selectors.list_teams(viewer=request.user))
    members: dict[int, list[Person]] = defaultdict(list)
    memberships = (
        selectors.list_team_memberships(viewer=request.user)
        .filter(effective_from__lte=today)
        .exclude(effective_to__lte=today)
    )
    for membership in memberships.filter(team_id__in=[t.pk for t in team_list]):
        members[membership.team_id].append(membership.person)
    rows = [(team, members.get(team.pk, [])) for team in team_list]
    return render(request, "org/teams.html", {"teams": team_list, "rows": rows, "today": today})


@login_required
def periods(request: HttpRequest) -> HttpResponse:
    require_internal(request.user)
    form = PeriodFilterForm(request.GET or None)
    kind, fiscal_year = "", None
    if form.is_valid():
        kind, fiscal_year = form.cleaned_data["kind"], form.cleaned_data["fiscal_year"]
    period_list = list(selectors.list_periods(kind=kind or None, fiscal_year=fiscal_year))
    return _page_or_partial(
        request,
        "org/periods.html",
        "org/_periods.html",
        {
            "form": form,
            "periods": period_list,
            "calendar": selectors.get_calendar(),
            "today": selectors.today(),
        },
    )
