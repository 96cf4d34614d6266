"""Territory endpoints: rule sets over account attributes, named accounts and members.

Reads go through `territories.selectors` (every employee sees territories; a referral partner
none: 404), writes through `territories.services` (administrators and comp admins: else 403).
"""

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from openspm.core.errors import NotFound
from openspm.sales import selectors as sales_selectors
from openspm.territories import selectors, services
from openspm.territories.models import NamedAccount, Territory
from openspm.territories.schemas import MemberIn, TerritoryIn, TerritoryOut, TerritoryPatch

router = Router(tags=["territories"])

_NESTED = ("rules", "named_account_ids", "members")


def _members(members: list[MemberIn] | None) -> list[services.MemberSpec] | None:
    if members is None:
        return None
    return [
        services.MemberSpec(
            person_id=m.person_id,
            role=m.role,
            effective_from=m.effective_from,
            effective_to=m.effective_to,
        )
        for m in members
    ]


def _with_named_accounts(request: HttpRequest, qs: QuerySet[Territory]) -> QuerySet[Territory]:
    """Prefetch the named accounts the viewer may see (a rep: only their own accounts)."""
    visible = sales_selectors.list_accounts(viewer=request.user)
    named = NamedAccount.objects.filter(account__in=visible.values("pk"))
    return qs.prefetch_related(Prefetch("named_accounts", queryset=named))


def _get(request: HttpRequest, territory_id: int) -> Territory:
    qs = _with_named_accounts(request, selectors.list_territories(viewer=request.user))
    found = qs.filter(pk=territory_id).first()
    if found is None:
        raise NotFound("No such territory.")
    return found


@router.get("", response=list[TerritoryOut])
@paginate
def list_territories(
    request: HttpRequest, region: str = "", search: str = "", person_id: int | None = None
) -> QuerySet[Territory]:
    qs = selectors.list_territories(viewer=request.user, region=region)
    if search:
        qs = qs.filter(Q(code__icontains=search) | Q(name__icontains=search))
    if person_id is not None:
        qs = qs.filter(members__person_id=person_id).distinct()
    return _with_named_accounts(request, qs)


@router.get("/{territory_id}", response=TerritoryOut)
def get_territory(request: HttpRequest, territory_id: int) -> Territory:
    return _get(request, territory_id)


@router.post("", response={201: TerritoryOut})
def create_territory(request: HttpRequest, payload: TerritoryIn) -> tuple[int, Territory]:
    territory = Territory(**payload.model_dump(exclude=set(_NESTED)))
    territory = services.save_territory(
        actor=request.user,
        territory=territory,
        rules=[(r.field, r.value) for r in payload.rules],
        named_account_ids=payload.named_account_ids,
        members=_members(payload.members),
    )
    return 201, _get(request, territory.pk)


@router.patch("/{territory_id}", response=TerritoryOut)
def update_territory(request: HttpRequest, territory_id: int, payload: TerritoryPatch) -> Territory:
    territory = _get(request, territory_id)
    for field, value in payload.model_dump(exclude_unset=True, exclude=set(_NESTED)).items():
        setattr(territory, field, value)
    services.save_territory(
        actor=request.user,
        territory=territory,
        rules=None if payload.rules is None else [(r.field, r.value) for r in payload.rules],
        named_account_ids=payload.named_account_ids,
        members=_members(payload.members),
    )
    return _get(request, territory.pk)
