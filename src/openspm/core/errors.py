"""One error root for the whole product; each subclass carries its HTTP status."""

from __future__ import annotations


class OpenSPMError(Exception):
    """An expected failure a user can act on."""

    status: int = 400
    code: str = "error"

    def __init__(self, message: str, *, detail: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotFound(OpenSPMError):
    """The object does not exist, or the viewer may not see it (never tell which)."""

    status = 404
    code = "not_found"


class PermissionDenied(OpenSPMError):
    """The viewer's role may not perform this action."""

    status = 403
    code = "permission_denied"


class InvalidInput(OpenSPMError):
    """The request or file is malformed; `detail` lists every problem."""

    status = 422
    code = "invalid_input"
