"""Follow-up resolution: what a question inherits from earlier turns, and when it starts afresh.

The examples are written for these tests; none is taken from the evaluation sets.
"""

from __future__ import annotations

import pytest

from naltrexone_qa.answer.conversation import resolve
from naltrexone_qa.answer.mentions import mentions, names

GABA = "Can naltrexone be taken together with gabapentin?"


def test_no_history_changes_nothing() -> None:
    r = resolve("What side effects should I watch for?")
    assert (r.text, r.carried, r.followup) == ("What side effects should I watch for?", [], False)


def test_subject_is_carried_into_a_question_without_one() -> None:
    r = resolve("What side effects should I watch for?", [GABA])
    assert r.followup and r.text == "What side effects should I watch for (naltrexone and gabapentin together)?"


@pytest.mark.parametrize(
    "history, question, expected",
    [
        (["What is gabapentin prescribed for?"], "Is it habit forming?", "Is gabapentin habit forming?"),
        (
            ["Tell me about the extended-release naltrexone injection."],
            "How long does it last?",
            "How long does the extended-release naltrexone injection last?",
        ),
        (
            ["I read about a Swedish trial of naltrexone for gambling."],
            "What did it show?",
            "What did the Swedish trial on naltrexone show?",
        ),
        (
            ["Can I drink wine on naltrexone?"],
            "Is the combination risky?",
            "Is the combination of alcohol and naltrexone risky?",
        ),
        (
            ["Is naltrexone safe to combine with benzos?"],
            "When I stop them, do I taper?",
            "When I stop benzos, do I taper?",
        ),
    ],
)
def test_pronouns_go_to_the_most_recent_compatible_thing(history, question, expected) -> None:
    r = resolve(question, history)
    assert r.text == expected and r.kind == "pronoun"


def test_expletive_it_and_people_they_are_left_alone() -> None:
    r = resolve("Is it safe to start straight away?", ["My doctor suggested naltrexone for drinking."])
    assert r.text.startswith("Is it safe to start straight away") and "naltrexone" in r.text
    r = resolve("its ok if its only one beer?", ["can i drink on ntx"])  # "its" typed for "it's"
    assert r.text.startswith("its ok if")
    r = resolve("Why do they check my liver first?", ["I'm about to start naltrexone."])
    assert "they check" in r.text
    # "Which is it?" asks to choose between what the turn just said, not about the drug named before.
    history = ["What are the side effects of naltrexone?", "Is anxiety on that list?"]
    r = resolve("But I've read it's being looked at as an anxiety treatment. Which is it?", history)
    assert r.text == "But I've read naltrexone's being looked at as an anxiety treatment. Which is it?"


def test_ordinals_pick_from_the_turn_that_named_several() -> None:
    r = resolve("Is the second one addictive?", ["My nurse mentioned acamprosate and gabapentin for drinking."])
    assert r.text == "Is gabapentin addictive?" and r.kind == "the-first-one"
    r = resolve("Which of them did the first one study?", ["Two trials, one in Oslo and one in Leeds, looked at it."])
    assert "the Oslo" in r.text


@pytest.mark.parametrize(
    ("history", "question", "expected"),
    [
        # Alternatives of any kind, in the order given; the class named before its examples is not one.
        (["i heard naltrexone helps with MS and fibromyalgia"], "what have studies shown for the first one", "MS"),
        (["does naltrexone cause nausea or liver damage?"], "how common is the first one", "nausea"),
        (["whats the deal with codeine and loperamide on naltrexone"], "is the 2nd one off limits too?", "loperamide"),
        (
            ["two studies on naltrexone with benzos, one with alprazolam and one with diazepam"],
            "what did the second one find?",
            "the diazepam study",
        ),
    ],
)
def test_the_first_one_picks_from_the_alternatives_the_turn_listed(history: list[str], question: str, expected: str):
    r = resolve(question, history)
    assert r.kind == "the-first-one" and expected in r.text
    other = {"MS": "fibromyalgia", "nausea": "liver", "loperamide": "codeine", "the diazepam study": "alprazolam"}
    assert other[expected] not in r.text  # the alternative not picked is not carried either


def test_a_pronoun_after_an_ordinal_is_what_it_picked_and_the_other_is_not_a_list_word() -> None:
    r = resolve("i mean the 2nd one, can it be prescribed for that?", ["does naltrexone or gabapentin help legs"])
    assert r.text.startswith("i mean gabapentin, can gabapentin be prescribed")
    r = resolve("what are the other names for the second one", ["are revia and neurontin the same kind of drug?"])
    assert r.text == "what are the other names for neurontin"
    # "them" is not the drug the same question already named; a plural it named is.
    r = resolve("does naltrexone cause breathing problems with them?", ["what's the risk when on benzos?"])
    assert r.text.endswith("with benzos?")
    assert resolve("what about benzos, what do they bind to?", ["What does gabapentin bind to?"]).text.startswith(
        "what about benzos, what do benzos bind to"
    )


