"""Rule detector signals, hard negatives, the labeled pairs and the pair evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from naltrexone_qa.disagree.base import SEVERITY_RANK, Detector, Judgement
from naltrexone_qa.disagree.claims import analyze
from naltrexone_qa.disagree.registry import get_detector
from naltrexone_qa.disagree.rules import RuleDetector
from naltrexone_qa.disagree.topics import group_topic, shared_phrase
from naltrexone_qa.errors import UsageError
from naltrexone_qa.evaluation.pairs import evaluate, evaluate_pairs, load_pairs, prf
from naltrexone_qa.frontends.cli import cli

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "evals" / "conflict_pairs.jsonl"
CORPUS = ROOT / "corpus"
DET = RuleDetector()

SIDE = "Common side effects associated with naltrexone include sleep disturbances, anxiety, and increased excitability."
NOT_DEP = (
    "The medication is not addictive and does not cause withdrawal symptoms when used by individuals "
    "not physically dependent on opioids or alcohol."
)


def _rows() -> list[dict]:
    return [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_labeled_pairs_file_is_well_formed_and_verbatim() -> None:
    rows = _rows()
    assert len(rows) >= 40
    assert len({r["id"] for r in rows}) == len(rows)
    labels = {r["label"] for r in rows}
    assert labels == {"contradiction", "agreement", "unrelated"}
    for r in rows:
        assert r["a_doc"] != r["b_doc"], r["id"]
        for side in ("a", "b"):
            text = (CORPUS / f"{r[side + '_doc']}.txt").read_text(encoding="utf-8")
            assert r[side + "_text"] in text, (r["id"], side)
    hard = [r for r in rows if r["note"].startswith("hard negative")]
    assert len(hard) >= 10 and all(r["label"] != "contradiction" for r in hard)


def test_default_detector_meets_targets_on_labeled_pairs() -> None:
    res = evaluate(DET, load_pairs(PAIRS, "corpus"))["overall"]
    assert res["precision"] >= 0.8, res
    assert res["recall"] >= 0.7, res
    flat = evaluate_pairs(PAIRS)
    assert flat["precision"] == res["precision"] and flat["n"] == len(_rows())


def test_no_hard_negative_is_flagged() -> None:
    for r in _rows():
        if r["note"].startswith("hard negative"):
            assert DET.judge(r["a_text"], r["b_text"]).label != "contradiction", r["id"]


@pytest.mark.parametrize(
    "a, b, signal, topic",
    [
        (
            "Several studies suggest that low doses of naltrexone can help quell anxiety symptoms.",
            SIDE,
            "opposite-effects",
            "anxiety",
        ),
        (
            "Taking an opioid while on naltrexone is useless.",
            "If naltrexone is used concurrently with opiates, an overdose may occur.",
            "extent",
            "opioid",
        ),
        (
            "The effect of naltrexone on sleep quality is unclear.",
            "Naltrexone improves sleep quality in adults.",
            "certainty",
            "sleep quality",
        ),
        (
            "Stop all opioids for a minimum of seven to ten days before you start taking naltrexone.",
            "Opioid users must be opiate-free for at least one week before starting naltrexone.",
            "quantity",
            "opioids",
        ),
        (
            "Naltrexone does not block the effects of alcohol on the liver.",
            "Naltrexone can block the effects of alcohol on the liver.",
            "negation",
            "alcohol",
        ),
    ],
)
def test_each_signal_fires_and_is_named(a: str, b: str, signal: str, topic: str) -> None:
    for x, y in ((a, b), (b, a)):
        j = DET.judge(x, y)
        assert (j.label, j.signal) == ("contradiction", signal), j
        assert j.explanation and 0.5 <= j.score <= 1.0
    assert shared_phrase(a, b).words == topic


def test_topic_is_the_shared_phrase_read_from_the_text() -> None:
    assert shared_phrase(
        "Whether naltrexone lowers blood pressure is unclear.", "Naltrexone lowers blood pressure."
    ).words == ("lowers blood pressure")
    assert (
        shared_phrase("Gabapentin is well-tolerated.", "In Germany, naltrexone is sold on prescription.").words
        == "other"
    )
    assert group_topic([shared_phrase("A reduces anxiety.", "A causes anxiety."), shared_phrase("x", "y")]).words == (
        "anxiety"
    )


def test_explanation_quotes_in_the_order_of_the_pair() -> None:
    a, b = (
        "Taking an opioid while on naltrexone is useless.",
        "If naltrexone is used with opioids, an overdose may occur.",
    )
    assert "('useless' vs. 'overdose may occur')" in DET.judge(a, b).explanation
    assert "('overdose may occur' vs. 'useless')" in DET.judge(b, a).explanation


def test_a_range_that_includes_the_total_is_not_partial() -> None:
    total = "It will totally block any opioid response."
    assert DET.judge(total, "Antagonists can partially or completely reverse the effects of opioids.").label != (
        "contradiction"
    )
    assert (
        DET.judge(total, "Antagonists can partially reverse the effects of opioid response.").label == "contradiction"
    )


def test_a_hedge_on_details_does_not_contradict_a_plain_statement() -> None:
    plain = "Naltrexone works by blocking opioid receptors in the brain."
    assert DET.judge("The exact mechanism of action of naltrexone is still unclear.", plain).label != "contradiction"
    assert DET.judge("The mechanism of naltrexone is unclear.", plain).signal == "certainty"


def test_drug_names_come_from_inn_stems_not_a_corpus_list() -> None:
    from naltrexone_qa.disagree.claims import is_drug

    assert all(is_drug(w) for w in ("naltrexone", "naloxone", "diazepam", "alprazolam", "gabapentin", "oxycodone"))
    assert not any(is_drug(w) for w in ("national", "hormone", "someone", "april", "opioid"))
    assert DET.judge("Pregabalin reduces anxiety.", "Naltrexone causes anxiety.").label != "contradiction"


def test_direct_contradiction_outranks_number_and_certainty_differences() -> None:
    direct = DET.judge(
        "Taking an opioid while on naltrexone is useless.",
        "If naltrexone is used concurrently with opiates, an overdose may occur.",
    )
    number = DET.judge(
        "Wait seven to ten days before you start taking naltrexone after opioids.",
        "Wait at least one week before you start taking naltrexone after opioids.",
    )
    assert SEVERITY_RANK[direct.severity] > SEVERITY_RANK[number.severity]
    assert direct.score > number.score
    assert number.signal == "quantity"


def test_same_quantity_in_other_words_is_not_a_conflict() -> None:
    j = DET.judge(
        "Stop opioids for one week before you start naltrexone.",
        "Stop opioids for seven days before you start naltrexone.",
    )
    assert j.label != "contradiction"


def test_condition_difference_is_suppressed_and_named() -> None:
    a = "Naltrexone can cause withdrawal symptoms if taken by people who are still dependent on opioids."
    b = "Naltrexone does not cause withdrawal symptoms when used by individuals not physically dependent on opioids."
    j = DET.judge(a, b)
    assert j.label == "agreement" and j.signal == "condition-difference"
    # Same condition on both sides: now it is a real disagreement.
    c = "Naltrexone does not cause withdrawal symptoms if taken by people who are still dependent on opioids."
    assert DET.judge(a, c).label == "contradiction"


def test_a_different_drug_is_not_a_contradiction() -> None:
    gaba = (
        "A common scenario involves treating alcohol dependence, where Naltrexone addresses cravings, "
        "and Gabapentin helps manage symptoms like anxiety, insomnia, or nerve pain."
    )
    assert DET.judge(gaba, SIDE).label != "contradiction"
    assert DET.judge("Gabapentin reduces anxiety.", "Naltrexone causes anxiety.").label != "contradiction"
    assert DET.judge("Naltrexone reduces anxiety.", "Naltrexone causes anxiety.").label == "contradiction"


def test_not_only_and_instructions_are_not_negations() -> None:
    assert not analyze("The drug is not only used in patients with opioid dependence.").negated
    j = DET.judge(
        "Patients must not take any opiates during therapy with naltrexone.",
        "Taking an opioid while on naltrexone is useless.",
    )
    assert j.label != "contradiction"


def test_agreement_and_unrelated() -> None:
    assert (
        DET.judge(
            "It’s used an antidote for opioid overdose for this reason.",
            "Thus, naltrexone serves as an antidote for opioid poisoning.",
        ).label
        == "agreement"
    )
    assert (
        DET.judge(
            "Gabapentin is generally well-tolerated.", "In Germany, naltrexone is available only on prescription."
        ).label
        == "unrelated"
    )


def test_rule_detector_satisfies_protocol_and_factory() -> None:
    assert isinstance(DET, Detector)
    assert isinstance(get_detector("rules"), RuleDetector)
    with pytest.raises(UsageError, match="unknown detector"):
        get_detector("magic")


_TEXTS = sorted({r[k] for r in _rows() for k in ("a_text", "b_text")} | {SIDE, NOT_DEP})


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.sampled_from(_TEXTS), st.sampled_from(_TEXTS))
def test_label_is_symmetric_and_well_typed(a: str, b: str) -> None:
    j1, j2 = DET.judge(a, b), DET.judge(b, a)
    assert isinstance(j1, Judgement)
    assert j1.label == j2.label and j1.signal == j2.signal
    assert j1.label in ("contradiction", "agreement", "unrelated")
    assert 0.0 <= j1.score <= 1.0
    assert (j1.severity != "none") == (j1.label == "contradiction")


def test_prf_and_baselines_on_a_small_public_style_file(tmp_path: Path) -> None:
    assert prf(0, 0, 3) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    rows = [
        {
            "claim": "Naltrexone reduces anxiety.",
            "evidence": "Naltrexone causes anxiety.",
            "label": "contradiction",
            "source": "s1",
        },
        {
            "claim": "Naltrexone reduces anxiety.",
            "evidence": "Naltrexone lowers anxiety.",
            "label": "support",
            "source": "s1",
        },
        {"claim": "Sea levels rose.", "evidence": "Ice sheets melted.", "label": "contradiction", "source": "s2"},
        {"claim": "Sea levels rose.", "evidence": "Sea levels rose fast.", "label": "support", "source": "s2"},
    ]
    f = tmp_path / "pub.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    res = evaluate(DET, load_pairs(f))
    s1, s2 = res["sources"]["s1"], res["sources"]["s2"]
    assert (s1["tp"], s1["fp"], s1["fn"]) == (1, 0, 0) and s1["f1"] == 1.0
    assert (s2["tp"], s2["fn"]) == (0, 1) and s2["recall"] == 0.0
    assert s1["baseline_always"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667}
    assert s1["baseline_never"]["f1"] == 0.0
    assert res["overall"]["n"] == 4 and res["overall"]["positives"] == 2


def test_conflicts_eval_command(tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["conflicts-eval", "--pairs", str(PAIRS), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["pairs"]["overall"]["n"] == len(_rows())
    missing = tmp_path / "nope.jsonl"
    out = runner.invoke(cli, ["conflicts-eval", "--pairs", str(PAIRS), "--public-file", str(missing)])
    assert out.exit_code == 2 and "nope.jsonl not found" in out.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"claim": "a", "evidence": "b", "label": "support"}\n{"claim": "a"}\n', encoding="utf-8")
    out = runner.invoke(cli, ["conflicts-eval", "--pairs", str(bad)])
    assert out.exit_code == 2 and "bad.jsonl:2" in out.output
