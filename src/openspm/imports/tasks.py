"""Background imports: a large file confirmed on the page is written by a worker."""

from __future__ import annotations

from django_tasks import task

from openspm.core.errors import NotFound, OpenSPMError
from openspm.core.models import User
from openspm.imports import services, uploads


@task()
def import_upload(*, token: str, entity: str, filename: str, user_id: int) -> str:
    """Import a stashed upload as `user_id`, recording progress and the result beside it.

    Safe to run twice: the upload is removed once imported, and a second run finds nothing.
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
            dry_run=False,
            progress=progress,
        )
    except OpenSPMError as exc:
        uploads.write_status(token=token, status={"state": "failed", "message": exc.message})
        return "failed"
    except Exception:
        uploads.write_status(
            token=token, status={"state": "failed", "message": "The import failed; see the log."}
        )
        raise
    finally:
        uploads.discard_upload(token=token)
    uploads.write_status(token=token, status={"state": "done", "result": result.as_dict()})
    return "done"
