"""Reads of quotas, restricted to the payees the viewer may see."""

from __future__ import annotations

from django.db.models import QuerySet

from openspm.core.access import Viewer
from openspm.core.errors import NotFound
from openspm.org import selectors as org_selectors
from openspm.quotas.models import Quota


def list_quotas(
    *, viewer: Viewer, period_key: str = "", person_id: int | None = None, measure: str = ""
) -> QuerySet[Quota]:
    qs = org_selectors.restrict_to_people(
        Quota.objects.select_related("person", "period", "currency"), viewer=viewer
    )
    if period_key:
        qs = qs.filter(period__key=period_key)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if measure:
        qs = qs.filter(measure=measure)
    return qs


def get_quota(*, viewer: Viewer, quota_id: int) -> Quota:
    found = list_quotas(viewer=viewer).filter(pk=quota_id).first()
    if found is None:
        raise NotFound("No such quota.")
    return found
