"""Corpus loading: exact text, titles from metadata, clear errors."""

from __future__ import annotations

import pytest

from naltrexone_qa.errors import CorpusError
from naltrexone_qa.ingest.corpus import load_corpus


def test_loads_the_five_articles_with_titles(corpus_dir):
    docs = load_corpus(corpus_dir)
    assert len(docs) == 5
    assert docs["naltrexone-benzodiazepines"].title == "Naltrexone and Benzodiazepines"
    assert docs["naltrexone-gabapentin"].title == "Can You Take Naltrexone and Gabapentin Together?"
    for d in docs.values():
        assert (corpus_dir / f"{d.doc_id}.txt").read_bytes().decode("utf-8") == d.text


def test_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="holds no documents"):
        load_corpus(tmp_path)


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")


def test_undecodable_file_is_named(tmp_path):
    (tmp_path / "good.txt").write_text("Naltrexone is an opioid antagonist.", encoding="utf-8")
    (tmp_path / "bad.md").write_bytes(b"caf\xe9 \xff\xfe")
    with pytest.raises(CorpusError, match="bad.md"):
        load_corpus(tmp_path)


def test_user_folder_with_markdown(tmp_path):
    (tmp_path / "notes.md").write_text("# My notes\n\nNaltrexone is taken daily.\n", encoding="utf-8")
    docs = load_corpus(tmp_path)
    assert docs["notes"].title == "My notes"
