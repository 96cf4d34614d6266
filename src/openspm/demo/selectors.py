"""Reads for the demo: the demo logins as they stand in the database."""

from __future__ import annotations

from openspm.core.models import User
from openspm.demo.generate.data import LOGINS
from openspm.demo.generate.logins import DEMO_USERNAMES, Login
from openspm.org.models import Person


def list_demo_logins() -> list[Login]:
    """The demo logins that exist, with their documented passwords and payees."""
    present = set(
        User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
    )
    people = {
        username: f"{first} {last}"
        for username, first, last in Person.objects.filter(
            user__username__in=DEMO_USERNAMES
        ).values_list("user__username", "first_name", "last_name")
    }
    return [
        Login(label, username, password, people.get(username, ""))
        for label, username, _, password in LOGINS
        if username in present
    ]