def test_they_after_one_drug_in_each_of_two_turns_is_both_drugs() -> None:
    history = ["what is gabapentin?", "and naltrexone?"]
    r = resolve("and do they interact?", history)
    assert r.text == "and do gabapentin and naltrexone interact?" and r.kind == "pronoun"
    assert resolve("can they be taken together?", history).text == "can gabapentin and naltrexone be taken together?"
    # one drug in the conversation: nothing to pair, the earlier question is carried as before
    assert resolve("are they safe?", ["what is gabapentin?"]).text == "are they safe (what is gabapentin)?"
    # a pair named in one turn still wins over the turns before it
    r = resolve("do they interact?", ["what is revia?", "is gabapentin ok with alcohol and naltrexone?"])
    assert "gabapentin" in r.text and "naltrexone" in r.text and "revia" not in r.text


def test_bare_fragment_asks_the_previous_question_about_the_new_thing() -> None:
    assert resolve("And gabapentin?", ["How does naltrexone work in the brain?"]).text == (
        "How does gabapentin work in the brain?"
    )
    assert resolve("What about tablets?", ["How often is the naltrexone injection given?"]).text == (
        "How often is the naltrexone tablets given?"
    )


def test_a_named_drug_swaps_for_the_earlier_one_of_its_own_class() -> None:
    # Both opioids: loperamide takes codeine's place, not naltrexone's.
    assert resolve("What about tramadol?", ["Can I take codeine while I'm on naltrexone?"]).text == (
        "Can I take tramadol while I'm on naltrexone?"
    )
    assert resolve("and the valium one?", ["what did the xanax and naltrexone study show"]).text == (
        "what did the valium and naltrexone study show"
    )


def test_a_pronoun_is_not_the_subject_of_its_own_clause_nor_what_it_is_for() -> None:
    history = ["My uncle starts naltrexone after his detox."]
    assert resolve("and for alcohol, what's it supposed to do?", history).text == (
        "and for alcohol, what's naltrexone supposed to do?"
    )
    assert resolve("does naltrexone make it worse?", ["I get bad headaches."]).text.startswith(
        "does naltrexone make it worse"
    )
    assert resolve("gabapentin, what does it do?", ["Tell me about naltrexone."]).text == (
        "gabapentin, what does gabapentin do?"
    )


def test_a_thing_set_aside_is_not_what_it_means_and_does_not_modify_the_other() -> None:
    history = ["Can I get naltrexone as a jab rather than tablets?"]
    assert resolve("How often is it given?", history).text == "How often is the naltrexone jab given?"
    assert resolve("does it hurt?", ["I want the injection instead of the pills"]).text == "does the injection hurt?"
    assert resolve("how often is it given?", ["Is the monthly shot better than the pills?"]).text == (
        "how often is the monthly shot given?"
    )


def test_the_second_one_picks_from_alternatives_with_articles() -> None:
    history = ["My son just left rehab for heroin.", "They offered him naltrexone as pills or a shot."]
    assert resolve("how often would he need the second one?", history).text == (
        "how often would he need the naltrexone shot?"
    )


def test_other_fragments_are_searched_with_the_previous_question() -> None:
    r = resolve("and for how long?", ["Is a headache a side effect of naltrexone?"])
    assert r.kind == "fragment" and r.text == "and for how long (Is a headache a side effect of naltrexone)?"
    r = resolve("even if I drink a little?", ["Will naltrexone stop my cravings?"])
    assert r.text.startswith("even if I drink a little (Will naltrexone stop my cravings")
    # A bare auxiliary and pronoun asks the earlier question again; a verb of its own asks something new.
    r = resolve("does it though?", ["I'm on naltrexone.", "my mum said it helps with sleep"])
    assert r.kind == "fragment" and r.text == "does naltrexone though (my mum said naltrexone helps with sleep)?"
    assert resolve("does it hurt?", ["I'm getting the naltrexone shot."]).text == "does the naltrexone shot hurt?"


def test_a_bare_condition_swaps_for_the_earlier_one_but_an_added_drug_does_not() -> None:
    assert resolve("and dizziness?", ["Does naltrexone cause nausea?"]).text == "Does naltrexone cause dizziness?"
    assert resolve("seizures too?", ["are benzodiazepines used for anxiety"]).text == (
        "are benzodiazepines used for seizures"
    )
    r = resolve("what about with SSRIs", ["is naltrexone used alongside behavioural therapy for anxiety"])
    assert r.text.startswith("what about with SSRIs (is naltrexone used")


