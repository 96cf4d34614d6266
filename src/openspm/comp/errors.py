"""Errors of compensation runs, approvals and close."""

from __future__ import annotations

from openspm.core.errors import OpenSPMError


class RunInProgress(OpenSPMError):
    """A run of the same period is already queued or running."""

    status = 409
    code = "run_in_progress"


class NothingToRun(OpenSPMError):
    """No published plan is assigned to anyone in the period."""

    status = 422
    code = "nothing_to_run"


class RunFailed(OpenSPMError):
    """The engine refused the run's data or plans; the message says where."""

    status = 422
    code = "run_failed"
