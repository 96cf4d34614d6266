from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from openspm.core.access import role_of
from openspm.web.navigation import items_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """The menu for the signed-in user's role, grouped in sections; items whose page does not
    exist yet are skipped."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_sections": [], "viewer_role": None}
    role = role_of(user)
    items = []
    sections: list[dict[str, object]] = []
    for item in items_for(role):
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = request.path == url or (url != "/" and request.path.startswith(url))
        entry = {"label": item.label, "url": url, "active": active, "section": item.section}
        items.append(entry)
        if not sections or sections[-1]["title"] != item.section:
            sections.append({"title": item.section, "items": []})
        sections[-1]["items"].append(entry)  # type: ignore[attr-defined]
    return {"nav_items": items, "nav_sections": sections, "viewer_role": role}
