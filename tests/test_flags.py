"""Question-aware disagreement flags: both sides near the question, a named topic, a quote alone not enough."""

from __future__ import annotations

import numpy as np

from naltrexone_qa.config import FlagSettings
from naltrexone_qa.disagree.flags import missing_side, named_topic, select_flags, shown_pair
from naltrexone_qa.retrieve.numpy_store import NumpyStore
from naltrexone_qa.types import Citation, Conflict

DIM = 32
# Five filler sentences (ids 10-14); with the sides below 0.82 the question's 5th-nearest is 0.82.
FILLERS = {10: 0.90, 11: 0.88, 12: 0.86, 13: 0.84, 14: 0.82}
SETTINGS = FlagSettings(near=0.06, near_named=0.16)


def _cite(sid: int, doc: str) -> Citation:
    return Citation(None, doc, doc.title(), None, 0, 5, f"sentence {sid}", 0.9, sid)


def _conflict(topic: str, a: list[int], b: list[int], pairs: list[tuple[int, int, str]]) -> Conflict:
    return Conflict(
        "opposite-effects",
        "high",
        0.9,
        pairs[0][2],
        topic,
        _cite(a[0], "one"),
        _cite(b[0], "two"),
        [_cite(s, "one") for s in a[1:]],
        [_cite(s, "two") for s in b[1:]],
        pairs,
    )


ANXIETY = _conflict("anxiety", [0, 1], [2], [(0, 2, "'eases' vs. 'causes'"), (1, 2, "'relieves' vs. 'causes'")])
LIVER = _conflict("liver", [3], [4], [(3, 4, "'safe' vs. 'harms'")])


def _store(cosines: dict[int, float]) -> NumpyStore:
    """Unit vectors with the given cosine to the question (axis 0), each on its own other axis."""
    ids = sorted({**FILLERS, **cosines})
    cos = {**FILLERS, **cosines}
    vecs = np.zeros((len(ids), DIM), dtype=np.float32)
    for row, i in enumerate(ids):
        vecs[row, 0] = cos[i]
        vecs[row, 1 + row] = np.sqrt(1 - cos[i] ** 2)
    store = NumpyStore(DIM)
    store.add(ids, vecs)
    return store


Q = np.eye(DIM, dtype=np.float32)[0]


def _flags(cosines: dict[int, float], question: str, cited: dict[int, int | None]) -> list[str]:
    found = select_flags([ANXIETY, LIVER], cited, question, Q, _store(cosines), SETTINGS)
    return [c.topic for c in found]


def test_both_sides_near_the_question_is_flagged_even_if_one_side_is_quoted() -> None:
    # Side a quoted (0.95), side b not quoted but 0.04 below the 5th-nearest: the question asks the point.
    assert _flags({0: 0.95, 1: 0.5, 2: 0.80, 3: 0.1, 4: 0.1}, "Is naltrexone good for me?", {0: 1}) == ["anxiety"]


def test_an_unquoted_disagreement_needs_a_question_that_weighs_two_possibilities() -> None:
    # Both sides among the strongest evidence but neither quoted: the answer speaks of something else.
    near = {0: 0.5, 1: 0.83, 2: 0.81, 3: 0.1, 4: 0.1}
    assert _flags(near, "Is naltrexone good for me?", {10: 1}) == []
    assert _flags(near, "Does it ease anxiety, or can it cause it?", {10: 1}) == ["anxiety"]
    # With the rule off (FlagSettings.unquoted_needs_contrast), nearness alone flags it.
    loose = FlagSettings(near=0.06, near_named=0.16, unquoted_needs_contrast=False)
    found = select_flags([ANXIETY, LIVER], {10: 1}, "Is naltrexone good for me?", Q, _store(near), loose)
    assert [c.topic for c in found] == ["anxiety"]


def test_a_quoted_side_alone_is_not_enough() -> None:
    # "Is it addictive?" may quote a sentence that also takes a side on anxiety; the other side is far.
    assert _flags({0: 0.95, 1: 0.5, 2: 0.40, 3: 0.1, 4: 0.1}, "Is naltrexone addictive?", {0: 1}) == []
    assert _flags({0: 0.1, 1: 0.1, 2: 0.1, 3: 0.93, 4: 0.2}, "Is naltrexone addictive?", {3: 1}) == []


