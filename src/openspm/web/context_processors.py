from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from openspm.core.access import role_of
from openspm.web.navigation import items_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """The menu for the signed-in user's role; items whose page does not exist yet are skipped."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "viewer_role": None}
    role = role_of(user)
    items = []
    for item in items_for(role):
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "active": request.path == url})
    return {"nav_items": items, "viewer_role": role}
