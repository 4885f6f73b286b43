"""A quoted sentence that points back ("This is associated with ...") is quoted from what it points to."""

from __future__ import annotations

import pytest

from naltrexone_qa.answer.quotes import absorb_leads, cite, lead_in, points_back
from naltrexone_qa.evaluation.qa import quote_problems
from naltrexone_qa.frontends.http.schemas import CitationOut


@pytest.mark.parametrize(
    "text, expected",
    [
        ("This is associated with potentially fatal respiratory disturbances.", True),
        ("However, this can result in serious complications.", True),
        ("They bind to these receptors and abruptly displace the opiates.", True),
        ("That’s why it’s vital to talk with your healthcare provider.", True),
        ("It reduces alcohol cravings in both abstinent and nonabstinent patients.", False),
        ("Because of this hepatotoxic effect, administration of naltrexone is contraindicated.", True),
        ("Given that patients may be prescribed both, a question arises.", False),
        ("Thisbe is not a word here.", False),
        ("Naltrexone is an opioid antagonist.", False),
    ],
)
def test_which_sentences_point_back(text: str, expected: bool) -> None:
    assert points_back(text) is expected


def _id(index, start: str) -> int:
    return next(s.id for s in index.sentences if s.text.startswith(start))


def test_the_quote_starts_at_the_sentence_pointed_to_and_stays_exact(hash_qa):
    index = hash_qa.index
    sid = _id(index, "This is associated with potentially fatal")
    c = cite(index, sid, 1)
    doc = index.documents[c.doc_id]
    assert c.text.startswith("If naltrexone is used concurrently with opiates, an overdose may occur.")
    assert c.text.endswith("respiratory disturbances.")
    assert doc.text[c.start : c.end] == c.text
    assert c.text[c.lead_in :].lstrip().startswith("This is associated")
    assert c.to_dict()["lead_in"] == c.lead_in > 0
    assert quote_problems({"citations": [c.to_dict()]}, index.documents) == []
    assert CitationOut.model_validate(c.to_dict()).model_dump(exclude_unset=True) == c.to_dict()  # HTTP schema


def test_a_chain_of_pointing_sentences_goes_back_two_at_most(hash_qa):
    index = hash_qa.index
    sid = _id(index, "They bind to these receptors")
    lead = lead_in(index.sentences, sid)
    assert lead is not None and lead.text.startswith("The drug belongs to the opioid antagonists.")


def test_no_lead_in_from_another_paragraph_a_heading_or_a_sentence_quoted_on_its_own(hash_qa):
    index = hash_qa.index
    plain = _id(index, "If naltrexone is used concurrently with opiates")
    assert lead_in(index.sentences, plain) is None  # does not point back
    sid = _id(index, "This is associated with potentially fatal")
    assert lead_in(index.sentences, sid, avoid=[sid - 1]) is None
    c = cite(index, sid, 1, avoid=[sid - 1])
    assert c.lead_in == 0 and "lead_in" not in c.to_dict()
    assert cite(index, sid, 1, with_lead_in=False).text.startswith("This is associated")
    article_intro = _id(index, "This article provides general information")
    assert lead_in(index.sentences, article_intro) is None  # the sentence before it is the title heading


def test_a_quoted_sentence_pointed_back_to_is_folded_into_the_quote_that_points_to_it(hash_qa):
    index = hash_qa.index
    sid = _id(index, "This is associated with potentially fatal")
    other = _id(index, "Naltrexone is an opioid antagonist.")
    assert absorb_leads([sid, other, sid - 1], index.sentences) == [sid, other]
    assert absorb_leads([other, sid - 1, sid], index.sentences) == [other, sid]
    # Chosen on its own merits, the sentence pointed back to is not context.
    assert cite(index, sid, 1, chosen=[sid, sid - 1]).lead_in == 0


def test_answers_quote_the_sentence_pointed_to(hash_qa):
    a = hash_qa.ask("what happens if you take opiates while on naltrexone?")
    for c in a.citations:
        assert hash_qa.documents[c.doc_id].text[c.start : c.end] == c.text
        if c.lead_in:
            assert points_back(c.text[c.lead_in :].lstrip())


def test_lead_ins_can_be_turned_off_from_the_environment():
    from naltrexone_qa.config import Settings

    assert Settings.from_env(env={}).answer.lead_in is True
    assert Settings.from_env(env={"NALTREXONE_QA_LEAD_IN": "0"}).answer.lead_in is False