def test_back_to_a_turn_by_its_place_or_after_a_dash() -> None:
    history = ["is it risky to mix benzos with opioids?", "what receptors does naltrexone bind to?"]
    r = resolve("going back to my first question, what are the risks exactly?", history)
    assert r.kind == "return" and r.text.endswith("(is it risky to mix benzos with opioids)?")
    history = ["does naltrexone have a habituation effect?", "what's the mechanism behind it?"]
    r = resolve("back to habituation - even if you take it for years?", history)
    assert r.text.endswith("(does naltrexone have a habituation effect)?")
    r = resolve("whose job is it to keep up with the shots?", ["what's the problem with naltrexone compliance"])
    assert r.text.startswith("whose job is it to keep up")


def test_demonstrative_points_to_the_earlier_statement() -> None:
    r = resolve("Has anyone tested that?", ["Does naltrexone help with binge eating?"])
    assert r.text == "Has anyone tested that (Does naltrexone help with binge eating)?"
    r = resolve("I heard that it wears off, is that right?", ["Tell me about the monthly naltrexone shot."])
    assert "the monthly naltrexone shot wears off" in r.text


def test_back_to_returns_to_the_turn_that_named_it() -> None:
    history = ["What does the naltrexone implant do?", "Unrelated: is gabapentin a controlled drug?"]
    r = resolve("Back to the implant: who should not get it?", history)
    assert r.kind == "return" and "What does the naltrexone implant do" in r.text and "gabapentin" not in r.text


@pytest.mark.parametrize(
    "question",
    [
        "Is naltrexone safe for pregnant women?",
        "Can naltrexone help with anxiety?",
        "Does gabapentin interact with alcohol?",
    ],
)
def test_self_contained_question_is_not_rewritten(question: str) -> None:
    r = resolve(question, [GABA])
    assert (r.text, r.carried, r.followup) == (question, [], False)


def test_the_previous_answer_can_supply_an_ordinal() -> None:
    r = resolve(
        "Is the first one addictive?",
        ["What else helps with cravings?"],
        previous_answer="Acamprosate and gabapentin are both used to reduce cravings.",
    )
    assert r.text == "Is Acamprosate addictive?"


def test_mine_and_for_me_are_the_condition_the_user_said_was_theirs() -> None:
    told = ["I've had bad migraines for years.", "My GP suggested naltrexone for my drinking."]
    # The most recent first-person turn that named a condition: "my drinking".
    r = resolve("would it make mine worse?", told)
    assert r.followup and r.text == "would naltrexone make my drinking worse?"
    r = resolve("would it make mine worse?", told[:1])
    assert r.text == "would it make my migraines worse?"
    r = resolve("Is naltrexone ok for me?", ["I have epilepsy."])
    assert r.followup and r.text == "Is naltrexone ok for me (my epilepsy)?"
    # Not when the question names a condition itself, nor when nobody spoke of their own.
    assert resolve("Is naltrexone ok for me with liver disease?", ["I have epilepsy."]).text == (
        "Is naltrexone ok for me with liver disease?"
    )
    assert resolve("Is naltrexone ok for me?", ["Does naltrexone cause seizures?"]).text == "Is naltrexone ok for me?"
    assert resolve("a friend of mine takes naltrexone, is that ok?", told).text.startswith("a friend of mine takes")


def test_history_without_a_topic_carries_nothing() -> None:
    r = resolve("What are the side effects?", ["hello", "", "   "])
    assert r.text == "What are the side effects?" and not r.followup


def test_lay_words_are_recognised_as_things() -> None:
    found = mentions("Does the jab hurt more than benzos or my booze habit?")
    assert [(m.kind, m.name) for m in found] == [
        ("form", "injection"),
        ("drug", "benzodiazepines"),
        ("drug", "alcohol"),
    ]
    assert names(mentions("opioid addiction and naltrexone"), "condition") == ["opioid addiction"]


def test_odd_input_is_resolved_without_losing_the_users_words() -> None:
    for q in ["", "?", "it " * 5000, "\u00e9\u00e8 \U0001f600", "(((", "*" * 100]:
        res = resolve(q, [GABA, q])
        assert res.question == q.strip()
        if q.strip() in ("", "?"):
            continue
        assert res.followup and "naltrexone" in res.text
        if "it" in q:  # the pronoun is written out, the rest kept
            assert res.text.count("naltrexone and gabapentin together") >= 2
        else:
            assert q.strip().rstrip("?") in res.text
