"""The evaluation harness: the committed Q&A set, validation, scoring and the ``eval`` command.

Scoring is tested on a scripted fake pipeline whose every number is worked out
by hand below, so the tests are fast, offline and able to fail.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

import pytest
from click.testing import CliRunner

from naltrexone_qa.errors import DataError as QAFileError
from naltrexone_qa.evaluation.items import QAItem, check_doc_ids, parse_item
from naltrexone_qa.evaluation.items import load_items as load_qa
from naltrexone_qa.evaluation.qa import check_thresholds, normalize, run_eval, score_item
from naltrexone_qa.evaluation.qa import pair_scores as pair_metrics
from naltrexone_qa.evaluation.report import hybrid_check
from naltrexone_qa.frontends.cli import evaluate as cli_eval
from naltrexone_qa.types import Answer, AnswerSentence, Citation, Conflict, Document, Hit

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "evals" / "dev.jsonl"
DEV_FLAGS = ROOT / "evals" / "dev_flags.jsonl"
DEV_LAY = ROOT / "evals" / "dev_lay.jsonl"
TEST = ROOT / "evals" / "test.jsonl"
CORPUS = ROOT / "corpus"


# --------------------------------------------------------------------------- committed sets
def _corpus() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))}


def _raw(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_test_split_meets_the_issue_minimums() -> None:
    items = load_qa(TEST)
    raw = _raw(TEST)
    new = [r for r in raw if r["category"] not in ("disagreement", "hard-negative")]
    cats = Counter(r["category"] for r in raw)
    assert len(new) >= 150
    assert cats["multi-turn"] >= 50 and all(1 <= len(r["history"]) <= 3 for r in raw if r["category"] == "multi-turn")
    assert cats["near-miss"] >= 40
    assert cats["disagreement"] >= 20 and cats["hard-negative"] >= 20
    asks = Counter(r.get("asks") for r in raw)
    assert asks["number"] + asks["frequency"] + asks["name"] + asks["study"] >= 15
    assert all(
        i.disagreement == "yes" and len(set(i.disagreement_sources)) == 2 for i in items if i.category == "disagreement"
    )
    assert all(i.disagreement == "no" for i in items if i.category == "hard-negative")
    ans = [i for i in items if i.answerable]
    assert set(Counter(d for i in ans for d in i.gold_sources)) == set(_corpus())  # every article


def test_splits_are_disjoint_and_name_only_corpus_documents() -> None:
    dev, flags, lay, test = load_qa(DEV), load_qa(DEV_FLAGS), load_qa(DEV_LAY), load_qa(TEST)
    for tune in (dev, flags, lay):
        assert not {i.id for i in tune} & {i.id for i in test}
        assert not {(i.question, i.history) for i in tune} & {(i.question, i.history) for i in test}
    assert not {i.id for i in dev} & {i.id for i in flags} and not {i.id for i in lay} & {i.id for i in dev}
    for path, items in ((DEV, dev), (DEV_FLAGS, flags), (DEV_LAY, lay), (TEST, test)):
        check_doc_ids(items, _corpus(), str(path))


def test_flag_tuning_items_are_labelled_and_quotable_on_both_sides() -> None:
    """Every dev_flags item is answerable, labelled yes / no / any, and a yes names two sides' documents."""
    items = load_qa(DEV_FLAGS)
    assert len(items) >= 70 and all(it.answerable for it in items)
    assert sum(it.disagreement == "yes" for it in items) >= 40
    for it in items:
        assert it.disagreement in ("yes", "no", "any"), it.id
        if it.disagreement == "yes":
            assert len(set(it.disagreement_sources)) == 2 and set(it.disagreement_sources) <= set(it.gold_sources)


def test_key_phrases_sit_inside_one_sentence_of_a_gold_document() -> None:
    """A phrase must be quotable: inside a single segmented sentence of a gold source."""
    from naltrexone_qa.ingest.corpus import load_corpus
    from naltrexone_qa.ingest.segment import segment_document

    docs = load_corpus(CORPUS)
    sentences = {d: [normalize(s.text) for s in segment_document(doc) if s.answerable] for d, doc in docs.items()}

    def quotable(it: QAItem, p: str) -> bool:
        return any(normalize(p) in s for g in it.gold_sources for s in sentences[g])

    # every phrase of the new items (the writers' checker enforced it)
    for it in [*load_qa(TEST), *load_qa(DEV_FLAGS), *load_qa(DEV_LAY)]:
        assert all(quotable(it, p) for p in it.must_contain_any), it.id
    for it in load_qa(DEV):  # the first round's items: at least one (some also name a table row)
        assert not it.answerable or any(quotable(it, p) for p in it.must_contain_any), it.id


