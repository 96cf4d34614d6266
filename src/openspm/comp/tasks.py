"""Background jobs of the comp app (django-tasks, database-backed queue)."""

from __future__ import annotations

from django_tasks import task


@task()
def execute_calc_run(run_id: int) -> str:
    """Execute a queued run; a no-op if another worker already took it."""
    from openspm.comp.services import calc

    run = calc.execute_run(run_id=run_id, heartbeat=True)
    return run.status
