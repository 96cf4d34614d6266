"""Import/export formats of the organisation, and the widgets every app's resources share.

Rows are named by natural keys (a person's `external_id`, a team's `code`, a period's `key`),
never by primary key, and imports upsert on them. Widgets turn a file's text into typed values
or raise `ValueError` with a message a user can act on; amounts never pass through `float`.
The shared pieces live here because `org` is the lowest app with resources (STYLE A1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from import_export import fields, resources, widgets
from import_export.instance_loaders import ModelInstanceLoader

from openspm.org.models import Period, Person, ReportingLine, Team, TeamMembership

_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_INTEGER = re.compile(r"[+-]?\d+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def cell_text(value: object) -> str:
    """A cell as stripped text. Files are read as text; a spreadsheet number keeps its digits."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # A spreadsheet number: repr() is the shortest text that reads back as the same double,
        # written out without an exponent (1e-05 → 0.00001).
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text and value == value else text
    return str(value).strip()


def plain_decimal(value: Decimal | None, *, min_places: int = 0) -> str:
    """`Decimal("1250.5000")` → `"1250.50"` (min_places=2): no exponent, no trailing zeros."""
    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if min_places:
        whole, _, fraction = text.partition(".")
        text = f"{whole}.{fraction.ljust(min_places, '0')}"
    return text


class TextWidget(widgets.Widget):  # type: ignore[misc]
    """Text, stripped of surrounding spaces; an empty cell is the empty string."""

    def __init__(self, *, upper: bool = False) -> None:
        super().__init__(coerce_to_string=True)
        self.upper = upper

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = cell_text(value)
        return text.upper() if self.upper else text

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class DecimalWidget(widgets.Widget):  # type: ignore[misc]
    """A decimal number written with digits and `.`: `1234.56`, `-12`, `0.035`.

    Thousands separators, decimal commas, currency signs and exponents are refused rather than
    guessed. Spreadsheet numbers arrive as the shortest text of their double, never as float.
    """

    def __init__(self, *, min_places: int = 0) -> None:
        super().__init__(coerce_to_string=True)
        self.min_places = min_places

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Decimal | None:
        if isinstance(value, Decimal):
            return value
        text = cell_text(value)
        if not text:
            return None
        if not _DECIMAL.fullmatch(text):
            raise ValueError(
                f"{text!r} is not a number: write digits with '.' as the decimal separator, "
                "without thousands separators or currency signs (for example 1234.56)."
            )
        return Decimal(text)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return plain_decimal(value, min_places=self.min_places)


class IntegerWidget(widgets.Widget):  # type: ignore[misc]
    """A whole number: `3`, `-1`."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        text = cell_text(value)
        if not text:
            return None
        if text.endswith(".0") and isinstance(value, float):
            text = text[:-2]
        if not _INTEGER.fullmatch(text):
            raise ValueError(f"{text!r} is not a whole number.")
        return int(text)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class IsoDateWidget(widgets.Widget):  # type: ignore[misc]
    """A calendar date written YYYY-MM-DD, and nothing else (no 01/02/2026: which is the month?)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> date | None:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = cell_text(value)
        if not text:
            return None
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(f"{text!r} is not a date: write it as YYYY-MM-DD (e.g. 2026-01-31).")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a real date.") from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else value.isoformat()


class ChoiceWidget(widgets.Widget):  # type: ignore[misc]
    """One of a model field's choices, by its stored value (case-insensitive)."""

    def __init__(self, choices: Iterable[str]) -> None:
        super().__init__(coerce_to_string=True)
        self.choices = tuple(choices)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = cell_text(value).lower()
        if text and text not in self.choices:
            raise ValueError(f"{text!r} is not one of: {', '.join(self.choices)}.")
        return text

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class NaturalKeyWidget(widgets.ForeignKeyWidget):  # type: ignore[misc]
    """A foreign key written as the related row's natural key (`E00042`, `core`, `EUR`).

    Lookups are cached for the life of one resource (one import pass); a miss raises a
    `ValueError` naming the unknown key.
    """

    def __init__(
        self, model: type[models.Model], field: str, *, label: str, upper: bool = False
    ) -> None:
        super().__init__(model, field=field)
        self.label = label
        self.upper = upper
        self._cache: dict[str, models.Model] = {}

    def _key(self, value: Any) -> str:
        text = cell_text(value)
        return text.upper() if self.upper else text

    def preload(self, values: Iterable[Any]) -> None:
        """Fetch every key of a column in a few queries instead of one per row."""
        keys = sorted({self._key(v) for v in values} - {""} - set(self._cache))
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            for obj in self.model._default_manager.filter(**{f"{self.field}__in": chunk}):
                self._cache[str(getattr(obj, self.field))] = obj

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> models.Model | None:
        key = self._key(value)
        if not key:
            return None
        found = self._cache.get(key)
        if found is None:
            found = self.model._default_manager.filter(**{self.field: key}).first()
            if found is None:
                raise ValueError(f"Unknown {self.label} {key!r}.")
            self._cache[key] = found
        return found

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(getattr(value, self.field))


