"""Import and export endpoints: `POST /imports/{entity}` (multipart `file`, `dry_run`) and
`GET /imports/{entity}/export?format=csv|xlsx`.

Tokens need scope `import` to import, and `read` or `import` to export; the session works
too (with CSRF). Only administrators and comp admins may import (403 otherwise).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, UploadedFile
from ninja.security import HttpBearer, SessionAuth

from openspm.core.models import ApiToken
from openspm.imports import entities, services
from openspm.imports.schemas import EntityOut, ImportResultOut


class ImportTokenAuth(HttpBearer):
    """`Authorization: Bearer ospm_…` with scope `import` (or `read` for an export)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(key_hash=ApiToken.hash_key(token))
            .first()
        )
        if api_token is None or not api_token.user.is_active:
            return None
        allowed = {"import"} if request.method == "POST" else {"import", "read"}
        if not allowed & set(api_token.scopes):
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


router = Router(tags=["imports"], auth=[SessionAuth(csrf=True), ImportTokenAuth()])


@router.get("", response=list[EntityOut])
def list_entities(request: HttpRequest) -> list[dict[str, object]]:
    return [
        {
            "name": e.name,
            "label": e.label,
            "importable": e.importable,
            "columns": e.resource.columns(),
            "required_columns": list(e.resource.required_columns),
        }
        for e in entities.ENTITIES.values()
    ]


@router.post("/{entity}", response={200: ImportResultOut, 422: ImportResultOut})
def import_entity(
    request: HttpRequest,
    entity: str,
    file: UploadedFile = File(...),
    dry_run: bool = Form(False),
) -> tuple[int, dict[str, object]]:
    result = services.import_file(
        actor=request.user,
        entity=entity,
        content=file.read(),
        filename=file.name or "upload",
        dry_run=dry_run,
    )
    return (200 if result.is_valid else 422), result.as_dict()


@router.get("/{entity}/export")
def export_entity(request: HttpRequest, entity: str, format: str = "csv") -> HttpResponse:
    exported = services.export_file(viewer=request.user, entity=entity, file_format=format)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response