def test_lay_questions_paraphrase_rather_than_copy() -> None:
    text = " ".join(normalize(t) for t in _corpus().values())
    lay = {r["id"] for r in _raw(TEST) if r.get("style") == "lay"}
    assert len(lay) >= 100
    for it in load_qa(TEST):
        if it.id not in lay:
            continue
        words = re.findall(r"[a-z0-9'-]+", normalize(it.question))
        grams = {" ".join(words[i : i + 7]) for i in range(len(words) - 6)}
        assert not [g for g in grams if g in text], it.id


# --------------------------------------------------------------------------- validation
def _write(tmp_path: Path, rows: Sequence[Any]) -> Path:
    p = tmp_path / "qa.jsonl"
    p.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return p


GOOD = {
    "id": "x1",
    "question": "Q?",
    "history": [],
    "answerable": True,
    "gold_sources": ["doc-a"],
    "must_contain_any": ["blocks"],
    "disagreement": "no",
    "disagreement_sources": [],
}


@pytest.mark.parametrize(
    "row, message",
    [
        ("{oops", "qa.jsonl:2: not valid JSON"),
        ([1, 2], "qa.jsonl:2: expected a JSON object"),
        ({**GOOD, "id": "x2", "answerable": "yes"}, "qa.jsonl:2: 'answerable'"),
        ({**GOOD, "id": "x2", "disagreement": "maybe"}, "qa.jsonl:2: 'disagreement' must be one of"),
        ({**GOOD, "id": "x2", "contradiction": "yes"}, "qa.jsonl:2: 'contradiction' is now called 'disagreement'"),
        ({**GOOD, "id": "x2", "gold_sources": []}, "qa.jsonl:2: an answerable item needs"),
        ({**GOOD, "id": "x2", "answerable": False}, "qa.jsonl:2: an unanswerable item must have empty"),
        ({**GOOD, "id": "x2", "history": "earlier turn"}, "qa.jsonl:2: 'history' must be a list"),
        ({**GOOD, "id": "x2", "question": "  "}, "qa.jsonl:2: 'question' is required"),
        (GOOD, "qa.jsonl:2: duplicate id 'x1' (first on line 1)"),
    ],
)
def test_validation_errors_name_the_line(tmp_path: Path, row: Any, message: str) -> None:
    path = _write(tmp_path, [GOOD, row])
    with pytest.raises(QAFileError, match=re.escape(message)):
        load_qa(path)


def test_optional_fields_default(tmp_path: Path) -> None:
    item = parse_item({"id": "u", "question": "Capital of France?", "answerable": False}, "f:1")
    assert item.history == () and item.disagreement == "any" and item.must_contain_any == ()
    assert load_qa(_write(tmp_path, [GOOD, "", {"id": "u", "question": "Q", "answerable": False}]))[1].line == 3


def test_unknown_doc_id_is_reported_with_line(tmp_path: Path) -> None:
    items = load_qa(_write(tmp_path, [GOOD]))
    with pytest.raises(QAFileError, match=r"qa:1: item 'x1' names unknown doc_id"):
        check_doc_ids(items, ["doc-b"])


def test_empty_file_rejected(tmp_path: Path) -> None:
    with pytest.raises(QAFileError, match="no questions"):
        load_qa(_write(tmp_path, [""]))


# --------------------------------------------------------------------------- scoring on a fake pipeline
TEXT_A = "Alpha beta gamma. Naltrexone blocks opioids. It isn\u2019t addictive."
TEXT_B = "The liver may suffer. Beta blockers differ."
DOCS = {"doc-a": Document("doc-a", "A", "a.txt", TEXT_A, "0"), "doc-b": Document("doc-b", "B", "b.txt", TEXT_B, "0")}


def cite(n: int, doc: str, sentence: str, start: int | None = None) -> Citation:
    text = DOCS[doc].text
    s = text.index(sentence) if start is None else start
    return Citation(n, doc, doc.upper(), None, s, s + len(sentence), sentence, 0.5)


def answer(q: str, cites: Sequence[Citation] = (), conflicts: Sequence[Conflict] = ()) -> Answer:
    sents = [AnswerSentence(c.text, c.n or 0) for c in cites]
    return Answer(
        q,
        " ".join(c.text for c in cites) or "I can't answer that.",
        not cites,
        0.5,
        sents,
        list(cites),
        list(conflicts),
        "hybrid",
        {"total": 1.0},
    )


