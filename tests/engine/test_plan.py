"""The plan language: strict models, Decimal from text, every issue located."""

from __future__ import annotations

import textwrap
from decimal import Decimal

import pytest

from openspm.engine import PlanError, load_plan_text, load_plans
from openspm.engine.plan.schema import Commission, Plan

GOOD = textwrap.dedent("""
    schema_version: 1
    id: ae
    currency: USD
    measures:
      bookings: {value: amount}
    components:
      - kind: commission
        id: comm
        measure: bookings
        rate: 0.035
""").lstrip()


def issues_of(text: str) -> list[str]:
    with pytest.raises(PlanError) as info:
        load_plan_text(textwrap.dedent(text).lstrip(), "plans/ae.yaml")
    return [str(i) for i in info.value.issues]


class TestLoadPlan:
    def test_numbers_are_decimal_from_their_text(self) -> None:
        loaded = load_plan_text(GOOD)
        comp = loaded.plan.components[0]
        assert isinstance(comp, Commission)
        assert comp.rate == Decimal("0.035")
        assert type(comp.rate) is Decimal
        assert str(comp.rate) == "0.035"

    def test_models_are_frozen(self) -> None:
        loaded = load_plan_text(GOOD)
        with pytest.raises(Exception, match="frozen"):
            loaded.plan.id = "other"  # type: ignore[misc]

    def test_fingerprint_is_of_the_text(self) -> None:
        assert load_plan_text(GOOD).fingerprint == load_plan_text(GOOD).fingerprint
        assert load_plan_text(GOOD).fingerprint != load_plan_text(GOOD + "\n# c\n").fingerprint

    def test_every_issue_is_reported_with_file_line_and_path(self) -> None:
        found = issues_of("""
            schema_version: 1
            id: ae
            currency: USD
            measures:
              bookings: {value: "amount +"}
            components:
              - kind: commission
                id: comm
                measure: bokings
                rate: 0.05
                colour: red
              - kind: commission
                id: tiers
                measure: bookings
                tiers:
                  - {from: 0, to: 100, rate: 0.05}
                  - {from: 150, rate: 0.1}
        """)
        assert (
            "plans/ae.yaml:5: measures.bookings.value: unexpected 'end of text' (at column 9)"
            in found
        )
        assert (
            "plans/ae.yaml:9: components[0].measure: unknown measure 'bokings' "
            "(defined: bookings)" in found
        )
        assert "plans/ae.yaml:11: components[0].colour: unknown key" in found
        assert len(found) == 3

    def test_semantic_issues_when_the_schema_is_fine(self) -> None:
        found = issues_of("""
            schema_version: 1
            id: ae
            currency: USD
            measures:
              bookings: {value: amount}
            components:
              - kind: commission
                id: tiers
                measure: bookings
                tiering: interpolated
                tiers:
                  - {from: 0, to: 100, rate: 0.05}
                  - {from: 150, rate: 0.1}
        """)
        assert any("components[0].tiers[1].from: tiers must be contiguous" in f for f in found)
        assert any("interpolated tier needs an amount" in f for f in found)
        assert any("tiers[1].to: an interpolated tier needs a finite 'to'" in f for f in found)

    def test_unknown_kind_and_duplicate_keys(self) -> None:
        found = issues_of("""
            schema_version: 1
            id: ae
            currency: USD
            measures:
              bookings: {value: amount}
            components:
              - kind: lottery
                id: x
        """)
        assert found == [
            "plans/ae.yaml:7: components[0]: unknown kind 'lottery' (expected "
            "'commission', 'spiff', 'bonus', 'mbo')"
        ]
        dupes = issues_of("schema_version: 1\nid: a\nid: b\n")
        assert dupes == ["plans/ae.yaml:3: <document>: duplicate key 'id'"]

    def test_scope_shorter_than_pay_period_is_rejected(self) -> None:
        found = issues_of(
            GOOD.replace("rate: 0.035", "rate: 0.035\n    accumulate: quarter_to_date")
            + "pay: {frequency: year}\n"
        )
        assert any("quarter_to_date cannot be paid per year" in f for f in found)

    def test_round_trip_load_dump_load(self) -> None:
        plan = load_plan_text(GOOD).plan
        again = Plan.model_validate(plan.model_dump(by_alias=True))
        assert again == plan


class TestLoadPlans:
    def test_folder_collects_issues_of_all_files(self, tmp_path) -> None:  # type: ignore[no-untyped-def]
        (tmp_path / "a.yaml").write_text(GOOD)
        (tmp_path / "b.yaml").write_text(GOOD.replace("currency: USD", "currency: usd"))
        (tmp_path / "c.yaml").write_text(GOOD)
        with pytest.raises(PlanError) as info:
            load_plans(tmp_path)
        text = str(info.value)
        assert "b.yaml:3: currency" in text
        assert "plan id 'ae' is used twice" in text
