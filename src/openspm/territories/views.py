"""Territory pages: territories with their rules, named accounts and members."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openspm.core.access import require_internal
from openspm.org import selectors as org_selectors
from openspm.territories import selectors
from openspm.territories.forms import TerritoryFilterForm

PAGE_SIZE = 50


@login_required
def territories(request: HttpRequest) -> HttpResponse:
    require_internal(request.user)
    form = TerritoryFilterForm(request.GET or None)
    region = form.cleaned_data["region"] if form.is_valid() else ""
    qs = selectors.list_territories(viewer=request.user, region=region)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "territories": list(page.object_list)}
    htmx = getattr(request, "htmx", None)
    template = (
        "territories/_territories.html" if htmx and not htmx.boosted else "territories/list.html"
    )
    return render(request, template, context)


@login_required
def territory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_internal(request.user)
    territory = selectors.get_territory(viewer=request.user, territory_id=pk)
    visible = org_selectors.visible_person_ids(viewer=request.user)
    today = org_selectors.today()
    members = [
        (m, m.effective_from <= today and (m.effective_to is None or m.effective_to > today))
        for m in territory.members.all()
        if visible is None or m.person_id in visible
    ]
    return render(
        request,
        "territories/detail.html",
        {
            "territory": territory,
            "rules": list(territory.rules.all()),
            "named_accounts": list(
                selectors.list_named_accounts(viewer=request.user, territory_id=territory.pk)
            ),
            "members": members,
        },
    )
