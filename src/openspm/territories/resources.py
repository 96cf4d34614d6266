"""Import/export formats of territories, their rules, named accounts and members."""

from __future__ import annotations

from import_export import fields

from openspm.org.resources import (
    ChoiceWidget,
    IntegerWidget,
    IsoDateWidget,
    NaturalKeyWidget,
    OpenSPMResource,
    TextWidget,
    person_key,
)
from openspm.sales.models import Account
from openspm.territories.models import NamedAccount, Territory, TerritoryMember, TerritoryRule


def territory_key(*, label: str = "territory") -> NaturalKeyWidget:
    return NaturalKeyWidget(Territory, "code", label=label)


class TerritoryResource(OpenSPMResource):
    """Territories by code; a parent must come before its children in the file."""

    code = fields.Field("code", widget=TextWidget())
    name = fields.Field("name", widget=TextWidget())
    region = fields.Field("region", widget=TextWidget())
    parent = fields.Field("parent", widget=territory_key(label="parent territory"))
    priority = fields.Field("priority", widget=IntegerWidget(), default=0)

    required_columns = ("code", "name")

    class Meta(OpenSPMResource.Meta):
        model = Territory
        fields = ("code", "name", "region", "parent", "priority")
        import_id_fields = ("code",)


class TerritoryRuleResource(OpenSPMResource):
    """One rule of a territory: account `field` equal to (or, for postal_prefix, starting
    with) `value`."""

    territory = fields.Field("territory", widget=territory_key())
    field = fields.Field(
        "field",
        widget=ChoiceWidget([value for value, _label in TerritoryRule.Field.choices]),
    )
    value = fields.Field("value", widget=TextWidget())

    required_columns = ("territory", "field", "value")

    class Meta(OpenSPMResource.Meta):
        model = TerritoryRule
        fields = ("territory", "field", "value")
        import_id_fields = ("territory", "field", "value")


class NamedAccountResource(OpenSPMResource):
    """An account placed in a territory by name; an account is named in one territory."""

    account = fields.Field(
        "account", widget=NaturalKeyWidget(Account, "external_id", label="account")
    )
    territory = fields.Field("territory", widget=territory_key())

    required_columns = ("account", "territory")

    class Meta(OpenSPMResource.Meta):
        model = NamedAccount
        fields = ("account", "territory")
        import_id_fields = ("account",)


class TerritoryMemberResource(OpenSPMResource):
    """A person working a territory from a date, as owner or overlay."""

    territory = fields.Field("territory", widget=territory_key())
    person = fields.Field("person", widget=person_key())
    role = fields.Field(
        "role",
        widget=ChoiceWidget([value for value, _label in TerritoryMember.Role.choices]),
        default="owner",
    )
    effective_from = fields.Field("effective_from", widget=IsoDateWidget())
    effective_to = fields.Field("effective_to", widget=IsoDateWidget())

    required_columns = ("territory", "person", "effective_from")

    class Meta(OpenSPMResource.Meta):
        model = TerritoryMember
        fields = ("territory", "person", "role", "effective_from", "effective_to")
        import_id_fields = ("territory", "person", "effective_from")
