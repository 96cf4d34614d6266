"""Statements: a payee's acknowledgement, the PDF rendering, and the what-if estimator.

The PDF is the statement page's HTML rendered by WeasyPrint with local CSS and fonts only: the
URL fetcher refuses anything but `data:` URLs, so rendering never touches the network (STYLE W2).
The what-if estimator runs the engine in-process twice over the payee's real inputs, without and
with a hypothetical deal, and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.contrib.staticfiles import finders
from django.db import IntegrityError, transaction
from django.utils import timezone

from openspm import engine
from openspm.comp.models import StatementAcknowledgement
from openspm.comp.selectors import statements as statement_selectors
from openspm.comp.selectors.statements import Money, sum_by_currency
from openspm.comp.services import calc
from openspm.core.access import Viewer
from openspm.core.errors import InvalidInput, NotFound, OpenSPMError, PermissionDenied
from openspm.org import selectors as org_selectors
from openspm.org.models import Period, Person
from openspm.plans import selectors as plan_selectors
from openspm.plans.models import PlanVersion

STATEMENT_CSS = "comp/statements.css"


class StatementNotPublished(OpenSPMError):
    """A preliminary statement cannot be acknowledged: it may still change."""

    status = 409
    code = "statement_not_published"


@transaction.atomic
def acknowledge_statement(
    *, actor: Viewer, person_id: int, period_key: str
) -> StatementAcknowledgement:
    """The payee acknowledges their published statement. Doing it again changes nothing."""
    statement = statement_selectors.get_statement(
        viewer=actor, person_id=person_id, period_key=period_key
    )
    if not statement.is_own:
        raise PermissionDenied("Only the payee may acknowledge their statement.")
    if statement.is_preliminary:
        raise StatementNotPublished("This statement is preliminary: it is not published yet.")
    if statement.acknowledgement is not None:
        return statement.acknowledgement
    acknowledgement = StatementAcknowledgement(
        person=statement.person, run=statement.run, acknowledged_at=timezone.now()
    )
    acknowledgement.full_clean()
    try:
        with transaction.atomic():
            acknowledgement.save()
    except IntegrityError:  # acknowledged at the same moment from elsewhere
        return StatementAcknowledgement.objects.get(person=statement.person, run=statement.run)
    return acknowledgement


# --- PDF ----------------------------------------------------------------------------------------


def refuse_remote(url: str, *args: object, **kwargs: object) -> dict[str, Any]:
    """WeasyPrint URL fetcher: `data:` URLs only; anything else (http, https, file) is refused,
    so a statement never loads a remote asset."""
    import weasyprint  # type: ignore[import-untyped]

    if url.startswith("data:"):
        fetched: dict[str, Any] = weasyprint.default_url_fetcher(url)
        return fetched
    raise ValueError(f"statement PDFs load no external resources ({url.split(':', 1)[0]})")


def statement_css() -> str:
    path = finders.find(STATEMENT_CSS)
    if not path or isinstance(path, list):
        raise RuntimeError(f"static file {STATEMENT_CSS} is missing")
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def render_pdf(*, html: str) -> bytes:
    """The PDF of a statement's HTML (its CSS inlined by the template)."""
    import weasyprint  # type: ignore[import-untyped]

    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=refuse_remote).write_pdf()
    return pdf


# --- what-if ------------------------------------------------------------------------------------

WHAT_IF_ID = "WHAT-IF"


@dataclass(frozen=True)
class WhatIf:
    """What a hypothetical deal adds to the payee's earnings (plan currency) and payout."""

    period: Period
    plan_codes: list[str]
    before: list[Money]
    after: list[Money]
    added: list[Money]
    payout_added: list[Money]


def estimate_deal(
    *,
    viewer: Viewer,
    amount: Decimal,
    currency: str,
    booked_on: date,
    product_family: str = "",
    deal_type: str = "new",
) -> WhatIf:
    """Run the engine on the signed-in payee's real inputs for the period of `booked_on`, without
    and with a deal of `amount` assigned to them; nothing is written."""
    person = org_selectors.get_viewer_person(viewer=viewer)
    if person is None:
        raise NotFound("Your login is not linked to a payee.")
    versions = _person_plan_versions(person=person, on=booked_on)
    if not versions:
        raise InvalidInput(f"You have no published plan on {booked_on:%Y-%m-%d}.")
    loaded = calc.load_versions(versions)
    kind = loaded[0].plan.pay.frequency
    period = org_selectors.get_period_containing(on=booked_on, kind=kind)
    if period is None:
        raise InvalidInput(f"No {kind} period contains {booked_on:%Y-%m-%d}.")
    tables = calc.build_inputs(period=period)
    mine = tables["plan_assignments"].filter(
        pc.equal(tables["plan_assignments"].column("payee_id"), person.external_id)
    )
    tables["plan_assignments"] = mine
    deal = {
        "transaction_id": WHAT_IF_ID,
        "payee_id": person.external_id,
        "amount": str(amount),
        "currency": currency,
        "booked_on": booked_on,
        "closed_on": booked_on,
        "status": "booked",
        "type": deal_type,
        "product_family": product_family or None,
    }
    with_deal = dict(tables, transactions=_append_row(tables["transactions"], deal))
    try:
        base = calc.run_engine(loaded, tables, period=period)
        after = calc.run_engine(loaded, with_deal, period=period)
    except engine.EngineError as error:
        raise InvalidInput(f"The estimate could not be calculated: {error}") from None
    before_earned = _sums(base.tables["earnings"], person.external_id)
    after_earned = _sums(after.tables["earnings"], person.external_id)
    return WhatIf(
        period=period,
        plan_codes=[v.plan.code for v in versions],
        before=before_earned,
        after=after_earned,
        added=_difference(after_earned, before_earned),
        payout_added=_difference(
            _sums(after.tables["payouts"], person.external_id),
            _sums(base.tables["payouts"], person.external_id),
        ),
    )


def _person_plan_versions(*, person: Person, on: date) -> list[PlanVersion]:
    """The published versions in force on `on` of the plans assigned to `person` that day."""
    assignments = plan_selectors.resolve_assignments(start=on, end=on + timedelta(days=1))
    codes = sorted({a.plan_code for a in assignments if a.person_id == person.pk})
    found = (plan_selectors.published_version_on(plan_code=code, on=on) for code in codes)
    return [version for version in found if version is not None]


def _append_row(table: pa.Table, row: dict[str, object]) -> pa.Table:
    values = {}
    for column in table.schema:
        value = row.get(column.name)
        if isinstance(value, date) and pa.types.is_string(column.type):
            value = value.isoformat()  # an all-empty date column was read as text
        values[column.name] = [value]
    return pa.concat_tables([table, pa.table(values, schema=table.schema)])


def _sums(table: pa.Table, payee_id: str) -> list[Money]:
    rows = table.filter(pc.equal(table.column("payee_id"), payee_id))
    return sum_by_currency(
        (Decimal(amount), currency)
        for amount, currency in zip(
            rows.column("amount").to_pylist(), rows.column("currency").to_pylist(), strict=True
        )
        if amount is not None
    )


def _difference(after: list[Money], before: list[Money]) -> list[Money]:
    base = {m.currency: m.amount for m in before}
    currencies = sorted({m.currency for m in after} | set(base))
    after_by = {m.currency: m.amount for m in after}
    return [Money(after_by.get(c, Decimal(0)) - base.get(c, Decimal(0)), c) for c in currencies]