CONFLICT = Conflict(
    "negation",
    "high",
    0.9,
    "they disagree",
    "topic",
    cite(0, "doc-a", "Naltrexone blocks opioids."),
    cite(0, "doc-b", "The liver may suffer."),
)

ITEMS = [
    {
        "id": "q1",
        "question": "What does it block?",
        "answerable": True,
        "gold_sources": ["doc-a"],
        "must_contain_any": ["BLOCKS opioids"],
        "disagreement": "no",
    },
    {
        "id": "q2",
        "question": "What about the liver?",
        "answerable": True,
        "gold_sources": ["doc-b"],
        "must_contain_any": ["liver"],
        "disagreement": "yes",
        "disagreement_sources": ["doc-a", "doc-b"],
    },
    {
        "id": "q3",
        "question": "And the first sentence?",
        "history": ["Tell me about A and B."],
        "answerable": True,
        "gold_sources": ["doc-a", "doc-b"],
        "must_contain_any": ["gamma"],
        "disagreement": "no",
    },
    {
        "id": "q4",
        "question": "Anything on beta blockers?",
        "answerable": True,
        "gold_sources": ["doc-b"],
        "must_contain_any": ["Beta blockers"],
        "disagreement": "yes",
    },
    {"id": "q5", "question": "Reset my router?", "answerable": False, "disagreement": "no"},
    {"id": "q6", "question": "What is the price?", "answerable": False},
]
SCRIPT = {
    "q1": (["doc-a", "doc-b"], answer("q1", [cite(1, "doc-a", "Naltrexone blocks opioids.")])),
    "q2": (["doc-a", "doc-a", "doc-b"], answer("q2", [cite(1, "doc-a", "Alpha beta gamma.")], [CONFLICT])),
    "q3": (
        ["doc-b", "doc-a"],
        answer("q3", [cite(1, "doc-a", "Alpha beta gamma."), cite(2, "doc-b", "The liver may suffer.")], [CONFLICT]),
    ),
    "q4": ([], answer("q4")),
    "q5": ([], answer("q5")),
    # Wrong offsets; and a disagreement shown beside a question the articles don't answer.
    "q6": ([], answer("q6", [cite(1, "doc-a", "Alpha beta gamma.", start=3)], [CONFLICT])),
}


class FakeQA:
    """Scripted stand-in for ``QA``: same methods, fixed answers."""

    documents = DOCS

    def __init__(self) -> None:
        self.by_question = {it["question"]: it["id"] for it in ITEMS}
        self.asked: list[tuple[str, tuple[str, ...], str]] = []

    def retrieve(self, question: str, k: int, mode: str, history: Sequence[str] = ()) -> list[Hit]:
        docs = SCRIPT[self.by_question[question]][0]
        return [Hit(i, d, 1.0 / (i + 1), i + 1) for i, d in enumerate(docs[:k])]

    def ask(self, question: str, history: Sequence[str] = (), mode: str = "hybrid") -> Answer:
        self.asked.append((question, tuple(history), mode))
        return SCRIPT[self.by_question[question]][1]


@pytest.fixture()
def items(tmp_path: Path) -> list[QAItem]:
    return load_qa(_write(tmp_path, ITEMS))


def test_metrics_match_hand_computation(items: list[QAItem]) -> None:
    fake = FakeQA()
    res = run_eval(fake, items, ["hybrid"], "qa.jsonl")
    m = res["modes"]["hybrid"]
    assert ("And the first sentence?", ("Tell me about A and B.",), "hybrid") in fake.asked  # history passed
    r = m["retrieval"]
    assert r["n"] == 4
    assert r["recall@1"] == pytest.approx((1 + 0 + 0.5 + 0) / 4)
    assert r["recall@3"] == pytest.approx(0.75)
    assert r["mrr"] == pytest.approx(round((1 + 1 / 3 + 1 + 0) / 4, 4))
    assert r["mrr_doc"] == pytest.approx((1 + 0.5 + 1 + 0) / 4)
    a = m["answers"]
    assert a["accuracy"] == 0.5  # q1, q3 right; q2 cites no gold; q4 abstains
    assert a["self_contained"] == {"n": 3, "accuracy": pytest.approx(1 / 3, abs=1e-4)}
    assert a["followup"] == {"n": 1, "accuracy": 1.0}
    assert a["multi_source"] == {"n": 1, "all_gold_cited": 1.0}
    ab = m["abstention"]
    assert ab["answerable"] == {"n": 4, "false_abstentions": 1, "false_abstention_rate": 0.25}
    assert ab["unanswerable"] == {"n": 2, "missed_abstentions": 1, "abstention_rate": 0.5}
    assert ab["decision_accuracy"] == pytest.approx(round(4 / 6, 4))
    d = m["disagreement"]
    assert (d["tp"], d["fp"], d["fn"], d["n_yes"], d["n_no"]) == (1, 1, 1, 2, 3)
    assert d["flag_precision"] == 0.5 and d["flag_recall"] == 0.5 and d["flag_f1"] == 0.5
    assert d["recall_on_labelled_sources"] == 0.5
    assert d["unanswerable_flagged"] == 0.5  # q6 of q5, q6 (unlabelled: not in precision)
    c = m["citations"]
    assert (c["n_quotes"], c["problems"]) == (11, 1)
    assert c["exactness"] == pytest.approx(round(10 / 11, 4))
    assert m["latency_ms"]["p95"] >= m["latency_ms"]["p50"] >= 0


