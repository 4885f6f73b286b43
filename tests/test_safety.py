"""The urgent-help line: shown for an emergency in a person's own words, not for ordinary questions."""

from __future__ import annotations

import pytest

from naltrexone_qa.answer.safety import URGENT_HELP, urgent_line


@pytest.mark.parametrize(
    "question",
    [
        "My friend took naltrexone and heroin and is not breathing, what do I do?",
        "i relapsed on heroin while on the shot, am i gonna die",
        "I think he's ODing, he took percs on his vivitrol",
        "she took too many pills and won't wake up",
        "is it possible to overdose on opioids after the shot wears off?",
        "I feel like I'm dying since the injection",
        "i want to die",
    ],
)
def test_an_emergency_in_plain_or_texted_words_gets_the_urgent_line_first(question: str) -> None:
    assert urgent_line(question) == URGENT_HELP


@pytest.mark.parametrize(
    "question",
    [
        "Does naltrexone help anxiety?",
        "how long does the shot last",
        "Is naltrexone used for alcohol dependence?",
        "what is the dosing schedule",
        "can i take more if the cravings come back",
    ],
)
def test_an_ordinary_question_gets_no_urgent_line(question: str) -> None:
    assert urgent_line(question) is None
