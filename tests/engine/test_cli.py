"""``openspm calc``: run, explain, diff; clear errors and no partial output."""

from __future__ import annotations

import csv
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from openspm.engine import load_plans, outputs, run
from openspm.engine.cli import main
from openspm.engine.inputs import read_folder
from openspm.engine.outputs import (
    _columns_text,
    _needs_quotes,
    decimal_text,
    run_to_folder,
    write_outputs,
)

CASES = Path(__file__).parent / "cases"


def copy_case(name: str, tmp: Path) -> Path:
    target = tmp / name
    shutil.copytree(CASES / name, target)
    return target


def run_case(case: Path, out: Path, *extra: str) -> int:
    """``openspm calc run`` of a case folder's plan and inputs for 2026-Q1 into ``out``."""
    argv = ["run", str(case / "plan.yaml"), "--data", str(case / "inputs")]
    return main([*argv, "--period", "2026-Q1", "--out", str(out), *extra])


class TestRun:
    def test_writes_outputs_and_manifest(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        case = CASES / "glossary_tiers_marginal"
        out = tmp_path / "out"
        code = main(
            [
                "run",
                str(case / "plan.yaml"),
                "--data",
                str(case / "inputs"),
                "--period",
                "2026-Q1",
                "--out",
                str(out),
                "--sql",
                str(tmp_path / "r.sql"),
            ]
        )
        assert code == 0
        assert sorted(p.name for p in out.iterdir()) == [
            "credits.csv",
            "earnings.csv",
            "measures.csv",
            "payouts.csv",
            "run.json",
        ]
        payouts = (out / "payouts.csv").read_text()
        assert ",a,2026-Q1,new_business,earning,16000,USD,1,16000,USD," in payouts
        assert "CREATE OR REPLACE TEMP TABLE p0_credits" in (tmp_path / "r.sql").read_text()
        assert "payouts 2" in capsys.readouterr().out

    def test_plan_error_exits_non_zero_without_output(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        case = copy_case("glossary_tiers_marginal", tmp_path)
        plan = case / "plan.yaml"
        plan.write_text(
            plan.read_text().replace(
                "    id: new_business\n", "    id: new_business\n    colour: x\n"
            )
        )
        out = tmp_path / "out"
        code = main(
            [
                "run",
                str(plan),
                "--data",
                str(case / "inputs"),
                "--period",
                "2026-Q1",
                "--out",
                str(out),
            ]
        )
        assert code == 1
        err = capsys.readouterr().err
        assert f"{plan}:10: components[0].colour: unknown key" in err
        assert not out.exists()
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]

    def test_data_error_keeps_the_previous_output_intact(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        case = copy_case("glossary_tiers_marginal", tmp_path)
        out = tmp_path / "out"
        args = [
            "run",
            str(case / "plan.yaml"),
            "--data",
            str(case / "inputs"),
            "--period",
            "2026-Q1",
            "--out",
            str(out),
        ]
        assert main(args) == 0
        before = (out / "payouts.csv").read_text()
        tx = case / "inputs" / "transactions.csv"
        tx.write_text(tx.read_text() + "D9,a,12x,USD,2026-01-01\n")
        assert main(args) == 1
        assert (
            "transactions row 4: column amount: '12x' is not a valid decimal"
            in capsys.readouterr().err
        )
        assert (out / "payouts.csv").read_text() == before

    def test_refuses_to_overwrite_a_foreign_folder(self, tmp_path: Path) -> None:
        case = CASES / "glossary_tiers_marginal"
        out = tmp_path / "mine"
        out.mkdir()
        (out / "notes.txt").write_text("keep me")
        code = main(
            [
                "run",
                str(case / "plan.yaml"),
                "--data",
                str(case / "inputs"),
                "--period",
                "2026-Q1",
                "--out",
                str(out),
            ]
        )
        assert code == 1
        assert (out / "notes.txt").read_text() == "keep me"

    def test_usage_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["run"]) == 2
        assert main(["frobnicate"]) == 2


class TestExplainAndDiff:
    def test_explain_in_words_and_numbers(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        out = tmp_path / "out"
        run_case(CASES / "glossary_tiers_marginal", out)
        capsys.readouterr()
        assert main(["explain", str(out), "--payee", "a"]) == 0
        text = capsys.readouterr().out
        assert "payout 16,000.00 USD" in text
        assert "attainment 125 %" in text
        assert (
            "commission 6,000.00 on D2 (owner credit, bookings 100,000.00), tier 2 at 12 %" in text
        )
        assert main(["explain", str(out), "--payee", "nobody"]) == 1

    def test_explain_names_the_run_from_its_manifest(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Output rows no longer carry the fingerprint: `run.json` does."""
        out = tmp_path / "out"
        run_case(CASES / "glossary_tiers_marginal", out)
        fingerprint = json.loads((out / "run.json").read_text())["fingerprint"]
        with (out / "earnings.csv").open(newline="") as fh:
            assert "run_fingerprint" not in next(csv.reader(fh))
        capsys.readouterr()
        assert main(["explain", str(out), "--payee", "a"]) == 0
        assert f"(run {fingerprint[:12]})" in capsys.readouterr().out
        (out / "run.json").unlink()
        assert main(["explain", str(out), "--payee", "a"]) == 1
        assert "run.json" in capsys.readouterr().err

    def test_diff_attributes_changes_to_causes(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        case = copy_case("glossary_tiers_marginal", tmp_path)
        a, b = tmp_path / "a", tmp_path / "b"
        args = [
            "run",
            str(case / "plan.yaml"),
            "--data",
            str(case / "inputs"),
            "--period",
            "2026-Q1",
        ]
        assert main([*args, "--out", str(a)]) == 0
        plan = case / "plan.yaml"
        plan.write_text(plan.read_text().replace("rate: 0.12", "rate: 0.15"))
        tx = case / "inputs" / "transactions.csv"
        tx.write_text(tx.read_text() + "D4,b,10000,USD,2026-03-15\n")
        assert main([*args, "--out", str(b)]) == 0
        capsys.readouterr()
        assert main(["diff", str(a), str(b)]) == 0
        text = capsys.readouterr().out
        assert "a 2026-Q1: 16,000.00 → 17,500.00 (+1,500.00)" in text
        assert "+1,500.00: rate on D2: 0.12 → 0.15 [new_business]" in text
        assert "b 2026-Q1: 10,000.00 → 11,500.00 (+1,500.00)" in text
        assert "+1,500.00: deal D4 added [new_business]" in text
        assert main(["diff", str(a), str(a)]) == 0
        assert capsys.readouterr().out == "no differences\n"


class TestFormats:
    def _run(self, out: Path, *extra: str) -> int:
        return run_case(CASES / "glossary_tiers_marginal", out, *extra)

    def test_parquet_outputs_keep_exact_decimals_and_explain_reads_them(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        out = tmp_path / "out"
        assert self._run(out, "--format", "parquet") == 0
        assert sorted(p.name for p in out.iterdir()) == [
            "credits.parquet",
            "earnings.parquet",
            "measures.parquet",
            "payouts.parquet",
            "run.json",
        ]
        manifest = json.loads((out / "run.json").read_text())
        assert manifest["format"] == "parquet"
        payouts = pq.read_table(out / "payouts.parquet")
        assert manifest["rows"]["payouts"] == payouts.num_rows == 2
        assert pa.types.is_decimal(payouts.schema.field("amount").type)
        amounts = {(r["payee_id"], r["line_type"]): r["amount"] for r in payouts.to_pylist()}
        assert amounts[("a", "earning")] == Decimal("16000")
        capsys.readouterr()
        assert main(["explain", str(out), "--payee", "a"]) == 0
        assert "payout 16,000.00 USD" in capsys.readouterr().out

    def test_streamed_csv_equals_the_in_memory_run_written_out(self, tmp_path: Path) -> None:
        case = CASES / "glossary_tiers_marginal"
        assert self._run(tmp_path / "streamed") == 0
        plans = load_plans(case / "plan.yaml")
        result = run(plans, read_folder(case / "inputs"), period="2026-Q1")
        write_outputs(result, tmp_path / "memory", plans=[])
        for name in ("credits", "measures", "earnings", "payouts"):
            streamed = (tmp_path / "streamed" / f"{name}.csv").read_bytes()
            assert streamed == (tmp_path / "memory" / f"{name}.csv").read_bytes(), name

    def test_a_memory_limit_writes_the_same_files_one_by_one(self, tmp_path: Path) -> None:
        # without a limit the CSV outputs are written two at a time on cursors of the run's
        # connection; under one, one by one on the connection itself
        case = CASES / "glossary_tiers_marginal"
        plans, inputs = load_plans(case / "plan.yaml"), read_folder(case / "inputs")
        run_to_folder(plans, inputs, tmp_path / "side_by_side", period="2026-Q1")
        run_to_folder(plans, inputs, tmp_path / "one_thread", period="2026-Q1", threads=1)
        assert self._run(tmp_path / "limited", "--memory-limit", "1GB") == 0
        for name in ("credits", "measures", "earnings", "payouts"):
            side_by_side = (tmp_path / "side_by_side" / f"{name}.csv").read_bytes()
            assert side_by_side == (tmp_path / "one_thread" / f"{name}.csv").read_bytes(), name
            assert side_by_side == (tmp_path / "limited" / f"{name}.csv").read_bytes(), name

    @pytest.mark.parametrize("scale", [0, 4, 10, 28])
    def test_csv_decimals_are_plain_without_trailing_zeros(
        self, scale: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        values = ["16000", "0.05", "0", "-0.5", "-100", "123.4560", None, "0.0000001"]
        values += ["-0.00000012", "1E-28"]
        places = [
            None if v is None else -Decimal(v).normalize().as_tuple().exponent for v in values
        ]
        kept = [v for v, p in zip(values, places, strict=True) if p is None or p <= scale]
        numbers = [None if v is None else Decimal(v) for v in kept]
        want = {
            "16000": "16000",
            "0.05": "0.05",
            "0": "0",
            "-0.5": "-0.5",
            "-100": "-100",
            "123.4560": "123.456",
            None: None,
            "0.0000001": "0.0000001",
            "-0.00000012": "-0.00000012",
            "1E-28": "0.0000000000000000000000000001",
        }
        column = pa.array(numbers, pa.decimal128(38, scale))
        assert decimal_text(column).to_pylist() == [want[v] for v in kept]
        halves = pa.chunked_array([column.slice(0, 3), column.slice(3)])
        assert decimal_text(halves).to_pylist() == [want[v] for v in kept]
        # repeated values take the path that writes each distinct value once
        converted: list[int] = []
        each = outputs._each_decimal_text

        def counting(values: pa.Array) -> pa.Array:
            converted.append(len(values))
            return each(values)

        monkeypatch.setattr(outputs, "_each_decimal_text", counting)
        repeated = pa.array(numbers * 3, pa.decimal128(38, scale))
        assert decimal_text(repeated).to_pylist() == [want[v] for v in kept] * 3
        assert converted == [len({n for n in numbers if n is not None})]

    @pytest.mark.parametrize("kind", [pa.decimal32, pa.decimal64, pa.decimal256])
    def test_csv_decimals_of_every_width(self, kind: type) -> None:
        values = [Decimal("12.5"), None, Decimal("-0.25"), Decimal("0")] * 2
        column = pa.array(values, kind(9, 3))
        assert decimal_text(column).to_pylist() == ["12.5", None, "-0.25", "0"] * 2

    def test_csv_equal_decimal_columns_share_their_text(self) -> None:
        amount = pa.array([Decimal("669.9504"), None, Decimal("-1")], pa.decimal128(38, 28))
        prior = pa.array([Decimal("0"), None, Decimal("0")], pa.decimal128(38, 28))
        columns = [amount, prior, pa.array(["a", "b", "c"]), amount.slice(0), prior]
        texts = _columns_text(columns)
        assert [t.to_pylist() for t in texts] == [decimal_text(c).to_pylist() for c in columns]
        assert texts[3] is texts[0]
        assert texts[4] is texts[1]
        assert texts[1] is not texts[0]

    @pytest.mark.parametrize("value", ['say "hi"', "a,b", "two\nlines", "cr\rhere"])
    def test_csv_quote_check_finds_every_special_character(self, value: str) -> None:
        plain = ["T1", "T2"]
        assert not _needs_quotes(pa.array(plain))
        assert _needs_quotes(pa.array([*plain, value]))
        assert _needs_quotes(pa.chunked_array([plain, [value]]))
        assert _needs_quotes(pa.array([*plain, value], pa.large_string()))  # regex fallback
        assert not _needs_quotes(pa.array([*plain, None]))

    def test_csv_quotes_values_only_when_needed(self, tmp_path: Path) -> None:
        case = copy_case("glossary_tiers_marginal", tmp_path)
        tx = case / "inputs" / "transactions.csv"
        tx.write_text(tx.read_text().replace("D2,", '"D2, ""big""",', 1))
        out = tmp_path / "out"
        assert run_case(case, out) == 0
        with (out / "credits.csv").open(newline="") as fh:
            ids = {r["transaction_id"] for r in csv.DictReader(fh)}
        assert 'D2, "big"' in ids
        plain = tmp_path / "plain"
        assert self._run(plain) == 0
        assert '"' not in (plain / "credits.csv").read_text()
