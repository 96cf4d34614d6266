"""Errors of the plans app."""

from __future__ import annotations

from openspm.core.errors import OpenSPMError


class PlanNotEditable(OpenSPMError):
    """Only drafts (and rejected versions) change; published versions are immutable."""

    status = 409
    code = "plan_not_editable"


class PlanInvalid(OpenSPMError):
    """The document has problems; `detail` lists each with its line."""

    status = 422
    code = "plan_invalid"


class ApprovalRefused(OpenSPMError):
    """The approval step is not allowed (wrong state, or the author approving their own)."""

    status = 409
    code = "approval_refused"
