"""A question asking for one figure abstains when none of the best sentences states one of that kind."""

from __future__ import annotations

import pytest

from naltrexone_qa.answer.specifics import unstated_figure

STUDY = [
    "One study conducted at the University of Minnesota revealed intriguing insights.",
    "Over the course of the study, they observed a decline in anxiety symptoms among individuals treated.",
]


@pytest.mark.parametrize(
    "question, texts, kind",
    [
        ("How many people took part in the University of Minnesota study?", STUDY, "count of people"),
        ("how many ppl were in it", STUDY, "count of people"),
        ("How many participants had progressive loss?", ["Only one out of 40 participants showed it."], ""),
        ("What year was the Tromsø trial published?", STUDY, "year"),
        ("What year was it published?", ["The trial, published in 2001, found ..."], ""),
        ("By what percentage did heavy drinking fall?", STUDY, "percentage"),
        ("By what percentage did heavy drinking fall?", ["Heavy drinking fell by 30 %."], ""),
        ("how many mg is the pill usually", STUDY, "amount"),
        ("What dose of naltrexone did they use in the MS study?", STUDY, "amount"),
        ("What dose of naltrexone did they use?", ["Patients took 4.5 mg a day."], ""),
        ("In which dosage forms is naltrexone available?", STUDY, ""),  # forms, not an amount
        ("does it matter how much naltrexone you take for anxiety", STUDY, ""),
        ("How long does it stay in your system?", STUDY, ""),  # durations of no symptom are not checked
        ("Does naltrexone help anxiety?", STUDY, ""),
    ],
)
def test_a_figure_asked_for_and_not_stated(question: str, texts: list[str], kind: str) -> None:
    assert unstated_figure(question, texts) == kind


def test_the_pipeline_abstains_when_no_article_gives_the_count(hash_qa):
    a = hash_qa.ask("How many people took part in the University of Minnesota study on naltrexone and anxiety?")
    assert a.abstained and not a.citations


@pytest.mark.parametrize(
    "question, texts, kind",
    [
        # How long a symptom lasts needs a sentence with a duration that names the symptom.
        ("how long does the nausea from naltrexone usually last", ["The injection lasts a month."], "duration"),
        ("how long does the nausea last", ["Nausea usually settles within two weeks."], ""),
        ("How many weeks before it helps anxiety?", ["Anxiety may improve.", "It lasts a month."], "duration"),
        # Timing something other than a symptom is not checked: the answer names it in other words.
        ("How long do I need to be off opioids before my first dose?", ["It is a pill."], ""),
        ("how long before ldn helps the spasms from ms", ["It is a pill."], ""),
    ],
)
def test_how_long_a_symptom_lasts(question: str, texts: list[str], kind: str) -> None:
    assert unstated_figure(question, texts) == kind