def person_key(*, label: str = "person") -> NaturalKeyWidget:
    return NaturalKeyWidget(Person, "external_id", label=label)


class NaturalKeyLoader(ModelInstanceLoader):  # type: ignore[misc]
    """Finds the row to update by the resource's natural key; a bad key means a new row.

    The bad key itself is then reported against its column by the field's widget. With a
    single text key, the file's existing rows are fetched up front, a few queries in all.
    """

    def __init__(self, resource: Any, dataset: Any = None) -> None:
        super().__init__(resource, dataset)
        self.known: dict[str, Any] | None = None
        keys = resource.get_import_id_fields()
        field = resource.fields[keys[0]]
        if len(keys) != 1 or isinstance(field.widget, NaturalKeyWidget) or dataset is None:
            return
        if field.column_name not in dataset.headers:
            return
        values = sorted({field.widget.clean(v) for v in dataset[field.column_name]} - {""})
        self.known = {}
        resource.keys_prefetched = True
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            for obj in self.get_queryset().filter(**{f"{field.attribute}__in": chunk}):
                self.known[str(getattr(obj, field.attribute))] = obj
        self.key_field = field

    def get_queryset(self) -> Any:
        """With the rows' foreign keys, so comparing a row with the file costs no query."""
        related = [
            f.attribute
            for f in self.resource.get_import_fields()
            if isinstance(f.widget, NaturalKeyWidget)
        ]
        return super().get_queryset().select_related(*related)

    def get_instance(self, row: Any) -> Any:
        try:
            if self.known is not None:
                return self.known.get(self.key_field.clean(row))
            return super().get_instance(row)
        except ValueError:
            return None


