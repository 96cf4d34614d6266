"""Property tests of the engine's invariants (DESIGN §6, issue 3 "Tests").

Each property builds small random inputs with hypothesis, runs the whole engine and checks an
invariant that must hold for every input, not just the hand-checked golden cases.
"""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
from decimal import Decimal

import pyarrow as pa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from openspm.engine import load_plan_text, run

SETTINGS = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TIERED = """
schema_version: 1
id: prop
currency: USD
measures:
  bookings: {{value: amount}}
components:
  - kind: commission
    id: comm
    measure: bookings
    tiering: {tiering}
    tier_basis: attainment
    accumulate: quarter_to_date
    tiers:
      - {{from: 0, to: 0.5, rate: 0.02}}
      - {{from: 0.5, to: 1.0, rate: 0.05}}
      - {{from: 1.0, to: 1.5, rate: 0.08}}
      - {{from: 1.5, rate: 0.12}}
{extra}
pay:
  frequency: quarter
{pay}
"""

amounts = st.decimals(min_value=Decimal("1"), max_value=Decimal("90000"), places=2)
deals = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), amounts, st.integers(min_value=0, max_value=89)),
    min_size=1,
    max_size=12,
)


def plan(tiering: str = "marginal", extra: str = "", pay: str = "") -> object:
    return load_plan_text(textwrap.dedent(TIERED.format(tiering=tiering, extra=extra, pay=pay)))


def tx_table(rows: list[tuple[str, Decimal, int]]) -> pa.Table:
    return pa.table(
        {
            "transaction_id": [f"T{i:03d}" for i in range(len(rows))],
            "payee_id": [r[0] for r in rows],
            "amount": pa.array([r[1] for r in rows], pa.decimal128(18, 2)),
            "currency": ["USD"] * len(rows),
            "booked_on": [date(2026, 1, 1) + timedelta(days=r[2]) for r in rows],
        }
    )


QUOTAS = pa.table(
    {
        "payee_id": ["a", "b", "c"],
        "measure_id": ["bookings"] * 3,
        "period_id": ["2026-Q1"] * 3,
        "quota_amount": pa.array([Decimal(100000)] * 3, pa.decimal128(18, 2)),
    }
)


def payout_totals(result: object) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for row in result.tables["payouts"].to_pylist():  # type: ignore[attr-defined]
        totals[row["payee_id"]] = totals.get(row["payee_id"], Decimal(0)) + row["amount"]
    return totals


def earning_totals(result: object) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for row in result.tables["earnings"].to_pylist():  # type: ignore[attr-defined]
        totals[row["payee_id"]] = totals.get(row["payee_id"], Decimal(0)) + row["amount"]
    return totals


def go(p: object, transactions: pa.Table, **more: pa.Table) -> object:
    return run(
        p,
        {"transactions": transactions, "quotas": QUOTAS, **more},  # type: ignore[arg-type]
        period="2026-Q1",
    )


class TestOrderIndependence:
    @SETTINGS
    @given(deals, st.randoms(use_true_random=False))
    def test_outputs_do_not_depend_on_input_row_order(self, rows, rnd) -> None:  # type: ignore[no-untyped-def]
        table = tx_table(rows)
        order = list(range(table.num_rows))
        rnd.shuffle(order)
        a = go(plan(), table)
        b = go(plan(), table.take(pa.array(order)))
        assert a.fingerprint == b.fingerprint  # type: ignore[attr-defined]
        for name in ("credits", "earnings", "payouts"):
            assert a.tables[name].equals(b.tables[name])  # type: ignore[attr-defined]


class TestMarginalSlices:
    @SETTINGS
    @given(deals)
    def test_slices_sum_to_the_credited_base(self, rows) -> None:  # type: ignore[no-untyped-def]
        result = go(plan(), tx_table(rows))
        slices: dict[str, Decimal] = {}
        for row in result.tables["earnings"].to_pylist():  # type: ignore[attr-defined]
            slices[row["transaction_id"]] = (
                slices.get(row["transaction_id"], Decimal(0)) + row["amount"] / row["rate"]
            )
        for tx_id, amount in zip(
            tx_table(rows)["transaction_id"].to_pylist(), [r[1] for r in rows], strict=True
        ):
            assert slices[tx_id] == amount

    @SETTINGS
    @given(
        deals,
        st.integers(min_value=0),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("0.99"), places=2),
    )
    def test_splitting_a_deal_in_two_leaves_marginal_earnings_unchanged(
        self, rows, pick, share
    ) -> None:  # type: ignore[no-untyped-def]
        i = pick % len(rows)
        payee, amount, day = rows[i]
        first = (amount * share).quantize(Decimal("0.01"))
        split = [*rows[:i], (payee, first, day), (payee, amount - first, day), *rows[i + 1 :]]
        whole = earning_totals(go(plan(), tx_table(rows)))
        parts = earning_totals(go(plan(), tx_table(split)))
        assert whole == parts


