"""Simulate a plan version: what a period would have cost under it, against the published plans.

The period's inputs are read once (`calc.build_inputs`) and the engine runs twice in-process:
once with the published versions a run of the period would use, once with `version` in place
of its plan's published version (its document as it stands, id and version included). The
engine's run diff (`engine.diff.diff_runs`) attributes each payee's difference to its causes.
Nothing is written to the database.
"""

from __future__ import annotations

import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from openspm import engine
from openspm.comp.errors import NothingToRun, RunFailed
from openspm.comp.selectors import runs as run_selectors
from openspm.comp.services import calc
from openspm.core.access import Viewer
from openspm.core.errors import PermissionDenied
from openspm.engine.diff import diff_runs
from openspm.engine.outputs import write_outputs
from openspm.org import selectors as org_selectors
from openspm.org.models import Period, Person
from openspm.plans import selectors as plan_selectors
from openspm.plans.models import PlanVersion

_HEADER = re.compile(r"^(?P<payee>\S+) (?P<period>\S+): ")


@dataclass(frozen=True)
class PayeeDifference:
    """One payee's payout for the period under the published plans and under the draft."""

    person_id: int | None
    external_id: str
    name: str
    currency: str
    published_amount: Decimal
    draft_amount: Decimal
    causes: tuple[str, ...]

    @property
    def difference(self) -> Decimal:
        return self.draft_amount - self.published_amount


@dataclass(frozen=True)
class CurrencyDifference:
    currency: str
    published_amount: Decimal
    draft_amount: Decimal

    @property
    def difference(self) -> Decimal:
        return self.draft_amount - self.published_amount


@dataclass(frozen=True)
class Simulation:
    """The outcome of `simulate_version`: per payee, per currency, and the diff's own text."""

    version: PlanVersion
    period_key: str
    published_plans: tuple[str, ...]
    draft_plans: tuple[str, ...]
    payees: tuple[PayeeDifference, ...]
    totals: tuple[CurrencyDifference, ...]
    report: str

    @property
    def changed_payees(self) -> tuple[PayeeDifference, ...]:
        return tuple(p for p in self.payees if p.difference or p.causes)


def simulate_version(*, actor: Viewer, version_id: int, period_key: str) -> Simulation:
    """Run `version` against `period_key` beside the published plans; write nothing."""
    if not run_selectors.sees_runs(actor):
        raise PermissionDenied(
            "Only administrators, comp admins and finance may simulate a plan: it shows "
            "every payee's pay."
        )
    version = plan_selectors.get_version(viewer=actor, version_id=version_id)
    period = org_selectors.get_period(key=period_key)
    # The published versions a run of this period would use (calc's own choice of versions).
    published = calc.plan_versions_for(period)
    draft_set = [v for v in published if v.plan_id != version.plan_id] + [version]
    inputs = calc.build_inputs(period=period)
    with tempfile.TemporaryDirectory(prefix="openspm-simulate-") as tmp:
        before = _run(published, inputs, period=period, outdir=Path(tmp) / "published")
        after = _run(draft_set, inputs, period=period, outdir=Path(tmp) / "draft")
        if after is None:
            raise NothingToRun(f"The draft pays nothing in {period.key}.")
        report = diff_runs(Path(tmp) / "published", Path(tmp) / "draft")
    empty: dict[tuple[str, str], Decimal] = {}
    paid_before = _payout_totals(before.tables["payouts"]) if before else empty
    paid_after = _payout_totals(after.tables["payouts"])
    causes = _causes_by_payee(report)
    people = {
        p.external_id: p
        for p in Person.objects.filter(
            external_id__in={payee for payee, _ in (*paid_before, *paid_after)}
        )
    }
    payees = []
    for payee, currency in sorted(set(paid_before) | set(paid_after)):
        person = people.get(payee)
        payees.append(
            PayeeDifference(
                person_id=person.pk if person else None,
                external_id=payee,
                name=f"{person.first_name} {person.last_name}" if person else payee,
                currency=currency,
                published_amount=paid_before.get((payee, currency), Decimal(0)),
                draft_amount=paid_after.get((payee, currency), Decimal(0)),
                causes=tuple(causes.get(payee, ())),
            )
        )
    return Simulation(
        version=version,
        period_key=period.key,
        published_plans=tuple(f"{v.plan.code} v{v.number}" for v in published),
        draft_plans=tuple(f"{v.plan.code} v{v.number}" for v in draft_set),
        payees=tuple(payees),
        totals=_currency_totals(payees),
        report=report,
    )


def _run(
    versions: list[PlanVersion], inputs: dict[str, pa.Table], *, period: Period, outdir: Path
) -> engine.RunResult | None:
    """Run the engine on `versions` and write its output folder (empty when no plan)."""
    if not versions:
        outdir.mkdir(parents=True)
        return None
    try:
        result = calc.run_engine(calc.load_versions(versions), inputs, period=period)
    except engine.EngineError as error:
        raise RunFailed(str(error)) from None
    write_outputs(result, outdir, plans=[f"{v.plan.code}.yaml" for v in versions])
    return result


def _payout_totals(table: pa.Table) -> dict[tuple[str, str], Decimal]:
    """What each payee is paid, per payout currency, at full precision."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in table.select(["payee_id", "currency", "amount"]).to_pylist():
        totals[(row["payee_id"], row["currency"])] += row["amount"] or Decimal(0)
    return {key: _trimmed(value) for key, value in totals.items()}


def _trimmed(value: Decimal) -> Decimal:
    """The engine's scale without its trailing zeros, keeping cents: 16000.000… → 16000.00."""
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return value.normalize()
    return value.quantize(Decimal("0.01"))


def _causes_by_payee(report: str) -> dict[str, list[str]]:
    """The diff's cause lines (indented under each `PAYEE PERIOD: a → b` line), by payee."""
    causes: dict[str, list[str]] = defaultdict(list)
    payee = None
    for line in report.splitlines():
        if line.startswith(" "):
            if payee is not None:
                causes[payee].append(line.strip())
            continue
        match = _HEADER.match(line)
        payee = match["payee"] if match else None
    return dict(causes)


def _currency_totals(payees: Iterable[PayeeDifference]) -> tuple[CurrencyDifference, ...]:
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for p in payees:
        sums[p.currency][0] += p.published_amount
        sums[p.currency][1] += p.draft_amount
    return tuple(CurrencyDifference(c, a, b) for c, (a, b) in sorted(sums.items()))
