"""Import/export format of quotas: one row per person, period and measure."""

from __future__ import annotations

from import_export import fields

from openspm.org.models import Period
from openspm.org.resources import (
    DecimalWidget,
    NaturalKeyWidget,
    OpenSPMResource,
    TextWidget,
    person_key,
)
from openspm.quotas.models import Quota
from openspm.sales.resources import currency_key


class QuotaResource(OpenSPMResource):
    """A quota by person (employee id), period (key such as 2026-Q1) and measure.

    An empty currency is a quota in units.
    """

    person = fields.Field("person", widget=person_key())
    period = fields.Field("period", widget=NaturalKeyWidget(Period, "key", label="period"))
    measure = fields.Field("measure", widget=TextWidget(), default="bookings")
    amount = fields.Field("amount", widget=DecimalWidget(min_places=2))
    currency = fields.Field("currency", widget=currency_key())

    required_columns = ("person", "period", "amount")

    class Meta(OpenSPMResource.Meta):
        model = Quota
        fields = ("person", "period", "measure", "amount", "currency")
        import_id_fields = ("person", "period", "measure")
