"""A question about another medicine is not answered with sentences about naltrexone."""

from __future__ import annotations

import numpy as np
import pytest

from naltrexone_qa.answer.features import FEATURES, Candidate
from naltrexone_qa.answer.subject import asked_medicine, on_subject, sentence_subjects


@pytest.mark.parametrize(
    "question, medicine",
    [
        ("is gabapentin addictive?", "gabapentin"),
        ("Is the gabapentin itself addictive?", "gabapentin"),
        ("do benzos cause withdrawal", "benzodiazepines"),
        ("is naltrexone addictive?", ""),  # naltrexone's own property
        ("can ntx replace my ssri", ""),  # shorthand for naltrexone
        ("does the shot interact with gabapentin", ""),  # a form of naltrexone
        ("will my pain meds still work", ""),  # what naltrexone acts on
        ("can i drink wine", ""),
        ("do gabapentin and benzos mix", ""),  # two others: a comparison, not one's property
        ("what is the weather like", ""),
    ],
)
def test_the_one_other_medicine_a_question_asks_about(question: str, medicine: str) -> None:
    assert asked_medicine(question) == medicine


def _sentence(index, start: str):
    return next(s for s in index.sentences if s.text.startswith(start))


def test_a_sentence_naming_no_drug_is_about_its_section_or_document(hash_qa):
    index = hash_qa.index
    assert sentence_subjects(_sentence(index, "The medication is not addictive"), index) == {"naltrexone"}
    assert sentence_subjects(_sentence(index, "Its precise mechanism is not fully understood"), index) == {"gabapentin"}
    assert "gabapentin" in sentence_subjects(_sentence(index, "Gabapentin may also influence"), index)


def test_candidates_about_other_drugs_only_leave_the_pool(hash_qa):
    index = hash_qa.index
    texts = ("The medication is not addictive", "Its precise mechanism is not fully understood", "Gabapentin may also")
    pool = [Candidate(_sentence(index, t), np.zeros(len(FEATURES)), 1.0 - i) for i, t in enumerate(texts)]
    kept = on_subject("is gabapentin addictive?", pool, index)
    assert [c.sentence.text[:18] for c in kept] == [t[:18] for t in texts[1:]]
    assert on_subject("is naltrexone addictive?", pool, index) == pool


def test_gabapentin_is_not_called_non_addictive_from_a_naltrexone_sentence(qa):
    ans = qa.ask("is it addictive?", history=["I'm on gabapentin for nerve pain."])
    assert "The medication is not addictive" not in " ".join(s.text for s in ans.sentences)
    ans = qa.ask("what receptors does gabapentin bind to")
    assert not ans.abstained and any("voltage-gated calcium channels" in s.text for s in ans.sentences)