def test_both_sides_quoted_is_shown_however_far_the_sides_are() -> None:
    # Side b 0.30 below the 5th-nearest and the topic not named: far, but the answer quotes both sides.
    far = {0: 0.95, 1: 0.5, 2: 0.52, 3: 0.1, 4: 0.1}
    assert _flags(far, "Is naltrexone good for me?", {0: 1, 2: 2}) == ["anxiety"]
    assert _flags(far, "Is naltrexone good for me?", {0: 1}) == []
    off = FlagSettings(near=0.06, near_named=0.16, both_quoted_shown=False)
    assert select_flags([ANXIETY, LIVER], {0: 1, 2: 2}, "Is naltrexone good for me?", Q, _store(far), off) == []


def test_a_farther_side_counts_when_the_question_names_the_topic() -> None:
    cos = {0: 0.95, 1: 0.5, 2: 0.72, 3: 0.1, 4: 0.1}  # side b 0.10 below the 5th-nearest
    assert _flags(cos, "Does naltrexone help with anxiety?", {0: 1}) == ["anxiety"]
    assert _flags(cos, "Does naltrexone help me sleep?", {0: 1}) == []
    # Named only inside a condition clause: the question asks about something else.
    assert _flags(cos, "If I take it for anxiety, does it harm the liver?", {0: 1}) == []
    # Beyond the named-topic margin a question asking for something else is not flagged ...
    far = {0: 0.95, 1: 0.5, 2: 0.60, 3: 0.1, 4: 0.1}
    assert _flags(far, "Which universities studied naltrexone for anxiety?", {0: 1}) == []
    # ... but a yes-or-no question about the topic answered from one side is (FlagSettings.one_side_polar_named).
    assert _flags(far, "Does naltrexone help with anxiety?", {0: 1}) == ["anxiety"]
    off = FlagSettings(near=0.06, near_named=0.16, one_side_polar_named=False)
    assert select_flags([ANXIETY, LIVER], {0: 1}, "Does naltrexone help with anxiety?", Q, _store(far), off) == []


def test_a_yes_or_no_question_answered_from_one_side_shows_the_disagreement() -> None:
    far = {0: 0.95, 1: 0.5, 2: 0.40, 3: 0.1, 4: 0.1}  # side b far below the question's 5th-nearest
    assert _flags(far, "i get panic attacks. is it gonna make my anxiety worse??", {0: 1}) == ["anxiety"]
    assert _flags(far, "so could it make my anxiety worse (I have panic attacks)?", {0: 1}) == ["anxiety"]
    # Not yes-or-no, the topic not named, or no side quoted: nothing.
    assert _flags(far, "Which other treatments is naltrexone paired with for anxiety?", {0: 1}) == []
    assert _flags(far, "Is naltrexone good for me?", {0: 1}) == []
    assert _flags(far, "Is it gonna make my anxiety worse?", {10: 1}) == []


def test_a_yes_or_no_question_whose_first_quote_is_one_side_shows_it_when_the_other_side_is_near() -> None:
    # The topic is not named and side a is itself farther than "near" (0.70, 0.12 below the 5th-nearest
    # 0.82), but the answer quotes it first and side b is among the strongest evidence (0.80, 0.02
    # below): the yes or no is read off side a.
    near_b = {0: 0.70, 1: 0.5, 2: 0.80, 3: 0.1, 4: 0.1}
    assert _flags(near_b, "can u still feel calm on it", {0: 1}) == ["anxiety"]
    # Not when the side is quoted second, nor when the question does not ask yes or no ...
    assert _flags(near_b, "can u still feel calm on it", {10: 1, 0: 2}) == []
    assert _flags(near_b, "what happens to calm on it", {0: 1}) == []
    # ... nor when the other side is farther too (0.74, 0.08 below).
    assert _flags({**near_b, 2: 0.74}, "can u still feel calm on it", {0: 1}) == []


def test_polar_reads_the_asking_sentence() -> None:
    from naltrexone_qa.disagree.flags import polar

    assert polar("Does naltrexone help anxiety?")
    assert polar("ok so can u still get high on it")
    assert polar("My son is on it. Will pain meds still work? healthcare provider")
    assert not polar("How do doctors check that someone is free of opioids?")
    assert not polar("Is it safe? Which websites say so?")
    assert not polar("what about the opposite (Is it good for anxiety)?")
    # After an opening condition, a yes-or-no question is still one; a wh-question is not.
    assert polar("im on the shot. if i relapse on pills will anything even happen?")
    assert not polar("if you want to start, how long do you wait?")
    # A texted question that runs on after a comma still asks yes or no; a wh-clause does not.
    assert polar("my doc put me on naltrexon for drinking, can it calm my anxiety down too?")
    assert not polar("my doc put me on it for drinking, how long until it works?")


