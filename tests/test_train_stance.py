"""train stance: disjoint seeded split, data errors, checkpoint/resume, and the stance:DIR detector."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from naltrexone_qa.errors import DataError, UsageError
from naltrexone_qa.training.stance import Recipe, batch_plan, load_optimizer, save_checkpoint
from naltrexone_qa.training.stance_data import check_disjoint, component_split, norm_text, prepare


def _pairs(path: Path) -> Path:
    rows = []
    for i, t in enumerate(["sleep", "appetite", "blood pressure", "heart rate", "mood", "pain", "nausea", "memory"]):
        for d in ("drug A", "drug B", "drug C"):
            claim = f"{d} improves {t} in adults ({i})."
            rows.append({"claim": claim, "evidence": f"In trial {i}, {d} improved {t}.", "label": "support"})
            rows.append({"claim": claim, "evidence": f"In study {i}, {d} worsened {t}.", "label": "contradiction"})
    # Shared evidence links two claims into one component.
    rows.append(
        {
            "claim": "drug A improves sleep in adults (0).",
            "evidence": "In trial 1, drug A improved appetite.",
            "label": "support",
        }
    )
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_split_is_seeded_and_disjoint_by_claim_and_evidence(tmp_path: Path) -> None:
    f = _pairs(tmp_path / "p.jsonl")
    one, two = prepare(f, seed=3), prepare(f, seed=3)
    assert one == two
    assert all(one[s] for s in ("fit", "hold", "report"))
    owner = {}
    for s, rows in one.items():
        for r in rows:
            for t in (r["claim"], r["evidence"]):
                assert owner.setdefault(norm_text(t), s) == s
    assert {r["label"] for r in one["fit"]} == {"supports", "refutes", "neutral"}
    rows = [json.loads(line) for line in f.read_text().splitlines()]
    split = component_split(rows, seed=3)
    assert split[0] == split[1] == split[6] == split[len(rows) - 1]  # one component via shared claim and evidence
    with pytest.raises(DataError, match="both fit and hold"):
        check_disjoint({"fit": [{"claim": "x", "evidence": "y"}], "hold": [{"claim": "x", "evidence": "z"}]})


def test_missing_or_bad_training_data_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"training data not found: .*nope\.jsonl"):
        prepare(tmp_path / "nope.jsonl", seed=1)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"claim": "a", "evidence": "b", "label": "maybe"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.jsonl:1: unknown label"):
        prepare(bad, seed=1)


def test_batch_plan_depends_on_the_seed_only() -> None:
    plan = batch_plan(10, 4, 7, seed=5)
    assert plan == batch_plan(10, 4, 7, seed=5) and plan != batch_plan(10, 4, 7, seed=6)
    assert len(plan) == 7 and sorted(i for b in plan[:3] for i in b) == list(range(10))


class _Saver:
    def save_pretrained(self, path: str) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)


def test_optimizer_state_round_trips_through_safetensors(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    lin = torch.nn.Linear(3, 2)
    opt = torch.optim.AdamW(lin.parameters(), lr=0.1)
    for _ in range(2):
        lin(torch.ones(1, 3)).sum().backward()
        opt.step()
        opt.zero_grad()
    save_checkpoint(tmp_path / "ck", _Saver(), opt, {"step": 2, "recipe": {"seed": 1}})
    assert not list((tmp_path / "ck").glob("*.pt")) and (tmp_path / "ck" / "optimizer.safetensors").is_file()
    fresh = torch.optim.AdamW(lin.parameters(), lr=0.1)
    state = load_optimizer(tmp_path / "ck", fresh)
    assert state["step"] == 2
    for k, v in opt.state_dict()["state"].items():
        got = fresh.state_dict()["state"][k]
        assert torch.equal(v["exp_avg"], got["exp_avg"]) and float(v["step"]) == float(got["step"])


def test_train_stance_command_reports_bad_data_without_a_traceback(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from naltrexone_qa.frontends.cli import cli

    runner = CliRunner()
    out = runner.invoke(
        cli, ["train", "stance", "--out", str(tmp_path / "m"), "--pairs-file", str(tmp_path / "no.jsonl")]
    )
    assert out.exit_code != 0 and "training data not found" in out.output and "Traceback" not in out.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"claim": "a", "evidence": "b", "label": "maybe"}\n', encoding="utf-8")
    out = runner.invoke(cli, ["train", "stance", "--out", str(tmp_path / "m"), "--pairs-file", str(bad)])
    assert out.exit_code != 0 and "bad.jsonl:1: unknown label" in out.output
    assert not (tmp_path / "m").exists()
    out = runner.invoke(cli, ["train", "stance", "--out", str(tmp_path / "m")], env={"NALTREXONE_QA_BENCHMARKS": ""})
    assert out.exit_code == 2 and "--pairs-file" in out.output and "NALTREXONE_QA_BENCHMARKS" in out.output
    out = runner.invoke(
        cli, ["train", "stance", "--out", str(tmp_path / "m")], env={"NALTREXONE_QA_BENCHMARKS": str(tmp_path)}
    )
    assert out.exit_code != 0 and "claim-evidence" in out.output and "Traceback" not in out.output


def test_stance_detector_without_a_trained_folder_is_a_usage_error(tmp_path: Path) -> None:
    from naltrexone_qa.disagree.registry import get_detector

    with pytest.raises(UsageError, match="train stance --out"):
        get_detector(f"stance:{tmp_path}")


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.mark.slow
def test_tiny_run_resumes_exactly_and_loads_as_a_detector(tmp_path: Path) -> None:
    """Three steps on the real MiniLM (about 15 s each run): interrupted after step 2, resumed, same weights."""
    from naltrexone_qa.disagree.registry import get_detector
    from naltrexone_qa.training.stance import train_stance

    f = _pairs(tmp_path / "p.jsonl")
    recipe = Recipe(seed=2, max_steps=3, checkpoint_every=1, batch=4)
    whole = train_stance(f, tmp_path / "whole", recipe)

    class Stop(Exception):
        pass

    def stop_at_two(msg: str) -> None:
        if msg.startswith("step 2/"):
            raise Stop

    with pytest.raises(Stop):
        train_stance(f, tmp_path / "cut", recipe, progress=stop_at_two)
    assert json.loads((tmp_path / "cut" / "checkpoint" / "state.json").read_text())["step"] == 2
    resumed = train_stance(f, tmp_path / "cut", recipe)
    assert resumed["adapter_sha256"] == whole["adapter_sha256"]
    assert whole["healthver_used"] is False and whole["steps"] == 3
    det = get_detector(f"stance:{tmp_path / 'whole'}")
    assert det.version.startswith("stance-1:")
    cond = det.judge_many(
        [
            (
                "Naltrexone can cause withdrawal symptoms if taken by people who are still dependent on opioids.",
                "Naltrexone does not cause withdrawal symptoms when used by individuals not physically dependent.",
            )
        ]
    )
    assert cond[0].signal == "condition-difference" and cond[0].label != "contradiction"
    assert np.isfinite(det.judge_many([("A lowers pain.", "A raises pain.")])[0].score)


@pytest.mark.slow
def test_train_stance_command_on_tiny_inputs(tmp_path: Path) -> None:
    """The CLI end to end on 24 pairs, two steps: a card with report-split metrics, sha256 and no HealthVer."""
    from click.testing import CliRunner

    from naltrexone_qa.frontends.cli import cli

    f = _pairs(tmp_path / "p.jsonl")
    out_dir = tmp_path / "model"
    args = ["train", "stance", "--out", str(out_dir), "--pairs-file", str(f), "--max-steps", "2", "--seed", "4"]
    res = CliRunner().invoke(cli, [*args, "--json"])
    assert res.exit_code == 0, res.output
    card = json.loads(res.stdout[res.stdout.index("{") :])
    assert card["steps"] == 2 and card["healthver_used"] is False and card["recipe"]["seed"] == 4
    assert card["adapter_sha256"] == _sha(out_dir / "adapter" / "adapter_model.safetensors")
    assert set(card["data"]) == {"fit", "hold", "report"} and 0.0 <= card["report_split"]["macro_f1"] <= 1.0
    assert json.loads((out_dir / "stance_card.json").read_text()) == card
    assert {p.suffix for p in out_dir.rglob("*") if p.is_file()} <= {".json", ".safetensors", ".md"}
    # The same options again resume a finished run; other options in the same folder are refused.
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0 and "saved" in again.output
    other = CliRunner().invoke(cli, [*args[:-2], "--seed", "5"])
    assert other.exit_code == 2 and "another recipe" in other.output
