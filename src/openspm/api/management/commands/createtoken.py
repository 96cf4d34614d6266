"""`openspm createtoken USERNAME --scopes read,write --name NAME`: an API token, printed once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from openspm.core import services as core_services
from openspm.core.errors import OpenSPMError
from openspm.core.models import User


class Command(BaseCommand):
    help = (
        "Create an API token for USERNAME and print its key once (only a hash is stored). "
        "The token acts as that user: it sees the same rows, limited to its scopes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--scopes", default="read", help="Comma-separated: read, write, import (default read)"
        )
        parser.add_argument("--name", default="cli", help="A label to recognise the token by")
        parser.add_argument(
            "--expires-days", type=int, default=None, help="Expire after N days (default never)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        days = options["expires_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-days must be at least 1.")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        try:
            token, key = core_services.create_api_token(
                user=user,
                name=options["name"],
                scopes=options["scopes"].split(","),
                expires_at=expires_at,
            )
        except OpenSPMError as exc:
            detail = f" {exc.detail}" if exc.detail else ""
            raise CommandError(f"{exc.message}{detail}") from exc
        self.stderr.write(
            f"Token {token.name!r} for {user.username} (scopes: {', '.join(token.scopes)}). "
            "Copy the key now: it is not shown again."
        )
        self.stdout.write(key)
