"""Contract tests every implementation of a seam must pass: Detector, Answerer, Renderer.

(Embedder, VectorStore and Retriever contracts live beside their own tests:
test_embedding.py, test_stores.py, test_retrieval.py.)
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from naltrexone_qa.answer.safety import ABSTAIN, NOTICE, URGENT_HELP
from naltrexone_qa.disagree.base import Detector, Judgement
from naltrexone_qa.disagree.learned import CombinedDetector, LearnedDetector
from naltrexone_qa.disagree.rules import RuleDetector
from naltrexone_qa.embed.hashing import HashEmbedder
from naltrexone_qa.frontends.http.schemas import AnswerOut
from naltrexone_qa.render import RENDERERS
from naltrexone_qa.render.slack import escape
from naltrexone_qa.types import Answer, AnswerSentence, Citation, Conflict

PAIRS = [
    ("Naltrexone reduces anxiety.", "Naltrexone causes anxiety."),
    ("Gabapentin is generally well-tolerated.", "Naltrexone is an opioid antagonist."),
    (
        "Naltrexone does not cause withdrawal symptoms when used by individuals not physically dependent.",
        "Naltrexone can cause withdrawal symptoms in people still dependent on opioids.",
    ),
    ("", "x"),
]


def detectors() -> list[Detector]:
    emb = HashEmbedder(384)
    return [RuleDetector(), LearnedDetector(embedder=emb), CombinedDetector(embedder=emb)]


@pytest.mark.parametrize("detector", detectors(), ids=lambda d: d.name)
def test_detector_contract(detector: Detector):
    assert isinstance(detector, Detector) and detector.name and detector.version
    out = detector.judge_many(PAIRS)
    assert len(out) == len(PAIRS) and detector.judge_many([]) == []
    for j in out:
        assert isinstance(j, Judgement)
        assert j.label in ("contradiction", "agreement", "unrelated")
        assert 0.0 <= j.score <= 1.0
        assert (j.severity != "none") == (j.label == "contradiction")
        assert j.explanation
    assert [detector.judge_many([p])[0] for p in PAIRS] == out  # batching changes nothing


def _cite(n: int, text: str) -> Citation:
    return Citation(n, "doc-a", "Title <b>", "Section", 10, 10 + len(text), text, 0.9, n)


def _answers() -> list[Answer]:
    quote = "Naltrexone blocks <!channel> opioid receptors & more."
    other = "Anxiety is a common side effect."
    conflict = Conflict("opposite-effects", "high", 0.9, "why", "anxiety", _cite(1, quote), _cite(0, other))
    answered = Answer(
        "q?",
        f"{quote} [1]",
        False,
        0.9,
        [AnswerSentence(quote, 1)],
        [_cite(1, quote)],
        [conflict],
        "hybrid",
        {"total": 1.0},
        "q (resolved)?",
        None,
        NOTICE,
    )
    urgent = Answer(
        "overdose?",
        f"{quote} [1]",
        False,
        0.8,
        [AnswerSentence(quote, 1)],
        [_cite(1, quote)],
        [],
        "hybrid",
        {},
        None,
        URGENT_HELP,
        NOTICE,
    )
    abstained = Answer("price?", ABSTAIN, True, 0.1, [], [], [], "bm25", {}, None, None, NOTICE)
    return [answered, urgent, abstained]


def _flat(rendered: Any) -> str:
    return rendered if isinstance(rendered, str) else json.dumps(rendered, ensure_ascii=False)


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_renderer_contract(name: str):
    renderer = RENDERERS[name]()
    assert renderer.name == name
    for ans in _answers():
        out = _flat(renderer.render(ans))
        plain = name != "slack"
        for c in ans.citations + [side for conf in ans.conflicts for side in (conf.a, conf.b)]:
            assert (c.text if plain else escape(c.text)) in out or json.dumps(c.text)[1:-1] in out
        assert NOTICE in out
        if ans.abstained:
            assert ABSTAIN in out
        if ans.urgent:
            urgent = ans.urgent if plain else escape(ans.urgent)
            assert urgent in out
            if name != "json":  # a display: the urgent line comes before anything else
                quote = ans.citations[0].text if plain else escape(ans.citations[0].text)
                assert 0 <= out.find(urgent) < min(out.find(quote[:20]), out.find(NOTICE[:20]))
        if name == "slack":
            assert "<!channel>" not in out  # nothing a source says can ping a channel


def _check_answerer(qa: Any) -> None:
    """What every Answerer (the pipeline, or anything standing in for it) must return."""
    docs = qa.documents
    for question, history in [
        ("Does naltrexone block the effects of benzodiazepines?", ()),
        ("And with gabapentin?", ("Is naltrexone addictive?",)),
        ("How do I reset my router?", ()),
        ("Someone overdosed on heroin, will naltrexone help?", ()),
    ]:
        ans = qa.ask(question, history=history, mode="hybrid")
        assert isinstance(ans, Answer) and ans.mode == "hybrid" and ans.notice == NOTICE
        assert ans.question == question and ans.resolved_question
        assert 0.0 <= ans.confidence <= 1.0
        assert ans.abstained == (not ans.citations) and (ans.answer == ABSTAIN) == ans.abstained
        assert [s.text for s in ans.sentences] == [c.text for c in ans.citations]
        assert [c.n for c in ans.citations] == list(range(1, len(ans.citations) + 1))
        for c in ans.citations + [side for conf in ans.conflicts for side in (conf.a, conf.b)]:
            assert docs[c.doc_id].text[c.start : c.end] == c.text
        assert (ans.urgent == URGENT_HELP) == ("overdosed" in question)
        assert json.loads(json.dumps(ans.to_dict()))["citations"] == [c.to_dict() for c in ans.citations]
        # The HTTP API's documented schema holds every field the answer has (lead_in, page, url, a_more ...).
        assert AnswerOut.model_validate(ans.to_dict()).model_dump(exclude_unset=True) == ans.to_dict()


def test_answerer_contract_fast(hash_qa):
    _check_answerer(hash_qa)


def test_answerer_contract_real_model(qa):
    _check_answerer(qa)
