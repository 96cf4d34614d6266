"""One login per role with a fixed, documented password. For the demo only: never in production."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group

from openspm.core.models import User
from openspm.demo.generate.data import LOGINS
from openspm.demo.generate.staff import Org, Staff
from openspm.org.models import Person

DEMO_USERNAMES = tuple(username for _, username, _, _ in LOGINS)


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    password: str
    person: str  # the payee behind the login, "" when there is none


def make_logins(org: Org) -> list[Login]:
    """Create (or reset, keeping their ids) the demo logins and link them to their payees."""
    people: dict[str, Staff] = {"vp": org.vp, "manager": org.login_manager, "rep": org.login_rep}
    # get_or_create: the roles come from a data migration, but a flushed database lacks them.
    groups = {role: Group.objects.get_or_create(name=role)[0] for _, _, role, _ in LOGINS}
    existing = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    logins = []
    for label, username, role, password in LOGINS:
        user = existing.get(username) or User(username=username)
        staff = people.get(username)
        user.first_name = staff.first_name if staff else label.capitalize()
        user.last_name = staff.last_name if staff else "(demo)"
        user.email = f"{username}@demo.example.com"
        user.is_staff = user.is_superuser = role == "administrator"
        user.is_active = True
        user.set_password(password)
        user.save()
        user.groups.set([groups[role]])
        if staff is not None:
            Person.objects.filter(pk=staff.pk).update(user=user)
        logins.append(Login(label, username, password, staff.full_name if staff else ""))
    return logins
