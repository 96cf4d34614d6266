"""The import page: choose an entity, upload a file, see the dry run, confirm to write.

Files of `BACKGROUND_ROWS` rows or more are checked and written by a worker; the page polls
`imports:status` meanwhile.
"""

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

_PENDING = "openspm_imports"  # token → upload, checked and waiting for confirmation
_RUNNING = "openspm_imports_running"  # token → upload, with a worker on it
#: Files with at least this many rows are checked and written by a background worker.
BACKGROUND_ROWS = 2000

Upload = dict[str, object]


def _page(request: HttpRequest, context: dict[str, object], *, status: int = 200) -> HttpResponse:
    """The result partial for HTMX, else the whole page around it."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted:
        return render(request, "imports/_result.html", context, status=status)
    context = {"form": ImportForm(), "entities": list(ENTITIES.values()), **context}
    return render(request, "imports/start.html", context, status=status)


def _session_pop(request: HttpRequest, key: str, token: str) -> Upload | None:
    entries = request.session.get(key, {})
    upload: Upload | None = entries.pop(token, None)
    request.session[key] = entries
    return upload


def _session_put(request: HttpRequest, key: str, token: str, upload: Upload) -> None:
    request.session[key] = {**request.session.get(key, {}), token: upload}


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
    file = form.cleaned_data["file"]
    content = file.read()
    upload: Upload = {
        "entity": form.cleaned_data["entity"],
        "filename": file.name,
        "rows": services.count_rows(content=content, filename=file.name),
    }
    token = uploads.stash_upload(content=content)
    if int(upload["rows"]) >= BACKGROUND_ROWS:  # type: ignore[call-overload]
        return _start_background(request, token, {**upload, "dry_run": True})
    result = services.import_file(
        actor=request.user,
        entity=str(upload["entity"]),
        content=content,
        filename=str(upload["filename"]),
        dry_run=True,
    )
    return _checked(request, result, token, upload)


def _checked(
    request: HttpRequest, result: ImportResult, token: str, upload: Upload
) -> HttpResponse:
    """A dry run's result; a valid file waits for confirmation, an invalid one is dropped."""
    if result.is_valid:
        _session_put(request, _PENDING, token, upload)
    else:
        uploads.discard_upload(token=token)
        token = ""
    return _result(request, result, upload, token=token)


def _result(
    request: HttpRequest, result: ImportResult, upload: Upload, *, token: str = ""
) -> HttpResponse:
    context = {"result": result, "filename": upload["filename"], "token": token}
    return _page(request, {**context, "entity": get_entity(str(upload["entity"]))})


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    require_edit(request.user)
    token = request.POST.get("token", "")
    upload = _session_pop(request, _PENDING, token)
    if upload is None:
        raise NotFound("This upload has expired: choose the file again.")
    if int(upload["rows"]) >= BACKGROUND_ROWS:  # type: ignore[call-overload]
        return _start_background(request, token, {**upload, "dry_run": False})
    content = uploads.read_upload(token=token)
    try:
        result = services.import_file(
            actor=request.user,
            entity=str(upload["entity"]),
            content=content,
            filename=str(upload["filename"]),
            dry_run=False,
        )
    finally:
        uploads.discard_upload(token=token)
    return _result(request, result, upload)


def _start_background(request: HttpRequest, token: str, upload: Upload) -> HttpResponse:
    """Hand the file to a worker; the page then polls `imports:status`."""
    uploads.write_status(token=token, status={"state": "queued"})
    _session_put(request, _RUNNING, token, upload)
    transaction.on_commit(
        partial(
            tasks.import_upload.enqueue,
            token=token,
            entity=str(upload["entity"]),
            filename=str(upload["filename"]),
            user_id=request.user.pk or 0,  # signed in: login_required
            dry_run=bool(upload["dry_run"]),
        )
    )
    return _progress(request, token, upload, {"state": "queued"})


def _progress(
    request: HttpRequest, token: str, upload: Upload, status: dict[str, object]
) -> HttpResponse:
    context = {
        "progress": status,
        "progress_token": token,
        "checking": upload["dry_run"],
        "filename": upload["filename"],
        "entity": get_entity(str(upload["entity"])),
    }
    return _page(request, context)


@login_required
@require_GET
def status(request: HttpRequest, token: str) -> HttpResponse:
    """How a background check or import is going; its result once the worker has finished."""
    require_edit(request.user)
    upload = request.session.get(_RUNNING, {}).get(token)
    found = uploads.read_status(token=token) if upload else None
    if upload is None or found is None:
        raise NotFound("No such import.")
    if found["state"] != "done":
        return _progress(request, token, upload, found)
    _session_pop(request, _RUNNING, token)
    result = ImportResult.from_dict(found["result"])  # type: ignore[arg-type]
    if upload["dry_run"]:
        return _checked(request, result, token, upload)
    return _result(request, result, upload)


@login_required
@require_GET
def export(request: HttpRequest, entity: str, file_format: str) -> HttpResponse:
    exported = services.export_file(viewer=request.user, entity=entity, file_format=file_format)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response
