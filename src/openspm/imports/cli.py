"""What the `import` and `export` commands share: who acts, and a progress counter."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from openspm.core.models import User
from openspm.core.roles import Role


def actor_for(username: str | None) -> User:
    """The user the command acts as: `--as USERNAME`, else the first active administrator
    (a superuser, or else a member of the administrator role)."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        return user
    active = User.objects.filter(is_active=True).order_by("pk")
    user = (
        active.filter(is_superuser=True).first()
        or active.filter(groups__name=Role.ADMINISTRATOR.value).first()
    )
    if user is None:
        raise CommandError("No administrator exists: pass --as USERNAME or run createadmin.")
    return user


class Progress:
    """A row counter on stderr, every 500 rows (rewritten in place on a terminal)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.shown = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        if done % 500 and done != total:
            return
        if total < 500:
            return
        self.shown = True
        end = "\r" if self.tty else "\n"
        self.stream.write(f"{phase} rows: {done}/{total}", ending=end)
        self.stream.flush()

    def done(self) -> None:
        if self.shown and self.tty:
            self.stream.write("")
