"""End-to-end answers: cited, exact, abstaining when the corpus is silent."""

from __future__ import annotations

import re

import pytest

from naltrexone_qa.answer.safety import ABSTAIN, NOTICE, URGENT_HELP
from naltrexone_qa.errors import UsageError

IN_SCOPE = [
    ("Does naltrexone block the effects of benzodiazepines?", "naltrexone-benzodiazepines"),
    ("Can naltrexone be taken together with gabapentin?", "naltrexone-gabapentin"),
    ("Is naltrexone used for multiple sclerosis?", "naltrexone-effects-uses-risks"),
    ("Can naltrexone help with anxiety?", "naltrexone-anxiety"),
    ("What happens if I take opioids while on naltrexone?", None),
    ("Can naltrexone damage the liver?", None),
    ("How long should I wait after my last opioid dose before starting naltrexone?", None),
    ("What are the side effects of naltrexone?", None),
    ("Is naltrexone addictive?", None),
    ("How does naltrexone work in the brain?", None),
    ("Is naltrexone given as an injection?", None),
    ("What is gabapentin used for?", "naltrexone-gabapentin"),
]

OUT_OF_SCOPE = [
    "How do I reset my router?",
    "What is the capital of France?",
    "How much does a box of naltrexone cost at the pharmacy?",
    "Who won the football world cup in 2018?",
    "What is the best recipe for chocolate cake?",
]


@pytest.mark.parametrize("question,doc", IN_SCOPE)
def test_in_scope_questions_are_answered_and_cited(qa, question, doc):
    ans = qa.ask(question)
    assert not ans.abstained, question
    assert 1 <= len(ans.citations) <= 4
    if doc:
        assert doc in {c.doc_id for c in ans.citations}


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_out_of_scope_questions_abstain(qa, question):
    ans = qa.ask(question)
    assert ans.abstained and ans.answer == ABSTAIN and not ans.citations


def test_every_citation_reproduces_the_corpus_exactly(qa, corpus_dir):
    files = {p.stem: p.read_text(encoding="utf-8") for p in corpus_dir.glob("*.txt")}
    questions = [q for q, _ in IN_SCOPE] + [
        "Does naltrexone cause withdrawal?",
        "Can teenagers take naltrexone?",
        "What does Vivitrol do?",
        "Does naltrexone reduce alcohol cravings?",
        "Is a urine test needed before treatment?",
        "Can I drink alcohol on naltrexone?",
        "What is naltrexone?",
        "Is it safe with benzodiazepines?",
    ]
    n = 0
    for q in questions:
        d = qa.ask(q).to_dict()
        for c in d["citations"]:
            assert files[c["doc_id"]][c["start"] : c["end"]] == c["text"]
            n += 1
        assert [s["text"] for s in d["sentences"]] == [c["text"] for c in d["citations"]]
    assert n >= len(questions)


def test_benzodiazepine_answer_says_it_does_not_block(qa):
    ans = qa.ask("Does naltrexone block the effects of benzodiazepines?")
    assert any("does not" in c.text and "block" in c.text for c in ans.citations)


def test_a_question_weighing_two_sides_quotes_both_in_the_answer(qa):
    """The answer itself, not only the disagreement shown below it, quotes each side."""
    ans = qa.ask("Does naltrexone calm anxiety or make it worse?")
    docs = {c.doc_id for c in ans.citations}
    assert {"naltrexone-anxiety", "naltrexone-effects-uses-risks"} <= docs
    assert len(ans.citations) <= qa.settings.answer.max_sentences
    assert [c.n for c in ans.citations] == list(range(1, len(ans.citations) + 1))
    assert any("anxiety" in c.topic for c in ans.conflicts)
    shown = {x.sentence_id for c in ans.conflicts for x in (c.a, c.b) if x.n is not None}
    assert shown <= {c.sentence_id for c in ans.citations}


def test_an_abstention_shows_no_disagreement(qa):
    """Beside "the articles don't answer that", a disagreement about overdoses would read as an answer."""
    near_misses = ["Does Medicare cover naltrexone, or do I pay for it myself?", "Can I breastfeed on naltrexone?"]
    for q in near_misses:
        ans = qa.ask(q)
        assert ans.abstained and not ans.citations and not ans.conflicts, q


def test_promotional_text_is_never_an_answer(qa):
    for q in [
        "Who can I call to know more about naltrexone?",
        "Is there a phone number for help with relapse?",
        "Can you help me if I'm worried about relapse?",
    ]:
        ans = qa.ask(q)
        for c in ans.citations:
            # Whole words: "typically" holds "call" and is no advertisement.
            assert "855" not in c.text and not re.search(r"\bcall\b", c.text, re.IGNORECASE), c.text