def test_per_item_failures_name_the_reason(items: list[QAItem]) -> None:
    res = run_eval(FakeQA(), items, ["bm25", "hybrid"], "qa.jsonl")
    assert set(res["modes"]) == {"bm25", "hybrid"}
    fails = {f["id"]: " | ".join(f["failures"]) for f in res["failures"]["bm25"]}
    assert set(fails) == {"q2", "q3", "q4", "q6"}
    assert "no gold source cited" in fails["q2"]
    assert "disagreement flagged where sources agree" in fails["q3"]
    assert "false abstention" in fails["q4"] and "disagreement not flagged" in fails["q4"]
    assert "missed abstention" in fails["q6"] and "differs from doc-a text" in fails["q6"]
    assert res["pairs"]["available"] is False


def test_phrase_must_be_in_a_gold_quote() -> None:
    item = QAItem("z", "Q", (), True, ("doc-a",), ("liver",), "any", ())
    ans = answer("Q", [cite(1, "doc-a", "Alpha beta gamma."), cite(2, "doc-b", "The liver may suffer.")]).to_dict()
    rec = score_item(item, ans, ["doc-a"], DOCS, 1.0)
    assert rec["gold_cited"] and not rec["phrase_found"] and not rec["correct"]


def test_phrase_match_ignores_case_and_curly_quotes() -> None:
    item = QAItem("z", "Q", (), True, ("doc-a",), ("ISN'T addictive",), "any", ())
    rec = score_item(item, answer("Q", [cite(1, "doc-a", "It isn\u2019t addictive.")]).to_dict(), [], DOCS, 1.0)
    assert rec["correct"]


