"""Earning summaries beyond numbered tiers: named tiers and tier-less SPIFF lines, stored as
sums and drilled down to their deals from the run's archive."""

from __future__ import annotations

from decimal import Decimal

import pyarrow.compute as pc
import pytest

from openspm.comp import archive, summaries
from openspm.comp.models import EarningLine
from openspm.comp.selectors import trace as trace_selectors
from tests.comp.factories import TIERED_PLAN, glossary_quarter, publish_ae_plan
from tests.comp.test_statements import run_quarter
from tests.factories import World

NAMED_TIERS_AND_SPIFF = (
    TIERED_PLAN.replace("rate: 0.05}", "rate: 0.05, label: base}")
    .replace("rate: 0.12}", "rate: 0.12, label: accelerator}")
    .replace("pay:\n", "  - {kind: spiff, id: launch, amount: 500}\npay:\n")
)


@pytest.mark.django_db
class TestNamedTiersAndSpiffs:
    def test_each_line_sums_its_deals_and_drills_down_to_them(self, world: World) -> None:
        publish_ae_plan(world, text=NAMED_TIERS_AND_SPIFF)
        glossary_quarter(world)
        run = run_quarter(world)
        rep1 = world.people["rep1"]
        stored = EarningLine.objects.filter(run=run, person=rep1)
        lines = {(x.component_id, x.tier): x for x in stored}
        # D1 150,000 and D2's first 50,000 below the 200,000 quota at 5 %, D2's other 50,000
        # above it at 12 %; a 500 SPIFF on each deal (a tier-less line).
        assert {key: (x.line_count, x.amount) for key, x in lines.items()} == {
            ("commission", "base"): (2, Decimal("10000")),
            ("commission", "accelerator"): (1, Decimal("6000")),
            ("launch", ""): (2, Decimal("1000")),
        }
        deals = {
            ("commission", "base"): ["D1", "D2"],
            ("commission", "accelerator"): ["D2"],
            ("launch", ""): ["D1", "D2"],
        }
        for key, refs in deals.items():
            shown = trace_selectors.get_line_trace(
                viewer=world.users["compadmin"], line_id=lines[key].pk
            )
            assert [d.transaction_ref for d in shown.deals] == refs, key
            assert {d.tier for d in shown.deals} == {key[1]}, key
            assert sum(d.amount for d in shown.deals) == lines[key].amount, key
            assert (shown.deal_count, shown.archive_missing) == (len(refs), False), key
            assert sorted({c.transaction_ref for c in shown.credits}) == refs, key


@pytest.mark.django_db
def test_numbered_tiers_are_written_in_number_order(world: World) -> None:
    publish_ae_plan(world)
    glossary_quarter(world)
    earnings = archive.read_output(run_quarter(world).pk, "earnings")
    renumbered = pc.replace_substring_regex(earnings.column("tier"), "^1$", "10")
    earnings = earnings.set_column(earnings.schema.get_field_index("tier"), "tier", renumbered)
    period, deals = summaries.earning_lines(earnings)
    assert period.num_rows == 0
    rep1 = [row["tier"] for row in deals.to_pylist() if row["payee_id"] == "REP1"]
    assert rep1 == ["2", "10"]  # by number, not as text ("10" < "2")
