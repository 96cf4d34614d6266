"""The signed-in user's own API tokens: list, create (browser session only), revoke."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from openspm.api.auth import session_auth
from openspm.api.schemas import TokenCreatedOut, TokenIn, TokenOut
from openspm.core import services as core_services
from openspm.core.models import ApiToken

router = Router(tags=["tokens"])


@router.get("", response=list[TokenOut])
@paginate
def list_tokens(request: HttpRequest) -> QuerySet[ApiToken]:
    return core_services.list_api_tokens(viewer=request.user).order_by("-created_at", "-pk")


@router.post("", response={201: TokenCreatedOut}, auth=[session_auth])
def create_token(request: HttpRequest, payload: TokenIn) -> tuple[int, dict[str, object]]:
    """Create a token for yourself. Needs a browser session: a token cannot mint tokens."""
    token, key = core_services.create_api_token(
        user=request.user,  # type: ignore[arg-type]
        name=payload.name,
        scopes=payload.scopes,
        expires_at=payload.expires_at,
    )
    return 201, {**TokenOut.from_orm(token).model_dump(), "key": key}


@router.post("/{token_id}/revoke", response=TokenOut)
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    return core_services.revoke_api_token(actor=request.user, token_id=token_id)
