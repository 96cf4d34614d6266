"""Reference data: the fiscal calendar, currencies with daily FX rates, the product catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from openspm.demo.generate.base import (
    BATCH_SIZE,
    Options,
    Progress,
    create_with_history,
    days_between,
)
from openspm.demo.generate.data import CURRENCY_NAMES, FAMILIES, FX_START_MICROS, ProductSpec
from openspm.org import services as org_services
from openspm.org.models import Period
from openspm.sales.models import Currency, FxRate, Product, ProductFamily

MICRO = Decimal("0.000001")
INVERSE_PLACES = Decimal("0.00000001")


def make_calendar(options: Options, progress: Progress) -> list[Period]:
    """Periods for the years of data and the next one (next year is for planning)."""
    periods: list[Period] = []
    years = options.fiscal_years
    for year in (*years, years[-1] + 1):
        periods.extend(org_services.ensure_fiscal_year(fiscal_year=year))
    progress("fiscal periods", len(periods))
    return periods


def make_currencies(options: Options, progress: Progress) -> None:
    """USD, EUR and GBP, and rates to and from the base currency for every day of the window.

    Each rate to the base currency is a seeded random walk in millionths, pulled back towards
    where it started, so it stays plausible over two years: integers all the way, six decimal
    places. The rate back (base → currency, to pay people in their own currency) is its
    inverse to eight places, as a published pair of rates would be.
    """
    existing = set(Currency.objects.values_list("code", flat=True))
    Currency.objects.bulk_create(
        [
            Currency(code=code, name=name, minor_units=2)
            for code, name in CURRENCY_NAMES.items()
            if code not in existing
        ]
    )
    base = settings.BASE_CURRENCY
    rng = options.rng("fx")
    days = days_between(options.start, options.as_of)
    rates: list[FxRate] = []
    for code, start in FX_START_MICROS.items():
        if code == base:
            continue
        micros = start
        for day in days:
            micros += rng.randint(-4_000, 4_000) + (start - micros) // 60
            rate = (Decimal(micros) * MICRO).quantize(MICRO)
            rates.append(FxRate(currency_id=code, quote_currency_id=base, rate_on=day, rate=rate))
            rates.append(
                FxRate(
                    currency_id=base,
                    quote_currency_id=code,
                    rate_on=day,
                    rate=(1 / rate).quantize(INVERSE_PLACES),
                )
            )
    FxRate.objects.bulk_create(rates, batch_size=BATCH_SIZE)
    progress("currencies", len(CURRENCY_NAMES))
    progress("fx rates", len(rates))


@dataclass(frozen=True)
class Catalogue:
    """Saved products with their specs, by family, for pricing transactions."""

    families: list[ProductFamily]
    products: dict[str, list[tuple[Product, ProductSpec]]]  # family code → products


def make_products(progress: Progress) -> Catalogue:
    families = [ProductFamily(code=f.code, name=f.name) for f in FAMILIES]
    create_with_history(ProductFamily, families)
    pairs = [
        (Product(sku=p.sku, name=p.name, family=family), p, spec.code)
        for spec, family in zip(FAMILIES, families, strict=True)
        for p in spec.products
    ]
    create_with_history(Product, [product for product, _, _ in pairs])
    by_family: dict[str, list[tuple[Product, ProductSpec]]] = {f.code: [] for f in FAMILIES}
    for product, spec, family_code in pairs:
        by_family[family_code].append((product, spec))
    progress("product families", len(families))
    progress("products", len(pairs))
    return Catalogue(families=families, products=by_family)
