"""`openspm createadmin`: create (or reset) an administrator login."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from openspm.core.models import User
from openspm.core.roles import Role


class Command(BaseCommand):
    help = "Create an administrator (superuser in the administrator role); prints the password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@example.com")
        parser.add_argument("--password", help="Default: a random one, printed once.")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or secrets.token_urlsafe(12)
        user, created = User.objects.get_or_create(
            username=options["username"], defaults={"email": options["email"]}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=Role.ADMINISTRATOR.value))
        verb = "Created" if created else "Reset"
        self.stdout.write(f"{verb} administrator {user.username!r} with password {password}")
