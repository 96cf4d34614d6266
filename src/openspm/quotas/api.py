"""Quota endpoints: a goal per person, period and measure.

Reads go through `quotas.selectors` (the viewer's scope; a row outside it is a 404), writes
through `quotas.services` (only administrators and comp admins may write: 403).
"""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from openspm.core.access import require_edit
from openspm.core.errors import InvalidInput
from openspm.org import selectors as org_selectors
from openspm.quotas import selectors, services
from openspm.quotas.models import Quota
from openspm.quotas.schemas import QuotaIn, QuotaOut, QuotaPatch

router = Router(tags=["quotas"])


def _period_id(key: str) -> int:
    period_id = org_selectors.list_periods().filter(key=key).values_list("pk", flat=True).first()
    if period_id is None:
        raise InvalidInput("Invalid input.", detail={"period": [f"No period {key!r}."]})
    return period_id


@router.get("", response=list[QuotaOut])
@paginate
def list_quotas(
    request: HttpRequest, period: str = "", person_id: int | None = None, measure: str = ""
) -> QuerySet[Quota]:
    qs = selectors.list_quotas(
        viewer=request.user, period_key=period, person_id=person_id, measure=measure
    )
    return qs.order_by("period__start_on", "-period__end_on", "person_id", "measure", "pk")


@router.get("/{quota_id}", response=QuotaOut)
def get_quota(request: HttpRequest, quota_id: int) -> Quota:
    return selectors.get_quota(viewer=request.user, quota_id=quota_id)


@router.post("", response={201: QuotaOut})
def create_quota(request: HttpRequest, payload: QuotaIn) -> tuple[int, Quota]:
    require_edit(request.user)
    quota = Quota(
        person_id=payload.person_id,
        period_id=_period_id(payload.period),
        measure=payload.measure,
        amount=payload.amount,
        currency_id=payload.currency,
    )
    quota = services.save_quota(actor=request.user, quota=quota)
    return 201, selectors.get_quota(viewer=request.user, quota_id=quota.pk)


@router.patch("/{quota_id}", response=QuotaOut)
def update_quota(request: HttpRequest, quota_id: int, payload: QuotaPatch) -> Quota:
    quota = selectors.get_quota(viewer=request.user, quota_id=quota_id)
    changes = payload.model_dump(exclude_unset=True)
    if "currency" in changes:
        quota.currency_id = changes.pop("currency")
    for field, value in changes.items():
        setattr(quota, field, value)
    services.save_quota(actor=request.user, quota=quota)
    return selectors.get_quota(viewer=request.user, quota_id=quota.pk)