def test_pair_metrics_uses_pair_eval_when_present(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert pair_metrics(tmp_path / "absent.jsonl") == {
        "available": False,
        "reason": f"{tmp_path / 'absent.jsonl'} not found",
    }
    from naltrexone_qa.evaluation import pairs as pair_eval

    monkeypatch.setattr(pair_eval, "evaluate_pairs", lambda path: {"precision": 0.75, "recall": 0.5})
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("{}\n", encoding="utf-8")
    assert pair_metrics(pairs) == {"available": True, "file": str(pairs), "precision": 0.75, "recall": 0.5}


def test_hybrid_check_names_the_mode_it_trails() -> None:
    def mode(r5: float, acc: float) -> dict[str, Any]:
        return {"retrieval": {"recall@5": r5}, "answers": {"accuracy": acc}}

    ok = {"modes": {"bm25": mode(0.8, 0.5), "hybrid": mode(0.9, 0.5)}}
    assert "at least as good" in (hybrid_check(ok) or "")
    bad = {"modes": {"bm25": mode(0.8, 0.6), "dense": mode(0.95, 0.4), "hybrid": mode(0.9, 0.5)}}
    assert hybrid_check(bad) == (
        "Hybrid vs single modes: Recall@5 below dense (0.900 < 0.950); answer accuracy below bm25 (0.500 < 0.600)."
    )
    assert hybrid_check({"modes": {"hybrid": mode(1, 1)}}) is None


def test_thresholds() -> None:
    m = {"answers": {"accuracy": 0.5}, "disagreement": {"flag_precision": None}}
    assert check_thresholds(m, {"answers.accuracy": ("min", 0.5)}) == []
    assert check_thresholds(m, {"answers.accuracy": ("min", 0.6)}) == [
        "answers.accuracy = 0.5 is below the minimum 0.6"
    ]
    assert "above the maximum" in check_thresholds(m, {"answers.accuracy": ("max", 0.4)})[0]
    assert "not measurable" in check_thresholds(m, {"disagreement.flag_precision": ("min", 0.1)})[0]


# --------------------------------------------------------------------------- the eval command
@pytest.fixture()
def cli(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setattr(cli_eval, "load_qa", lambda settings: FakeQA())
    return CliRunner()


def test_eval_command_table_and_json(cli: CliRunner, tmp_path: Path) -> None:
    qa = str(_write(tmp_path, ITEMS))
    r = cli.invoke(cli_eval.eval_cmd, ["--qa", qa, "--mode", "all", "--pairs", str(tmp_path / "none.jsonl")])
    assert r.exit_code == 0, r.output
    assert "bm25" in r.output and "dense" in r.output and "Answer accuracy" in r.output
    assert "Failures (hybrid): 4" in r.output and "not available" in r.output
    r = cli.invoke(cli_eval.eval_cmd, ["--qa", qa, "--json"])
    out = json.loads(r.stdout)
    assert out["modes"]["hybrid"]["answers"]["accuracy"] == 0.5 and out["thresholds"]["failed"] == []


def test_eval_threshold_failure_exits_1_and_names_it(cli: CliRunner, tmp_path: Path) -> None:
    qa = str(_write(tmp_path, ITEMS))
    r = cli.invoke(cli_eval.eval_cmd, ["--qa", qa, "--min-accuracy", "0.5", "--min-recall", "0.7"])
    assert r.exit_code == 0, r.output  # 0.5 >= 0.5 and Recall@5 0.75 >= 0.7
    r = cli.invoke(cli_eval.eval_cmd, ["--qa", qa, "--min-accuracy", "0.9", "--max-false-abstention", "0.3"])
    assert r.exit_code == 1
    assert "Threshold failed (hybrid): qa: answers.accuracy = 0.5 is below the minimum 0.9" in r.output
    assert "false_abstention" not in r.output  # 0.25 <= 0.3 passes


def test_eval_report_files(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "report"
    r = cli.invoke(cli_eval.eval_cmd, ["--qa", str(_write(tmp_path, ITEMS)), "--mode", "all", "--report", str(out)])
    assert r.exit_code == 0, r.output
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| Metric | bm25 | dense | hybrid |" in md and "`q6` (line 6)" in md
    assert json.loads((out / "metrics.json").read_text())["modes"]["dense"]["answers"]["n"] == 4
    assert (out / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_eval_bad_file_exits_2_naming_line(cli: CliRunner, tmp_path: Path) -> None:
    r = cli.invoke(cli_eval.eval_cmd, ["--qa", str(_write(tmp_path, [GOOD, "{oops"]))])
    assert r.exit_code == 2
    assert "qa.jsonl:2: not valid JSON" in r.output


def test_eval_answerer_options_reach_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[Any] = []

    def fake(settings: Any) -> FakeQA:
        seen.append(settings.answer)
        return FakeQA()

    monkeypatch.setattr(cli_eval, "load_qa", fake)
    fitted = tmp_path / "fitted"
    fitted.mkdir()
    args = ["--qa", str(_write(tmp_path, ITEMS)), "--no-rerank", "--fitted", str(fitted), "--min-accuracy", "0.1"]
    r = CliRunner().invoke(cli_eval.eval_cmd, args)
    assert r.exit_code == 0, r.output
    assert seen[0].rerank is False and seen[0].fitted == fitted and seen[0].reranker_dir is None
    r = CliRunner().invoke(cli_eval.eval_cmd, ["--qa", "x.jsonl", "--reranker", str(tmp_path / "missing")])
    assert r.exit_code == 2 and "does not exist" in r.output


def test_with_typos_puts_one_seeded_typo_into_each_question_and_keeps_the_history() -> None:
    from naltrexone_qa.evaluation.items import QAItem, with_typos

    items = [
        QAItem("a", "Does naltrexone cause anxiety?", ("earlier turn",), True, ("d",), ("x",), "any", ()),
        QAItem("b", "is it ok?", (), True, ("d",), ("x",), "any", ()),
    ]
    once, again = with_typos(items, 7), with_typos(items, 7)
    assert once == again  # seeded
    typed = once[0].question
    assert typed != items[0].question and once[0].history == ("earlier turn",)
    changed = [(a, b) for a, b in zip(items[0].question.split(), typed.split(), strict=True) if a != b]
    assert len(changed) == 1 and len(changed[0][0]) >= 6 and abs(len(changed[0][0]) - len(changed[0][1])) <= 1
    assert once[1] == items[1]  # no word long enough: left as asked
