"""Background imports: a large file confirmed on the page is written by a worker."""

from __future__ import annotations

from django_tasks import task

from openspm.core.errors import NotFound, OpenSPMError
from openspm.core.models import User
from openspm.imports import services, uploads


@task()
def import_upload(
    *, token: str, entity: str, filename: str, user_id: int, dry_run: bool = False
) -> str:
    """Check (`dry_run`) or import a stashed upload as `user_id`, recording progress and the
    result beside it. A checked valid file stays for its confirmation; otherwise the upload is
    removed, so a second run of the same import finds nothing and does nothing.
    """
    try:
        content = uploads.read_upload(token=token)
    except NotFound:
        return "gone"
    actor = User.objects.get(pk=user_id)

    def progress(phase: str, done: int, total: int) -> None:
        if done % 250 == 0 or done == total:
            uploads.write_status(
                token=token,
                status={"state": "running", "phase": phase, "done": done, "total": total},
            )

    try:
        result = services.import_file(
            actor=actor,
            entity=entity,
            content=content,
            filename=filename,
            dry_run=dry_run,
            progress=progress,
        )
    except OpenSPMError as exc:
        uploads.discard_upload(token=token)
        uploads.write_status(token=token, status={"state": "failed", "message": exc.message})
        return "failed"
    except Exception:
        uploads.discard_upload(token=token)
        uploads.write_status(
            token=token, status={"state": "failed", "message": "The import failed; see the log."}
        )
        raise
    if not (dry_run and result.is_valid):
        uploads.discard_upload(token=token)
    uploads.write_status(token=token, status={"state": "done", "result": result.as_dict()})
    return "done"
