"""Follow-up resolution: what a question inherits from earlier turns, and when it starts afresh."""

from __future__ import annotations

import pytest

from naltrexone_qa.answer.conversation import is_followup, resolve, topic_of, topic_terms

GABA = "Can naltrexone be taken together with gabapentin?"


def test_no_history_changes_nothing() -> None:
    r = resolve("What side effects should I watch for?")
    assert (r.text, r.carried, r.followup) == ("What side effects should I watch for?", [], False)


def test_combination_is_carried_into_a_question_without_subject() -> None:
    r = resolve("What side effects should I watch for?", [GABA])
    assert r.followup
    assert r.carried == ["naltrexone", "gabapentin"]
    assert r.text.startswith("What side effects should I watch for")
    assert "naltrexone and gabapentin together" in r.text


def test_pronoun_is_written_out() -> None:
    r = resolve("What brand names is it sold under?", ["What is gabapentin used for?"])
    assert r.text == "What brand names is gabapentin sold under?"
    r = resolve("Who should avoid it because of their liver?", ["What are the serious risks of naltrexone?"])
    assert r.text == "Who should avoid naltrexone because of their liver?"


def test_the_combination_names_both_drugs() -> None:
    r = resolve(
        "Then what is the real danger with that combination?", ["Can I take naltrexone while I'm on a benzodiazepine?"]
    )
    assert "the combination of naltrexone and benzodiazepines" in r.text


def test_condition_carried_when_question_has_none() -> None:
    r = resolve("Which universities have studied this?", ["Can naltrexone help with anxiety?"])
    assert r.carried == ["naltrexone", "anxiety"]


def test_own_condition_replaces_the_earlier_one() -> None:
    r = resolve("Does it also help with alcoholism?", ["Does naltrexone help with opioid addiction?"])
    assert r.text == "Does naltrexone also help with alcoholism?"
    assert "opioid addiction" not in r.carried


def test_elliptical_question_inherits_what_was_asked() -> None:
    r = resolve("And with alcohol?", ["Is naltrexone addictive?"])
    assert r.carried == ["naltrexone", "addictive"]
    assert r.text == "And with alcohol (naltrexone, addictive)?"


def test_singular_pronoun_prefers_naltrexone_when_drugs_are_not_combined() -> None:
    r = resolve(
        "How many days should pass before I can start it?",
        ["I have been taking opioid pain pills and want to switch to naltrexone."],
    )
    assert r.text == "How many days should pass before I can start naltrexone (opioids)?"


def test_topic_survives_a_chain_of_followups() -> None:
    r = resolve("Is it addictive?", [GABA, "What side effects should I watch for?"])
    assert set(r.carried) == {"naltrexone", "gabapentin"}
    assert "side" not in r.carried  # the new question asks its own thing


@pytest.mark.parametrize(
    "question",
    [
        "Is naltrexone safe for pregnant women?",
        "Is it safe to take naltrexone with alcohol?",
        "Can naltrexone help with anxiety?",
    ],
)
def test_self_contained_question_starts_a_new_topic(question: str) -> None:
    r = resolve(question, [GABA])
    assert (r.text, r.carried, r.followup) == (question, [], False)


def test_new_topic_resets_the_chain() -> None:
    history = [GABA, "What side effects should I watch for?", "Can naltrexone help with anxiety?"]
    r = resolve("Which universities have studied this?", history)
    assert r.carried == ["naltrexone", "anxiety"]
    assert "gabapentin" not in r.text


def test_history_without_a_topic_carries_nothing() -> None:
    r = resolve("What are the side effects?", ["hello", "", "   "])
    assert r.text == "What are the side effects?" and not r.followup


def test_opioid_addiction_is_a_condition_not_a_drug() -> None:
    t = topic_of("How does naltrexone help people recovering from opioid addiction?")
    assert t.drugs == ["naltrexone"] and t.conditions == ["opioid addiction"]
    assert topic_terms("Are benzos ok with Vivitrol?") == ["benzodiazepines", "naltrexone"]


def test_is_followup_signals() -> None:
    assert is_followup("and with alcohol?")
    assert is_followup("What about the injection?")
    assert is_followup("Is it addictive?")
    assert not is_followup("Is gabapentin addictive?")


def test_odd_input_is_resolved_without_losing_the_users_words() -> None:
    for q in ["", "?", "it " * 5000, "\u00e9\u00e8 \U0001f600", "(((", "*" * 100]:
        res = resolve(q, [GABA, q])
        assert res.question == q.strip()
        assert res.followup and {"naltrexone", "gabapentin"} <= set(res.carried)
        assert "naltrexone and gabapentin together" in res.text
        if "it" in q:  # the pronoun is written out, the rest kept
            assert res.text.startswith("naltrexone and gabapentin together it it") and len(res.text) > len(q) // 2
        else:
            assert q.strip().rstrip("?") in res.text
