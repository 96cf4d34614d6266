"""Import and export endpoints: `POST /imports/{entity}` (multipart `file`, `dry_run`) and
`GET /imports/{entity}/export?format=csv|xlsx`.

Authentication is the API's (`openspm.api.auth`): a token needs scope `import` to import and
`read` or `import` to export; the session works too (with CSRF). Only administrators and comp
admins may import (403 otherwise).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, UploadedFile

from openspm.imports import entities, services
from openspm.imports.schemas import EntityOut, ImportResultOut

router = Router(tags=["imports"])


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
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
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