class OpenSPMResource(resources.ModelResource):  # type: ignore[misc]
    """Base of every resource: upsert on natural keys, full_clean, unchanged rows skipped.

    `required_columns` must be present in a file's header and filled in every row; the other
    columns are optional. `importable = False` makes an export-only format. The actor and a
    change reason passed to `import_data(actor=..., change_reason=...)` are written to the
    audit history of every saved row.
    """

    required_columns: ClassVar[tuple[str, ...]] = ()
    importable: ClassVar[bool] = True

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        skip_html_diff = True
        use_transactions = True
        instance_loader_class = NaturalKeyLoader

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_row: Any = None
        self.keys_prefetched = False

    @classmethod
    def columns(cls) -> list[str]:
        """Every column, in file order."""
        return [field.column_name for field in cls().get_export_fields()]

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        for field in self.get_import_fields():
            if isinstance(field.widget, NaturalKeyWidget) and field.column_name in dataset.headers:
                field.widget.preload(dataset[field.column_name])

    def after_import_row(self, row: Any, row_result: Any, **kwargs: Any) -> None:
        if self.on_row is not None:
            self.on_row(kwargs.get("row_number", 0))

    def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        stamp_history(instance, **kwargs)

    def validate_instance(
        self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        """`full_clean()`, except that foreign keys found by their natural key are not
        looked up a second time, nor a prefetched key's uniqueness (the file has no
        duplicates, and the database constraint still holds)."""
        validate_unique = validate_unique and not self.keys_prefetched
        errors = dict(import_validation_errors or {})
        resolved = [
            f.attribute
            for f in self.get_import_fields()
            if isinstance(f.widget, NaturalKeyWidget) and f.attribute not in errors
        ]
        steps = [
            lambda: instance.clean_fields(exclude=[*errors, *resolved]),
            instance.clean,
            lambda: instance.validate_unique(exclude=list(errors)) if validate_unique else None,
            lambda: instance.validate_constraints(exclude=list(errors)),
        ]
        for step in steps:
            try:
                step()
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


def stamp_history(instance: Any, **kwargs: Any) -> None:
    """Tell django-simple-history who made this change and why."""
    if kwargs.get("actor") is not None:
        instance._history_user = kwargs["actor"]
    if kwargs.get("change_reason"):
        instance._change_reason = kwargs["change_reason"]


def _choices(model_field: Any) -> list[str]:
    return [value for value, _label in model_field.choices]


class PersonResource(OpenSPMResource):
    """People (payees), by employee id. The login is not part of the file."""

    external_id = fields.Field("external_id", widget=TextWidget())
    first_name = fields.Field("first_name", widget=TextWidget())
    last_name = fields.Field("last_name", widget=TextWidget())
    email = fields.Field("email", widget=TextWidget())
    title = fields.Field("title", widget=TextWidget())
    currency = fields.Field("currency", widget=TextWidget(upper=True), default="USD")
    hired_on = fields.Field("hired_on", widget=IsoDateWidget())
    terminated_on = fields.Field("terminated_on", widget=IsoDateWidget())

    required_columns = ("external_id", "first_name", "last_name", "hired_on")

    class Meta(OpenSPMResource.Meta):
        model = Person
        fields = (
            "external_id",
            "first_name",
            "last_name",
            "email",
            "title",
            "currency",
            "hired_on",
            "terminated_on",
        )
        import_id_fields = ("external_id",)


class TeamResource(OpenSPMResource):
    """Teams, by code; the leader by employee id."""

    code = fields.Field("code", widget=TextWidget())
    name = fields.Field("name", widget=TextWidget())
    leader = fields.Field("leader", widget=person_key(label="leader"))

    required_columns = ("code", "name")

    class Meta(OpenSPMResource.Meta):
        model = Team
        fields = ("code", "name", "leader")
        import_id_fields = ("code",)


class TeamMembershipResource(OpenSPMResource):
    """Who is in which team when; a row is keyed by team, person and start date."""

    team = fields.Field("team", widget=NaturalKeyWidget(Team, "code", label="team"))
    person = fields.Field("person", widget=person_key())
    effective_from = fields.Field("effective_from", widget=IsoDateWidget())
    effective_to = fields.Field("effective_to", widget=IsoDateWidget())

    required_columns = ("team", "person", "effective_from")

    class Meta(OpenSPMResource.Meta):
        model = TeamMembership
        fields = ("team", "person", "effective_from", "effective_to")
        import_id_fields = ("team", "person", "effective_from")


class ReportingLineResource(OpenSPMResource):
    """Who reports to whom when; a row is keyed by person and start date."""

    person = fields.Field("person", widget=person_key())
    manager = fields.Field("manager", widget=person_key(label="manager"))
    effective_from = fields.Field("effective_from", widget=IsoDateWidget())
    effective_to = fields.Field("effective_to", widget=IsoDateWidget())

    required_columns = ("person", "manager", "effective_from")

    class Meta(OpenSPMResource.Meta):
        model = ReportingLine
        fields = ("person", "manager", "effective_from", "effective_to")
        import_id_fields = ("person", "effective_from")


class PeriodResource(OpenSPMResource):
    """Fiscal periods. Export only: periods come from the fiscal calendar, and closing one is
    a deliberate act, not a file upload."""

    key = fields.Field("key", widget=TextWidget())
    kind = fields.Field("kind", widget=ChoiceWidget(_choices(Period._meta.get_field("kind"))))
    fiscal_year = fields.Field("fiscal_year", widget=IntegerWidget())
    number = fields.Field("number", widget=IntegerWidget())
    start_on = fields.Field("start_on", widget=IsoDateWidget())
    end_on = fields.Field("end_on", widget=IsoDateWidget())
    status = fields.Field("status", widget=ChoiceWidget(_choices(Period._meta.get_field("status"))))

    required_columns = ("key",)
    importable = False

    class Meta(OpenSPMResource.Meta):
        model = Period
        fields = ("key", "kind", "fiscal_year", "number", "start_on", "end_on", "status")
        import_id_fields = ("key",)