def marginal_reference(
    rows: list[tuple[str, Decimal, int]], top: Decimal | None = None
) -> dict[str, Decimal]:
    """Each transaction's marginal earnings, by hand: credits in (day, transaction id) order,
    each payee's running total cut at the TIERED plan's bounds (× the 100,000 quota); with
    ``top``, the last tier ends there and nothing above it earns."""
    bounds = [
        (None, Decimal(50000), Decimal("0.02")),
        (Decimal(50000), Decimal(100000), Decimal("0.05")),
        (Decimal(100000), Decimal(150000), Decimal("0.08")),
        (Decimal(150000), top, Decimal("0.12")),
    ]
    ids = tx_table(rows)["transaction_id"].to_pylist()
    running: dict[str, Decimal] = {}
    earned: dict[str, Decimal] = {}
    for (payee, amount, _day), tx_id in sorted(
        zip(rows, ids, strict=True), key=lambda r: (r[0][2], r[1])
    ):
        before = running.get(payee, Decimal(0))
        running[payee] = before + amount
        lo, hi = min(before, before + amount), max(before, before + amount)
        sign = -1 if amount < 0 else 1
        total = Decimal(0)
        for start, end, rate in bounds:
            part = min(hi, end if end is not None else hi) - max(
                lo, start if start is not None else lo
            )
            if part > 0:
                total += sign * part * rate
        earned[tx_id] = total
    return earned


def crowded_days(largest: str) -> st.SearchStrategy[list[tuple[str, Decimal, int]]]:
    """Up to 20 deals (refunds too, down to -40,000) of two payees on four days."""
    return st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.decimals(min_value=Decimal("-40000"), max_value=Decimal(largest), places=2),
            st.integers(min_value=0, max_value=3),
        ),
        min_size=1,
        max_size=20,
    )


def nonzero_by_transaction(amounts: dict[str, Decimal]) -> dict[str, Decimal]:
    return {k: v for k, v in amounts.items() if v != 0}


def earned_by_transaction(result: object) -> dict[str, Decimal]:
    earned: dict[str, Decimal] = {}
    for row in result.tables["earnings"].to_pylist():  # type: ignore[attr-defined]
        tx_id = row["transaction_id"]
        earned[tx_id] = earned.get(tx_id, Decimal(0)) + row["amount"]
    return nonzero_by_transaction(earned)


class TestPositions:
    """Tier slicing finds each credit's running position through per-day totals, with an exact
    window only inside days that cross a bound: crowd many deals (refunds too) onto few days."""

    @SETTINGS
    @given(crowded_days("90000"))
    def test_marginal_slices_follow_the_running_total(self, rows) -> None:  # type: ignore[no-untyped-def]
        result = go(plan(), tx_table(rows))
        assert earned_by_transaction(result) == nonzero_by_transaction(marginal_reference(rows))

    @SETTINGS
    @given(crowded_days("120000"))
    @example(
        [
            ("a", Decimal("150000"), 0),
            ("a", Decimal("100000"), 1),  # crosses the top bound (200,000)
            ("a", Decimal("50000"), 2),  # wholly above it
            ("a", Decimal("-120000"), 3),  # a refund back across it
            ("b", Decimal("90000"), 0),
            ("b", Decimal("60000"), 0),  # a crowded day across the 150 % bound
        ]
    )
    def test_a_bounded_last_tier_pays_nothing_above_it(self, rows) -> None:  # type: ignore[no-untyped-def]
        # most credits are sliced by counting the bounds below them: one that crosses the
        # top bound, or lies wholly above it, must not take the last tier's rate
        text = textwrap.dedent(TIERED.format(tiering="marginal", extra="", pay=""))
        bounded = load_plan_text(
            text.replace("{from: 1.5, rate: 0.12}", "{from: 1.5, to: 2, rate: 0.12}")
        )
        result = go(bounded, tx_table(rows))
        expected = marginal_reference(rows, top=Decimal(200000))
        assert earned_by_transaction(result) == nonzero_by_transaction(expected)


