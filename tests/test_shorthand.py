"""Texting shorthand: written out for the model, left alone inside other words, never shown changed."""

from __future__ import annotations

from typing import Any

import pytest

from naltrexone_qa.answer.shorthand import written_out


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("can u still get high on ntx", "can you still get high on naltrexone"),
        ("is ntx safe w alcohol", "is naltrexone safe with alcohol"),
        ("does LDN help ms", "does low-dose naltrexone help ms"),
        ("im on the shot rn, r u sure?", "I'm on the shot right now, are you sure?"),
        ("slip up n use", "slip up and use"),
        ("dont know whats up w/ it", "don't know what's up with it"),
        ("w/o food?", "without food?"),
        ("what abt ur liver (on ntx).", "what about your liver (on naltrexone)."),
        ("gonna relapse bc of stress", "going to relapse because of stress"),
    ],
)
def test_shorthand_is_written_out(typed: str, meant: str) -> None:
    assert written_out(typed) == meant


@pytest.mark.parametrize(
    "text",
    [
        "Is the U.S. study larger?",
        "N=30 trial",
        "posted on r/opiates",
        "What is the half-life of naltrexone?",
        "Umm, is it ok?",
        "Does naltrexone's effect wear off?",
    ],
)
def test_other_words_are_left_alone(text: str) -> None:
    assert written_out(text) == text


def test_the_real_model_answers_a_texted_question(qa: Any) -> None:
    ans = qa.ask("can u still get high on ntx")
    assert not ans.abstained
    assert any("prevents any high" in c.text or "blocks the euphoria" in c.text for c in ans.citations)
    assert ans.question == "can u still get high on ntx"  # what is shown keeps the user's words
