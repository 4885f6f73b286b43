"""bench stance and the pair-file reader: metrics beside baselines, file:line errors, unknown labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from naltrexone_qa.disagree.registry import check_detector_name
from naltrexone_qa.disagree.rules import RuleDetector
from naltrexone_qa.errors import DataError, UsageError
from naltrexone_qa.evaluation.pairs import load_pairs
from naltrexone_qa.evaluation.stance import bench_stance, read_pair_rows, stance_metrics
from naltrexone_qa.frontends.cli import cli

CSV = """id,evidence,claim,label,topic_ip,question
1,Naltrexone causes anxiety.,Naltrexone reduces anxiety.,Refutes,1,q
2,Naltrexone lowers anxiety.,Naltrexone reduces anxiety.,Supports,1,q
3,In Germany it is sold on prescription.,Gabapentin is well tolerated.,Neutral,2,q
4,"Vitamin D, taken daily, helps.",Vitamin D helps.,Neutral,3,q
"""


def test_metrics_per_label_macro_and_confusion() -> None:
    gold = ["supports", "refutes", "refutes", "neutral"]
    pred = ["supports", "refutes", "neutral", "neutral"]
    m = stance_metrics(gold, pred)
    assert m["per_label"]["refutes"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert m["per_label"]["neutral"]["precision"] == 0.5 and m["per_label"]["supports"]["f1"] == 1.0
    assert m["macro_f1"] == round((1.0 + 0.6667 + 0.6667) / 3, 4)
    assert m["confusion"]["rows_gold_columns_predicted"] == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    # A two-label gold file (claim-evidence) is averaged over its own labels only.
    assert stance_metrics(["supports", "refutes"], ["supports", "neutral"])["macro_over"] == ["supports", "refutes"]


def test_healthver_csv_with_baselines(tmp_path: Path) -> None:
    f = tmp_path / "hv.csv"
    f.write_text(CSV, encoding="utf-8")
    rows = read_pair_rows(f)
    assert [r.stance for r in rows] == ["refutes", "supports", "neutral", "neutral"]
    assert rows[0].a == "Naltrexone reduces anxiety." and rows[0].b == "Naltrexone causes anxiety."
    res = bench_stance(RuleDetector(), rows)
    assert res["n"] == 4 and res["gold_counts"] == {"supports": 1, "refutes": 1, "neutral": 2}
    assert res["per_label"]["refutes"]["recall"] == 1.0
    assert res["baselines"]["majority"]["label"] == "neutral"
    assert res["baselines"]["majority"]["macro_f1"] == round((2 / 3) / 3, 4)
    assert res["baselines"]["always_refutes"]["refutes_f1"] == 0.4
    assert res["detector"] == {"name": "rules", "version": RuleDetector.version}


def test_bad_rows_and_unknown_labels_are_errors_with_file_and_line(tmp_path: Path) -> None:
    bad_label = tmp_path / "a.csv"
    bad_label.write_text(CSV + '5,"e",c,Maybe,1,q\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"a\.csv:6: unknown label 'Maybe'"):
        read_pair_rows(bad_label)
    empty = tmp_path / "b.csv"
    empty.write_text(CSV.replace("Gabapentin is well tolerated.", ""), encoding="utf-8")
    with pytest.raises(DataError, match=r"b\.csv:4: need a non-empty claim and evidence"):
        read_pair_rows(empty)
    no_header = tmp_path / "c.csv"
    no_header.write_text("id,text\n1,x\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"c\.csv:1: the header lacks"):
        read_pair_rows(no_header)
    jl = tmp_path / "d.jsonl"
    jl.write_text(
        '{"claim": "a", "evidence": "b", "label": "support"}\n{"claim": "a", "evidence": "b", "label": "x"}\n'
    )
    with pytest.raises(DataError, match=r"d\.jsonl:2: unknown label 'x'"):
        load_pairs(jl)
    with pytest.raises(DataError, match="not found"):
        read_pair_rows(tmp_path / "none.csv")


def test_bench_stance_command_json_and_errors(tmp_path: Path) -> None:
    f = tmp_path / "hv.csv"
    f.write_text(CSV, encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(cli, ["bench", "stance", str(f), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert {"per_label", "macro_f1", "confusion", "baselines", "detector"} <= set(data)
    out = runner.invoke(cli, ["bench", "stance", str(f)])
    assert out.exit_code == 0 and "always-refutes" in out.output and "macro-F1" in out.output
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV + "5,e,c,Maybe,1,q\n", encoding="utf-8")
    out = runner.invoke(cli, ["bench", "stance", str(bad)])
    assert out.exit_code == 2 and "bad.csv:6: unknown label" in out.output and "Traceback" not in out.output
    out = runner.invoke(cli, ["conflicts-eval", "--pairs", str(f), "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["pairs"]["overall"]["positives"] == 1
    out = runner.invoke(cli, ["bench", "stance", str(f), "--detector", "magic"])
    assert out.exit_code == 2 and "unknown detector" in out.output


def test_stance_detector_name_needs_a_folder() -> None:
    assert check_detector_name("stance:some/dir") == "stance:some/dir"
    with pytest.raises(UsageError, match="stance:DIR"):
        check_detector_name("stance")
    with pytest.raises(UsageError, match="unknown detector"):
        check_detector_name("rules:x")
