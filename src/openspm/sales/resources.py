"""Import/export formats of sales data: currencies, FX rates, accounts, products, transactions
and their credit splits. Foreign keys are natural keys (currency code, account and person
external ids, product sku, family code)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from import_export import fields

from openspm.org.resources import (
    ChoiceWidget,
    DecimalWidget,
    IntegerWidget,
    IsoDateWidget,
    NaturalKeyWidget,
    OpenSPMResource,
    TextWidget,
    person_key,
    stamp_history,
)
from openspm.sales.models import (
    Account,
    CreditSplit,
    Currency,
    FxRate,
    Product,
    ProductFamily,
    Transaction,
)


def currency_key(*, label: str = "currency") -> NaturalKeyWidget:
    return NaturalKeyWidget(Currency, "code", label=label, upper=True)


def _choices(model: Any, name: str) -> list[str]:
    return [value for value, _label in model._meta.get_field(name).choices]


class CurrencyResource(OpenSPMResource):
    """Currencies by ISO 4217 code."""

    code = fields.Field("code", widget=TextWidget(upper=True))
    name = fields.Field("name", widget=TextWidget())
    minor_units = fields.Field("minor_units", widget=IntegerWidget(), default=2)

    required_columns = ("code", "name")

    class Meta(OpenSPMResource.Meta):
        model = Currency
        fields = ("code", "name", "minor_units")
        import_id_fields = ("code",)


class FxRateResource(OpenSPMResource):
    """One unit of `currency` is worth `rate` units of `quote_currency` from `rate_on` on."""

    currency = fields.Field("currency", widget=currency_key())
    quote_currency = fields.Field("quote_currency", widget=currency_key(label="quote currency"))
    rate_on = fields.Field("rate_on", widget=IsoDateWidget())
    rate = fields.Field("rate", widget=DecimalWidget())

    required_columns = ("currency", "quote_currency", "rate_on", "rate")

    class Meta(OpenSPMResource.Meta):
        model = FxRate
        fields = ("currency", "quote_currency", "rate_on", "rate")
        import_id_fields = ("currency", "quote_currency", "rate_on")


class AccountResource(OpenSPMResource):
    """Customer accounts by external id; the owner by employee id."""

    external_id = fields.Field("external_id", widget=TextWidget())
    name = fields.Field("name", widget=TextWidget())
    industry = fields.Field("industry", widget=TextWidget())
    employee_band = fields.Field(
        "employee_band", widget=ChoiceWidget(_choices(Account, "employee_band"))
    )
    country = fields.Field("country", widget=TextWidget(upper=True))
    region = fields.Field("region", widget=TextWidget())
    postal_code = fields.Field("postal_code", widget=TextWidget())
    owner = fields.Field("owner", widget=person_key(label="owner"))

    required_columns = ("external_id", "name")

    class Meta(OpenSPMResource.Meta):
        model = Account
        fields = (
            "external_id",
            "name",
            "industry",
            "employee_band",
            "country",
            "region",
            "postal_code",
            "owner",
        )
        import_id_fields = ("external_id",)


class ProductFamilyResource(OpenSPMResource):
    """Product families by code."""

    code = fields.Field("code", widget=TextWidget())
    name = fields.Field("name", widget=TextWidget())

    required_columns = ("code", "name")

    class Meta(OpenSPMResource.Meta):
        model = ProductFamily
        fields = ("code", "name")
        import_id_fields = ("code",)


class ProductResource(OpenSPMResource):
    """Products by sku; the family by code."""

    sku = fields.Field("sku", widget=TextWidget())
    name = fields.Field("name", widget=TextWidget())
    family = fields.Field(
        "family", widget=NaturalKeyWidget(ProductFamily, "code", label="product family")
    )

    required_columns = ("sku", "name", "family")

    class Meta(OpenSPMResource.Meta):
        model = Product
        fields = ("sku", "name", "family")
        import_id_fields = ("sku",)


class TransactionResource(OpenSPMResource):
    """Deals and order lines by external id. Splits are a separate file (credit_splits)."""

    external_id = fields.Field("external_id", widget=TextWidget())
    account = fields.Field(
        "account", widget=NaturalKeyWidget(Account, "external_id", label="account")
    )
    product = fields.Field("product", widget=NaturalKeyWidget(Product, "sku", label="product"))
    owner = fields.Field("owner", widget=person_key(label="owner"))
    booked_on = fields.Field("booked_on", widget=IsoDateWidget())
    closed_on = fields.Field("closed_on", widget=IsoDateWidget())
    invoiced_on = fields.Field("invoiced_on", widget=IsoDateWidget())
    paid_on = fields.Field("paid_on", widget=IsoDateWidget())
    amount = fields.Field("amount", widget=DecimalWidget(min_places=2))
    currency = fields.Field("currency", widget=currency_key())
    cost_amount = fields.Field("cost_amount", widget=DecimalWidget(min_places=2))
    quantity = fields.Field("quantity", widget=DecimalWidget(), default=Decimal(1))
    type = fields.Field("type", widget=ChoiceWidget(_choices(Transaction, "type")), default="new")
    status = fields.Field(
        "status", widget=ChoiceWidget(_choices(Transaction, "status")), default="booked"
    )

    required_columns = ("external_id", "owner", "booked_on", "amount", "currency")

    class Meta(OpenSPMResource.Meta):
        model = Transaction
        fields = (
            "external_id",
            "account",
            "product",
            "owner",
            "booked_on",
            "closed_on",
            "invoiced_on",
            "paid_on",
            "amount",
            "currency",
            "cost_amount",
            "quantity",
            "type",
            "status",
        )
        import_id_fields = ("external_id",)


class CreditSplitResource(OpenSPMResource):
    """Credit splits: one row per transaction and person.

    A transaction's rows in a file are its complete set of splits: they must sum to exactly
    100 (checked before import), and its splits to people absent from the file are deleted.
    """

    transaction = fields.Field(
        "transaction", widget=NaturalKeyWidget(Transaction, "external_id", label="transaction")
    )
    person = fields.Field("person", widget=person_key())
    split_percent = fields.Field("split_percent", widget=DecimalWidget())

    required_columns = ("transaction", "person", "split_percent")

    class Meta(OpenSPMResource.Meta):
        model = CreditSplit
        fields = ("transaction", "person", "split_percent")
        import_id_fields = ("transaction", "person")

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        """Delete the splits of the file's transactions that the file no longer lists."""
        listed: dict[int, set[int]] = {}
        for row in dataset.dict:
            try:
                tx = self.fields["transaction"].clean(row)
                person = self.fields["person"].clean(row)
            except ValueError:
                continue  # reported against the row; the import will not be written
            if tx is not None and person is not None:
                listed.setdefault(tx.pk, set()).add(person.pk)
        if not listed:
            return
        stale = CreditSplit.objects.filter(transaction_id__in=list(listed))
        for split in stale:
            if split.person_id not in listed[split.transaction_id]:
                stamp_history(split, **kwargs)
                split.delete()
                result.totals["delete"] += 1
