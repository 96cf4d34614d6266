"""The import page: choose an entity, upload a file, see the dry run, confirm to write."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from openspm.core.access import require_edit
from openspm.core.errors import NotFound
from openspm.imports import services, tasks, uploads
from openspm.imports.entities import ENTITIES, get_entity
from openspm.imports.forms import ImportForm
from openspm.imports.results import ImportResult

_SESSION_KEY = "openspm_imports"
_RUNNING_KEY = "openspm_imports_running"
#: Files with at least this many rows are written by a background worker after confirmation.
BACKGROUND_ROWS = 2000


def _page(request: HttpRequest, context: dict[str, object], *, status: int = 200) -> HttpResponse:
    """The result partial for HTMX, else the whole page around it."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted:
        return render(request, "imports/_result.html", context, status=status)
    context = {"form": ImportForm(), "entities": list(ENTITIES.values()), **context}
    return render(request, "imports/start.html", context, status=status)


@login_required
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    require_edit(request.user)
    return _page(request, {})


@login_required
@require_POST
def check(request: HttpRequest) -> HttpResponse:
    require_edit(request.user)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, {"form_errors": form.errors}, status=422)
    upload = form.cleaned_data["file"]
    content = upload.read()
    entity = form.cleaned_data["entity"]
    result = services.import_file(
        actor=request.user, entity=entity, content=content, filename=upload.name, dry_run=True
    )
    token = ""
    if result.is_valid:
        token = uploads.stash_upload(content=content)
        pending = request.session.get(_SESSION_KEY, {})
        pending[token] = {"entity": entity, "filename": upload.name, "rows": result.total_rows}
        request.session[_SESSION_KEY] = pending
    context = {"result": result, "filename": upload.name, "token": token}
    return _page(request, {**context, "entity": get_entity(entity)})


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    require_edit(request.user)
    token = request.POST.get("token", "")
    pending = request.session.get(_SESSION_KEY, {})
    upload = pending.pop(token, None)
    if upload is None:
        raise NotFound("This upload has expired: choose the file again.")
    request.session[_SESSION_KEY] = pending
    if int(upload.get("rows", 0)) >= BACKGROUND_ROWS:
        return _start_background(request, token, upload)
    content = uploads.read_upload(token=token)
    try:
        result = services.import_file(
            actor=request.user,
            entity=upload["entity"],
            content=content,
            filename=upload["filename"],
            dry_run=False,
        )
    finally:
        uploads.discard_upload(token=token)
    context = {"result": result, "filename": upload["filename"], "token": ""}
    return _page(request, {**context, "entity": get_entity(upload["entity"])})


def _start_background(request: HttpRequest, token: str, upload: dict[str, str]) -> HttpResponse:
    """Hand a large file to a worker; the page then polls `imports:status`."""
    uploads.write_status(token=token, status={"state": "queued"})
    running = request.session.get(_RUNNING_KEY, {})
    running[token] = upload
    request.session[_RUNNING_KEY] = running
    transaction.on_commit(
        partial(
            tasks.import_upload.enqueue,
            token=token,
            entity=upload["entity"],
            filename=upload["filename"],
            user_id=request.user.pk or 0,  # signed in: login_required
        )
    )
    return _page(request, _progress_context(token, upload, {"state": "queued"}))


def _progress_context(
    token: str, upload: dict[str, str], status: dict[str, object]
) -> dict[str, object]:
    return {
        "progress": status,
        "progress_token": token,
        "filename": upload["filename"],
        "entity": get_entity(upload["entity"]),
    }


@login_required
@require_GET
def status(request: HttpRequest, token: str) -> HttpResponse:
    """How a background import is going; its result once the worker has finished."""
    require_edit(request.user)
    running = request.session.get(_RUNNING_KEY, {})
    upload = running.get(token)
    found = uploads.read_status(token=token) if upload else None
    if upload is None or found is None:
        raise NotFound("No such import.")
    if found["state"] != "done":
        return _page(request, _progress_context(token, upload, found))
    running.pop(token)
    request.session[_RUNNING_KEY] = running
    result = ImportResult.from_dict(found["result"])  # type: ignore[arg-type]
    context = {"result": result, "filename": upload["filename"], "token": ""}
    return _page(request, {**context, "entity": get_entity(upload["entity"])})


@login_required
@require_GET
def export(request: HttpRequest, entity: str, file_format: str) -> HttpResponse:
    exported = services.export_file(viewer=request.user, entity=entity, file_format=file_format)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response
