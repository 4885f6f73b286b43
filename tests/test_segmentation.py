"""Sentence segmentation: exact offsets always, glitches handled."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from naltrexone_qa.ingest.corpus import load_corpus
from naltrexone_qa.ingest.segment import classify_line, segment_document
from naltrexone_qa.types import Document


def make_doc(text: str, title: str = "T") -> Document:
    return Document("d", title, "d.txt", text, hashlib.sha256(text.encode()).hexdigest())


def test_every_sentence_quotes_the_corpus_exactly(corpus_dir):
    for doc in load_corpus(corpus_dir).values():
        sents = segment_document(doc)
        assert sents
        for s in sents:
            assert doc.text[s.start : s.end] == s.text
            assert s.text == s.text.strip() and s.text


def test_missing_space_after_full_stop_is_split(corpus_dir):
    doc = load_corpus(corpus_dir)["naltrexone-effects-uses-risks"]
    texts = [s.text for s in segment_document(doc)]
    assert "This is associated with potentially fatal respiratory disturbances." in texts
    assert any(t.startswith("Therefore, patients must not take any opiates") for t in texts)


def test_table_rows_and_duplicate_title(corpus_dir):
    doc = load_corpus(corpus_dir)["naltrexone-anxiety"]
    sents = segment_document(doc)
    rows = [s for s in sents if s.text.startswith("Study 1")]
    assert rows and rows[0].kind == "table" and not rows[0].answerable
    # The repeated title is not a section of its own.
    assert all(s.section != doc.title for s in sents)
    assert any(s.section == "Potential Side Effects and Considerations" for s in sents)


def test_headings_in_a_file_without_blank_lines(corpus_dir):
    doc = load_corpus(corpus_dir)["naltrexone-benzodiazepines"]
    sents = segment_document(doc)
    consensus = next(s for s in sents if "scientific consensus is that naltrexone does not" in s.text)
    assert consensus.section == "Scientific Assessment of Interaction and Blocking"
    assert sents[0].section is None and sents[0].kind == "text"


def test_promotional_block_is_flagged(corpus_dir):
    doc = load_corpus(corpus_dir)["naltrexone-opiate-addiction"]
    promo = [s for s in segment_document(doc) if s.promotional]
    assert any("855-782-1009" in s.text for s in promo)
    assert any("We can help you." in s.text for s in promo)
    assert all(not s.answerable for s in promo)


def test_line_classes():
    assert classify_line("How Naltrexone Works") == "heading"
    assert classify_line("What is naltrexone?") == "heading"
    assert classify_line("Study 2MildSignificant") == "table"
    assert classify_line("\u2022 It prevents any positive reaction to opioids") == "list"
    assert classify_line("Q2: What are the possible side effects of naltrexone?") == "question"
    assert classify_line("Naltrexone is an opioid antagonist.") == "text"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=600))
def test_offsets_hold_on_arbitrary_text(text):
    doc = make_doc(text)
    prev_end = 0
    for s in segment_document(doc):
        assert doc.text[s.start : s.end] == s.text
        assert s.start >= prev_end
        prev_end = s.end


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Naltrexone blocks opioid receptors.",
                "Dr. Smith et al. reported e.g. 3.5 mg doses.",
                "It works.Therefore it helps.",
                "Heading Line",
                "",
                "\u2022 A bullet",
                "Row 1ValueOther",
                "Is it safe?",
                "  indented text here. ",
                "Call today 555-123-4567",
            ]
        ),
        max_size=12,
    )
)
def test_offsets_hold_on_article_like_text(lines):
    text = "\n".join(lines)
    doc = make_doc(text)
    for s in segment_document(doc):
        assert doc.text[s.start : s.end] == s.text