class TestMonotonicity:
    @SETTINGS
    @given(deals, amounts, st.sampled_from(["marginal", "retroactive"]))
    def test_payout_never_falls_as_sales_rise(self, rows, more, tiering) -> None:  # type: ignore[no-untyped-def]
        before = payout_totals(go(plan(tiering), tx_table(rows)))
        after = payout_totals(go(plan(tiering), tx_table([*rows, (rows[0][0], more, 45)])))
        for payee, amount in before.items():
            assert after.get(payee, Decimal(0)) >= amount


class TestCaps:
    @SETTINGS
    @given(deals, st.decimals(min_value=Decimal("100"), max_value=Decimal("5000"), places=0))
    def test_period_cap_is_never_exceeded(self, rows, cap) -> None:  # type: ignore[no-untyped-def]
        p = plan(extra=f"    cap: {{scope: period, amount: {cap}}}")
        for payee, total in earning_totals(go(p, tx_table(rows))).items():
            assert total <= cap, payee


class TestDraws:
    @SETTINGS
    @given(
        st.lists(
            st.decimals(min_value=Decimal("0"), max_value=Decimal("60000"), places=2),
            min_size=3,
            max_size=3,
        ),
        st.decimals(min_value=Decimal("0.1"), max_value=Decimal("1"), places=1),
    )
    def test_recoverable_draw_balances_follow_their_rules(self, monthly, limit) -> None:  # type: ignore[no-untyped-def]
        text = textwrap.dedent(f"""
            schema_version: 1
            id: drawprop
            currency: USD
            measures:
              bookings: {{value: amount}}
            components:
              - kind: commission
                id: comm
                measure: bookings
                rate: 0.1
            pay:
              frequency: month
              draw: {{amount: 3000, recoverable: true, recovery_limit: {limit}}}
            """)
        rows = [("r", m, 14 + 31 * i) for i, m in enumerate(monthly) if m > 0]
        table = tx_table(rows) if rows else tx_table([("r", Decimal("0.01"), 100)])
        result = run(
            load_plan_text(text),
            {"transactions": table, "payees": pa.table({"payee_id": ["r"]})},
            period="2026-Q1",
        )
        balance = Decimal(0)
        by_period: dict[str, dict[str, Decimal]] = {}
        for row in result.tables["payouts"].to_pylist():
            by_period.setdefault(row["period_id"], {})[row["line_type"]] = row["amount"]
            if row["line_type"] in ("draw", "recovery"):
                by_period[row["period_id"]]["balance"] = row["draw_balance_amount"]
        for period in ("2026-01", "2026-02", "2026-03"):
            lines = by_period.get(period, {})
            earned = lines.get("earning", Decimal(0))
            draw = lines.get("draw", Decimal(0))
            recovery = -lines.get("recovery", Decimal(0))
            assert draw == max(Decimal(0), 3000 - earned)  # the draw tops up to 3,000
            assert recovery <= limit * max(earned, Decimal(0)) + Decimal("1E-20")
            assert recovery <= balance  # never recover more than is owed
            if recovery:
                assert earned - recovery >= 3000  # never below the draw while it runs
            balance = balance + draw - recovery
            assert balance >= 0
            if "balance" in lines:
                assert lines["balance"] == balance


class TestFingerprint:
    @SETTINGS
    @given(deals)
    def test_a_fingerprint_reproduces_its_run(self, rows) -> None:  # type: ignore[no-untyped-def]
        a = go(plan(), tx_table(rows))
        b = go(plan(), tx_table(rows))
        assert a.fingerprint == b.fingerprint  # type: ignore[attr-defined]
        for name in a.tables:  # type: ignore[attr-defined]
            assert a.tables[name].equals(b.tables[name])  # type: ignore[attr-defined]

    @SETTINGS
    @given(deals)
    def test_a_changed_input_changes_the_fingerprint(self, rows) -> None:  # type: ignore[no-untyped-def]
        payee, amount, day = rows[0]
        changed = [(payee, amount + 1, day), *rows[1:]]
        assert (
            go(plan(), tx_table(rows)).fingerprint
            != go(  # type: ignore[attr-defined]
                plan(), tx_table(changed)
            ).fingerprint
        )  # type: ignore[attr-defined]