def test_quoted_disagreements_come_first_and_max_flags_holds() -> None:
    cos = {0: 0.83, 1: 0.5, 2: 0.81, 3: 0.95, 4: 0.80}
    store = _store(cos)
    # A question weighing two possibilities, so the unquoted disagreement is shown too, after the quoted one.
    asked = "Does it help, or can it harm?"
    both = select_flags([ANXIETY, LIVER], {3: 1}, asked, Q, store, SETTINGS)
    assert [c.topic for c in both] == ["liver", "anxiety"]
    one = select_flags([ANXIETY, LIVER], {3: 1}, asked, Q, store, FlagSettings(max_flags=1))
    assert [c.topic for c in one] == ["liver"]


def test_named_topic_reads_stems_outside_condition_clauses() -> None:
    assert named_topic("Can naltrexone cause anxious feelings?", "anxiety")
    assert named_topic("Is the waiting period before starting long?", "waiting period")
    assert not named_topic("When I am anxious, can I drink alcohol?", "anxiety")
    assert not named_topic("Is it addictive?", "anxiety")


def test_shown_pair_prefers_the_quoted_sentence_and_its_own_explanation() -> None:
    assert shown_pair(ANXIETY, {}) == (0, 2, "'eases' vs. 'causes'")
    assert shown_pair(ANXIETY, {1: 2}) == (1, 2, "'relieves' vs. 'causes'")
    assert shown_pair(ANXIETY, {2: 1, 1: 3}) == (1, 2, "'relieves' vs. 'causes'")


def test_a_question_weighing_two_possibilities_is_flagged_though_one_side_is_far() -> None:
    # Side b 0.30 below the 5th-nearest: too far even for a named topic, unless the question
    # itself sets two possibilities against each other.
    cos = {0: 0.95, 1: 0.5, 2: 0.52, 3: 0.1, 4: 0.1}
    assert _flags(cos, "What does naltrexone do for anxiety?", {0: 1}) == []
    assert _flags(cos, "Does naltrexone relieve anxiety, or can it actually cause anxiety?", {0: 1}) == ["anxiety"]
    assert _flags(cos, "I've read it's looked at for anxiety. Which is it?", {0: 1}) == ["anxiety"]
    # Not about the topic, or no side near the question: nothing.
    assert _flags(cos, "Does it help sleep, or can it cause insomnia?", {0: 1}) == []
    assert _flags({0: 0.6, 1: 0.5, 2: 0.52, 3: 0.1, 4: 0.1}, "Does it ease anxiety or cause it?", {10: 1}) == []


def test_contrasting_reads_alternatives_not_lists() -> None:
    from naltrexone_qa.disagree.flags import contrasting

    assert contrasting("Does naltrexone calm you down or make you jittery?")
    assert contrasting("Isn't it supposed to reduce anxiety, though?")
    assert contrasting("But I've heard it can be dangerous")
    assert not contrasting("Did naltrexone change people's pain or anxiety ratings?")
    assert not contrasting("Can I take it with diazepam or alprazolam?")
    assert contrasting("whats it do to anxiety, good or bad?")
    assert contrasting("Expect anxiety to improve or to increase?")
    assert contrasting("what about the opposite?")
    assert contrasting("is there any downside on the anxiety front, like could it backfire?")
    assert contrasting("can it have the reverse effect on some people?")
    assert not contrasting("is the reverse side of the box where the dose is printed?")
    assert not contrasting("Is it a pill or a shot?")


def test_missing_side_is_the_unquoted_side_only_when_the_other_is_quoted() -> None:
    assert missing_side(ANXIETY, [1, 7]) == {2}
    assert missing_side(ANXIETY, [2]) == {0, 1}
    assert missing_side(ANXIETY, [0, 2]) == set()
    assert missing_side(ANXIETY, [7, 8]) == set()


def test_the_other_side_takes_the_weakest_place_its_side_can_spare_when_the_answer_is_full() -> None:
    from naltrexone_qa.answer.balance import with_other_side

    assert with_other_side([1, 7], [ANXIETY], 2, room=4) == [1, 7, 2]
    assert with_other_side([7, 1, 8, 9], [ANXIETY], 2, room=4) == [7, 1, 8, 2]
    # The one quote of the side already there is never the one to go; a second one may.
    assert with_other_side([7, 8, 9, 1], [ANXIETY], 2, room=4) == [7, 8, 1, 2]
    assert with_other_side([1, 7, 8, 0], [ANXIETY], 2, room=4) == [1, 7, 8, 2]
    assert with_other_side([1], [ANXIETY], 2, room=1) == [1]
    assert with_other_side([1, 7], [ANXIETY], None, room=4) == [1, 7]
