"""The answerer's signals: consumer words, what a question asks for, candidate features, selection."""

from __future__ import annotations

import numpy as np

from naltrexone_qa.answer.abstain import (
    question_features,
    uncompared,
    unknown_share,
    unlisted_place,
    unlisted_substance,
    unlisted_thing,
)
from naltrexone_qa.answer.features import FEATURES, Query, SentenceFacts, asked_kinds, candidate_features
from naltrexone_qa.answer.lay_terms import clinical_words, expand, leaning_vector, leaning_vectors


def test_consumer_words_gain_their_clinical_words_and_keep_their_own():
    assert clinical_words("does the jab make you feel wired?") == ["injection", "excitability"]
    assert expand("can i drink booze on it").startswith("can i drink booze on it ")
    assert "alcohol" in expand("can i drink booze on it")
    # nothing added that the question already says, nothing for plain clinical wording
    assert clinical_words("Is the injection given monthly?") == ["month"]
    assert clinical_words("What is the mechanism of action?") == []
    # the abbreviation and misspellings people type for the drug, and street names of opioids
    assert clinical_words("can u still get high on ntx") == ["euphoria", "naltrexone"]
    assert clinical_words("is naltrexon safe with percs?") == ["naltrexone", "opioids"]
    assert clinical_words("is tramadol ok on it") == ["opioids"]
    assert clinical_words("and the tiredness?") == ["fatigue"]
    assert clinical_words("is naltrexone a narcotic") == ["opioids"]
    assert clinical_words("is it licensed in europe") == ["approved", "european", "countries"]
    assert "nonabstinent" in clinical_words("is it worth it if im still drinking a bit")
    # stopping naltrexone is not coming off opioids; "the odd pint" is no overdose
    assert clinical_words("once im off the shot can heroin hit me like before")[:2] == ["stop", "taking"]
    assert "withdrawal" in clinical_words("how do i come off percs")
    assert "overdose" not in clinical_words("even if I'm still having the odd pint?")
    assert "overdose" in clinical_words("he OD'd last year") and "overdose" in clinical_words("what if i od")
    # how much one takes is the dose; a bigger dose is the articles' "higher doses"; feeling rough, a side effect
    assert clinical_words("does it matter how much naltrexone you take for anxiety") == ["dose", "dosage"]
    assert clinical_words("How much does a month of it cost?") == []
    assert clinical_words("would a bigger dose help even more") == ["higher", "doses"]
    assert clinical_words("it makes me feel rough for days") == ["side", "effects", "nausea"]
    assert clinical_words("is gabapentin easy on people?") == ["well-tolerated"]
    assert clinical_words("ldn for ms") == ["low-dose", "naltrexone", "multiple", "sclerosis"]
    # panic attacks are anxiety (the disagreement's topic a question then names)
    assert clinical_words("could it make my panic attacks worse?") == ["anxiety", "stress"]
    # "use" alone is taking the drug in recovery talk; "used for" and "use alcohol" are not
    assert clinical_words("if i use will i even feel it") == ["opioids", "opioid", "effect"]
    assert "dose" in clinical_words("and if he takes more to push through it?")
    for plain in ("how is naltrexone used?", "can i use alcohol with it", "what is it used for"):
        assert clinical_words(plain) == [], plain


