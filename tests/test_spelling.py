"""Typo reading: a misspelt word becomes the article word; real words, contractions and consumer words stay."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from naltrexone_qa.answer.spelling import Speller

ARTICLE = (
    "Naltrexone may help relieve anxiety. Common side effects include restlessness and insomnia. "
    "The injection is given monthly. Prescribers shouldn't combine it with opioids."
)


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller([ARTICLE])


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("anxeity", "anxiety"), ("restlesness", "restlessness"), ("injecton", "injection"), ("Naltrexnoe", "naltrexone")],
)
def test_a_typo_is_read_as_the_article_word(speller: Speller, typed: str, meant: str) -> None:
    assert speller.correction(typed) == meant


@pytest.mark.parametrize(
    "word",
    [
        "sister",  # an English word, though one the articles never use
        "anxiety",  # an article word
        "prescriber",  # another form of an article word
        "shouldnt",  # a contraction typed without its apostrophe
        "percs",  # a consumer word the lay-term list maps
        "mine",  # too short to guess
        "zzzzzzzz",  # nothing close
    ],
)
def test_words_are_left_alone(speller: Speller, word: str) -> None:
    assert speller.correction(word) is None


def test_respell_changes_only_the_typos(speller: Speller) -> None:
    assert speller.respell("can it calm my anxeity down, sister?") == "can it calm my anxiety down, sister?"
    assert speller.respell("doesn't it help?") == "doesn't it help?"


def test_the_pipeline_reads_a_typo_as_the_word_and_can_be_told_not_to(hash_qa: Any) -> None:
    from naltrexone_qa.answer.conversation import resolve
    from naltrexone_qa.pipeline import QA

    q = "is insomia a side effect"
    assert hash_qa.speller is not None
    assert "insomnia" in hash_qa.query(q, resolve(q, [])).text
    s = hash_qa.settings
    as_typed = QA(hash_qa.index, hash_qa.embedder, replace(s, answer=replace(s.answer, respell=False)))
    assert as_typed.speller is None and as_typed.query(q, resolve(q, [])).text == q


def test_the_environment_switches_respelling_off() -> None:
    from naltrexone_qa.config import Settings

    assert Settings.from_env({}).answer.respell
    assert not Settings.from_env({"NALTREXONE_QA_RESPELL": "0"}).answer.respell