def test_emergency_questions_get_the_urgent_line(qa):
    ans = qa.ask("My friend took naltrexone and heroin and is not breathing, what do I do?")
    assert ans.urgent == URGENT_HELP
    assert qa.ask("Does naltrexone help anxiety?").urgent is None
    assert qa.ask("Does naltrexone help anxiety?").notice == NOTICE


def test_odd_input_is_cleaned_then_answered_or_abstained(qa):
    # Control characters are dropped and whitespace folded before anything is searched.
    ans = qa.ask("does \x00naltrexone\x07 block\x1b opioids?")
    assert ans.question == "does naltrexone block opioids?" and not ans.abstained
    assert "naltrexone-opiate-addiction" in {c.doc_id for c in ans.citations}
    # An over-long question is refused with the limit in the message, never cut silently.
    with pytest.raises(UsageError, match="the limit is 2,000"):
        qa.ask("naltrexone " * 2000)
    # Emoji do not break tokenising or embedding; the drug name alone still finds its articles.
    emoji = qa.ask("naltrexone \U0001f48a\U0001f914?")
    assert emoji.question == "naltrexone \U0001f48a\U0001f914?" and 0.0 <= emoji.confidence <= 1.0
    assert all(c.doc_id.startswith("naltrexone-") for c in emoji.citations)


def test_empty_question_is_a_usage_error(qa):
    with pytest.raises(UsageError):
        qa.ask("   \n\t ")


def test_confidence_is_in_range_and_separates(qa):
    good = qa.ask("Can naltrexone be taken together with gabapentin?").confidence
    bad = qa.ask("How do I reset my router?").confidence
    assert 0 <= bad < 0.5 <= good <= 1


def test_retrieval_modes(qa):
    for mode in ("bm25", "dense", "hybrid"):
        hits = qa.retrieve("naltrexone and gabapentin together", k=5, mode=mode)
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
        assert hits[0].doc_id == "naltrexone-gabapentin"


THREAD_QUESTIONS = (
    [q for q, _ in IN_SCOPE]
    + OUT_OF_SCOPE
    + [
        "What side effects should I watch for?",
        "Is it safe?",
        "Does naltrexone cause withdrawal?",
        "Can teenagers take naltrexone?",
        "What does Vivitrol do?",
        "Does naltrexone reduce alcohol cravings?",
        "Is a urine test needed before treatment?",
        "Can I drink alcohol on naltrexone?",
        "What is naltrexone?",
        "Is it safe with benzodiazepines?",
        "Does naltrexone help anxiety or cause it?",
        "How often is the shot given?",
        "Who studied naltrexone for anxiety in Norway?",
        "Is naltrexone used for fibromyalgia?",
        "Can it cure cancer?",
    ]
)


def _comparable(ans):
    d = ans.to_dict()
    d.pop("timings_ms")
    return d


def test_eight_threads_get_exactly_the_single_threaded_answers(qa):
    """The query path holds no mutable shared state: concurrent answers equal serial ones."""
    from concurrent.futures import ThreadPoolExecutor

    questions = THREAD_QUESTIONS[:32]
    assert len(questions) == 32
    history = ["Can naltrexone be taken with gabapentin?"]
    serial = [_comparable(qa.ask(q, history=history if i % 4 == 0 else ())) for i, q in enumerate(questions)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(qa.ask, q, history if i % 4 == 0 else ()) for i, q in enumerate(questions)]
        parallel = [_comparable(f.result()) for f in futures]
    assert parallel == serial


def test_the_pipeline_answers_with_the_numpy_store(qa, embedder, corpus_dir, tmp_path):
    """A second vector store is one class: the NumPy store serves the same answers as FAISS."""
    from naltrexone_qa.config import Settings
    from naltrexone_qa.pipeline import QA

    other = QA.load(Settings(corpus_dir=corpus_dir, index_dir=tmp_path / "idx", store="numpy"), embedder=embedder)
    assert other.index.manifest["store"] == "numpy"
    assert type(other.index.sentence_vectors).__name__ == "NumpyStore"
    same = 0
    for q in [q for q, _ in IN_SCOPE] + OUT_OF_SCOPE:
        a, b = qa.ask(q), other.ask(q)
        assert a.abstained == b.abstained, q
        same += [c.text for c in a.citations] == [c.text for c in b.citations]
    assert same == len(IN_SCOPE) + len(OUT_OF_SCOPE)