class _Recorder:
    """An encoder that remembers what it was asked to embed: one axis per distinct text."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.axes: dict[str, int] = {}

    def __call__(self, texts):
        self.calls.append(list(texts))
        out = np.zeros((len(texts), 8), dtype=np.float32)
        for row, t in enumerate(texts):
            out[row, self.axes.setdefault(t, len(self.axes))] = 1.0
        return out


def test_the_question_vector_leans_toward_the_clinical_words_of_consumer_ones():
    enc = _Recorder()
    q = "if i take percs while on the shot will anything happen"
    plain, lean = leaning_vector(enc, q, 0.5)
    assert enc.calls == [[q, "opioids injection effect"]]  # one batch: the question and its clinical words
    assert plain[enc.axes[q]] == 1.0 and np.isclose(np.linalg.norm(lean), 1.0)
    assert np.isclose(lean[enc.axes["opioids injection effect"]] / lean[enc.axes[q]], 0.5)
    # no consumer words, or no weight: one text embedded and both vectors the question's own
    for text, weight in (("What is the half-life of naltrexone?", 0.5), (q, 0.0)):
        enc.calls.clear()
        plain, lean = leaning_vector(enc, text, weight)
        assert enc.calls == [[text]] and plain is lean


def test_the_model_reads_the_written_out_text_and_one_and_many_agree() -> None:
    enc = _Recorder()  # texting shorthand is written out before the model reads it
    plain, lean = leaning_vector(enc, "can u still get high on ntx", 0.5)
    assert enc.calls == [["can you still get high on naltrexone", "euphoria"]]
    many = leaning_vectors(enc, ["can u still get high on ntx"], 0.5)
    assert enc.calls[1:] == [["can you still get high on naltrexone"], ["euphoria"]]
    assert np.allclose(many[0], lean)


def test_the_query_keeps_the_plain_vector_for_judging_the_question(hash_qa):
    q = _query(hash_qa, "does the jab hurt")
    typed = hash_qa.embedder.encode(["does the jab hurt"])[0]
    assert np.allclose(q.plain, typed, atol=1e-5) and not np.allclose(q.vec, typed, atol=1e-3)
    own = _query(hash_qa, "What is the half-life of naltrexone?")
    assert own.plain is own.vec


def test_what_a_question_asks_for():
    assert asked_kinds("How many days should I wait?") == {"number"}
    assert asked_kinds("how often is the shot given") == {"frequency"}
    assert asked_kinds("Which brand names is it sold under?") == {"name"}
    assert asked_kinds("What did the Norway study find?") == {"study"}
    assert asked_kinds("Is naltrexone addictive?") == set()


def test_unknown_share_counts_only_words_no_article_uses(hash_qa):
    index = hash_qa.index
    assert unknown_share("Is naltrexone addictive?", index) == 0.0
    assert unknown_share("Does semaglutide interact with tirzepatide?", index) > 0.5
    # a consumer word whose clinical word the articles use is not unknown
    assert unknown_share("does the jab hurt", index) < unknown_share("does the zorblax hurt", index)
    assert unknown_share("how soon can i start ntx", index) < unknown_share("how soon can i start zorblax", index)


def test_who_asks_and_chat_filler_count_neither_way(hash_qa):
    """ "my husband", "whats going on": who asks and how says nothing about what is asked."""
    index = hash_qa.index
    plain = unknown_share("does naltrexone stop tramadol working for back pain", index)
    assert (
        unknown_share("my husband's naltrexone stops his tramadol working for back pain, whats going on", index)
        == plain
    )
    assert unknown_share("can my wife drink on naltrexone", index) == unknown_share("can i drink on naltrexone", index)
    # the asker's words do not hide a word no article uses
    assert unknown_share("can my son take semaglutide", index) == unknown_share("can i take semaglutide", index) > 0
    assert unlisted_thing("what about my husband?", index) == ""  # the same question, asked for him


def test_a_substance_no_article_mentions_is_unlisted(hash_qa):
    index = hash_qa.index
    for q, thing in (
        ("does naltrexone help with meth cravings", "meth"),
        ("can i take Tylenol with them for headaches?", "Tylenol"),
        ("is vaping ok on ntx", "vaping"),
        ("My son smokes marijuana every day. Does cannabis interact with naltrexone?", "marijuana"),
    ):
        assert unlisted_substance(q, index) == thing, q
    for q in (
        "does naltrexone block heroin",  # the articles' opioids
        "can i drink wine on it",
        "is it safe with gabapentin",  # an article is about it
        "how do i fix a cracked phone screen",  # not the word "crack"
    ):
        assert unlisted_substance(q, index) == "", q


def test_availability_in_a_country_no_article_mentions_is_not_answered(hash_qa) -> None:
    index = hash_qa.index
    for q, place in (
        ("Is naltrexone approved for alcohol dependence in Canada?", "Canada"),
        ("Can I get naltrexone without a prescription in the UK?", "UK"),
        ("can i get ntx in canada without a script", "canada"),
    ):
        assert unlisted_place(q, q, index) == place, q
    for q in (
        "Is naltrexone approved in Germany?",  # an article says it is
        "is naltrexone licensed for alcoholism in europe",  # "other European countries"
        "I live in Canada, does naltrexone help cravings?",  # where the asker lives, not what is asked
    ):
        assert unlisted_place(q, q, index) == "", q
    # A follow-up: the country is in the user's words, the availability in the resolved question.
    assert unlisted_place("and in Canada?", "is naltrexone prescription-only in Canada?", index) == "Canada"


def test_which_is_better_needs_a_sentence_that_compares() -> None:
    alone = ["Naltrexone reduces cravings for alcohol.", "Semaglutide is a weekly injection."]
    for q in (
        "Is naltrexone better than semaglutide for reducing alcohol cravings?",
        "is it more effective than buprenorphine",
        "Which works better, the methadone or this?",
        "naltrexone vs acamprosate, which one is safer for me",
    ):
        assert uncompared(q, alone), q
        assert not uncompared(q, [*alone, "Naltrexone was more effective than placebo in two trials."]), q
    for q in (
        "How could naltrexone make therapy or antidepressants work better?",  # not two things weighed
        "Do they actually work better together than either one does alone?",
        "does naltrexone reduce cravings",
    ):
        assert not uncompared(q, alone), q


def test_a_comparison_no_article_makes_abstains(qa):
    ans = qa.ask("Is naltrexone better than semaglutide for reducing alcohol cravings?")
    assert ans.abstained and not ans.citations


def test_a_substance_no_article_mentions_abstains(qa):
    ans = qa.ask("does naltrexone help with meth cravings")
    assert ans.abstained and not ans.citations
    assert not qa.ask("does naltrexone help with heroin cravings").abstained


def test_a_bare_follow_up_naming_only_what_no_article_uses_is_unlisted(hash_qa):
    index = hash_qa.index
    for q, thing in (
        ("what about lyrica?", "lyrica"),
        ("and with lithium?", "lithium"),
        ("so what about her kidneys?", "kidneys"),
        ("and hair loss then?", "hair loss"),
        ("or ambien", "ambien"),
    ):
        assert unlisted_thing(q, index) == thing, q
    for q in (
        "and dizziness?",  # the articles list it
        "what about the jab?",  # a consumer word for the articles' "injection"
        "and percs?",
        "and tramadol?",  # an opioid by name: the articles' "opioids"
        "and tiredness?",  # their "fatigue"
        "what about the other one?",  # points back at something said before
        "what about it?",
        "and why?",
        "does lyrica help anxiety?",  # a question of its own, left to the calibrated decision
        "what about lyrica at a festival with friends",
    ):
        assert unlisted_thing(q, index) == "", q


def test_an_unlisted_thing_abstains_although_the_earlier_turn_is_answered(hash_qa):
    history = ["can you take naltrexone and gabapentin together?"]
    assert not hash_qa.ask(history[0]).abstained
    ans = hash_qa.ask("what about lyrica?", history=history)
    assert ans.abstained and ans.confidence == 0.0 and not ans.citations
    assert "gabapentin" in ans.resolved_question  # still resolved with the earlier turn, as it is shown


def _query(qa, text: str) -> Query:
    from naltrexone_qa.answer.conversation import resolve

    return qa.query(text, resolve(text))


def test_candidate_features_are_named_and_bounded(hash_qa):
    index = hash_qa.index
    q = _query(hash_qa, "How many days should I stop opioids before naltrexone?")
    ids = [s.id for s in index.sentences if s.answerable][:40]
    facts = SentenceFacts(index.sentences)
    x = candidate_features(q, ids, {ids[0]: 1.0}, index, facts)
    assert x.shape == (len(ids), len(FEATURES))
    col = {name: x[:, i] for i, name in enumerate(FEATURES)}
    assert np.all(np.abs(col["dense"]) <= 1.0001) and np.all((col["lex"] >= 0) & (col["lex"] <= 1))
    assert col["chunk"][0] == 1.0 and not col["chunk"][1:].any()
    assert set(np.unique(col["asks_number"])) <= {-1.0, 1.0} and not col["asks_name"].any()
    assert not col["rerank"].any()
    # the heading of a sentence is the last heading before it in its document
    heading = facts.heading[ids[5]]
    assert heading is None or index.sentences[heading].kind == "heading"


def test_pool_is_ranked_and_question_features_are_complete(hash_qa):
    q = _query(hash_qa, "Is naltrexone addictive?")
    sel = hash_qa.select(q, decide=False)
    scores = [c.score for c in sel.pool]
    assert scores == sorted(scores, reverse=True) and len(sel.pool) >= 10
    assert all(c.sentence.answerable for c in sel.pool)
    feats = question_features(
        q, sel.pool, hash_qa.chooser.centroid, np.array([0.5] * 30), hash_qa.index, hash_qa.settings.answer
    )
    assert set(feats) == set(sel.features) and feats["top"] == sel.pool[0].score


def test_selection_quotes_within_the_margin_without_repeats(hash_qa):
    q = _query(hash_qa, "What are the side effects of naltrexone?")
    pool = hash_qa.select(q, decide=False).pool
    chosen = hash_qa.chooser.select(pool)
    assert 1 <= len(chosen) <= hash_qa.settings.answer.max_sentences and chosen[0] is pool[0]
    assert len({c.sentence.id for c in chosen}) == len(chosen)
    margin = hash_qa.chooser.ranker.margin + hash_qa.settings.answer.new_source_allowance
    assert all(c.score >= pool[0].score - margin for c in chosen)
