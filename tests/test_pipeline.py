"""End-to-end answers: cited, exact, abstaining when the corpus is silent."""

from __future__ import annotations

import pytest

from naltrexone_qa.errors import UsageError
from naltrexone_qa.safety import ABSTAIN, NOTICE, URGENT_HELP

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
        "Does naltrexone cause withdrawal?", "Can teenagers take naltrexone?", "What does Vivitrol do?",
        "Does naltrexone reduce alcohol cravings?", "Is a urine test needed before treatment?",
        "Can I drink alcohol on naltrexone?", "What is naltrexone?", "Is it safe with benzodiazepines?",
    ]
    n = 0
    for q in questions:
        d = qa.ask(q).to_dict()
        for c in d["citations"]:
            assert files[c["doc_id"]][c["start"]:c["end"]] == c["text"]
            n += 1
        assert [s["text"] for s in d["sentences"]] == [c["text"] for c in d["citations"]]
    assert n >= len(questions)


def test_benzodiazepine_answer_says_it_does_not_block(qa):
    ans = qa.ask("Does naltrexone block the effects of benzodiazepines?")
    assert any("does not" in c.text and "block" in c.text for c in ans.citations)


def test_promotional_text_is_never_an_answer(qa):
    for q in ["Who can I call to know more about naltrexone?", "Is there a phone number for help with relapse?",
              "Can you help me if I'm worried about relapse?"]:
        ans = qa.ask(q)
        for c in ans.citations:
            assert "855" not in c.text and "call" not in c.text.lower(), c.text


def test_emergency_questions_get_the_urgent_line(qa):
    ans = qa.ask("My friend took naltrexone and heroin and is not breathing, what do I do?")
    assert ans.urgent == URGENT_HELP
    assert qa.ask("Does naltrexone help anxiety?").urgent is None
    assert qa.ask("Does naltrexone help anxiety?").notice == NOTICE


def test_odd_input_is_answered_or_abstained(qa):
    for q in ["naltrexone " * 2000, "does \x00naltrexone\x07 block\x1b opioids?", "naltrexone \U0001f48a\U0001f914?"]:
        ans = qa.ask(q)
        assert isinstance(ans.abstained, bool)
        assert 0.0 <= ans.confidence <= 1.0


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
