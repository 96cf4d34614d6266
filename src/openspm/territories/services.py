"""Writes to territories with their rules, named accounts and members. Each is atomic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction

from openspm.core.access import Viewer, require_edit
from openspm.territories.models import NamedAccount, Territory, TerritoryMember, TerritoryRule


@dataclass(frozen=True)
class MemberSpec:
    """A person working a territory in a role over [effective_from, effective_to)."""

    person_id: int
    role: str
    effective_from: date
    effective_to: date | None = None


def _clean(obj: models.Model, where: str) -> None:
    """`full_clean()`, with each field's errors reported at `where.field`."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ValidationError(
            {f"{where}.{field}": messages for field, messages in exc.message_dict.items()}
        ) from exc


@transaction.atomic
def save_territory(
    *,
    actor: Viewer,
    territory: Territory,
    rules: Sequence[tuple[str, str]] | None = None,
    named_account_ids: Sequence[int] | None = None,
    members: Sequence[MemberSpec] | None = None,
) -> Territory:
    """Create or update a territory; each of `rules`, `named_account_ids` and `members`, when
    given, replaces the territory's current set (None leaves it as it is)."""
    require_edit(actor)
    territory.full_clean()
    if territory.pk is not None and territory.parent_id is not None:
        _check_no_cycle(territory)
    territory.save()
    if rules is not None:
        territory.rules.all().delete()
        for i, (field, value) in enumerate(rules):
            rule = TerritoryRule(territory=territory, field=field, value=value)
            _clean(rule, f"rules[{i}]")
            rule.save()
    if named_account_ids is not None:
        territory.named_accounts.all().delete()
        for i, account_id in enumerate(named_account_ids):
            named = NamedAccount(territory=territory, account_id=account_id)
            _clean(named, f"named_account_ids[{i}]")
            named.save()
    if members is not None:
        territory.members.all().delete()
        for i, spec in enumerate(members):
            member = TerritoryMember(
                territory=territory,
                person_id=spec.person_id,
                role=spec.role,
                effective_from=spec.effective_from,
                effective_to=spec.effective_to,
            )
            _clean(member, f"members[{i}]")
            member.save()
    return territory


def _check_no_cycle(territory: Territory) -> None:
    parents = dict(Territory.objects.values_list("pk", "parent_id"))
    current: int | None = territory.parent_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        if current == territory.pk:
            raise ValidationError({"parent_id": ["A territory cannot be inside itself."]})
        seen.add(current)
        current = parents.get(current)
