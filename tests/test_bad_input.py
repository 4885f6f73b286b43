"""Bad corpus files: each gets a message naming it, and the live index is never half-updated."""

from __future__ import annotations

import logging
import tracemalloc
from pathlib import Path

import pytest

import docgen
from naltrexone_qa.config import Settings
from naltrexone_qa.disagree.rules import RuleDetector
from naltrexone_qa.embed.hashing import HashEmbedder
from naltrexone_qa.errors import CorpusError
from naltrexone_qa.index.build import ensure_index
from naltrexone_qa.index.store import current_build
from naltrexone_qa.ingest.corpus import load_corpus, scan_corpus
from naltrexone_qa.ingest.documents import DocumentStream

GOOD = "Alpha Article\n\nNaltrexone blocks opioid receptors. It reduces cravings for alcohol.\n"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "alpha.txt").write_text(GOOD, encoding="utf-8")
    return corpus


def build(corpus: Path, index: Path, progress=None):
    settings = Settings(corpus_dir=corpus, index_dir=index, model="hash:64", store="numpy")
    return ensure_index(settings, HashEmbedder(64), RuleDetector(), progress=progress)


def test_unsupported_extensions_are_skipped_with_one_warning_listing_them(folder, tmp_path, caplog):
    (folder / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    (folder / "photo.png").write_bytes(b"\x89PNG")
    with caplog.at_level(logging.WARNING):
        index, _ = build(folder, tmp_path / "index")
    assert set(index.documents) == {"alpha"}
    warnings = [r.getMessage() for r in caplog.records if "unsupported extension" in r.getMessage()]
    assert len(warnings) == 1 and "photo.png" in warnings[0] and "sheet.xlsx" in warnings[0]


def test_an_empty_file_is_skipped_with_a_warning_not_the_whole_corpus(folder, tmp_path, caplog):
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text("  \n\n\t\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        index, _ = build(folder, tmp_path / "index")
    assert set(index.documents) == {"alpha"}
    text = caplog.text
    assert "empty.txt is empty; skipped" in text and "blank.md is empty; skipped" in text
    assert {s["file"] for s in index.manifest["skipped"]} == {"empty.txt", "blank.md"}


def test_a_file_of_control_characters_is_an_error_naming_it(folder, tmp_path):
    (folder / "zeros.txt").write_bytes(b"\x00\x00\x01\x02\x00\x7f" * 20)
    with pytest.raises(CorpusError, match=r"zeros\.txt has no letters"):
        build(folder, tmp_path / "index")
    (folder / "zeros.txt").write_bytes(b"\x1c\x1d\x1e\x1f\n" * 5)  # separators Python counts as whitespace
    with pytest.raises(CorpusError, match=r"zeros\.txt has no letters"):
        build(folder, tmp_path / "index")


def test_undecodable_and_empty_html_are_errors_naming_the_file(folder, tmp_path):
    (folder / "latin1.txt").write_bytes("Naltrexone caf\u00e9".encode("latin-1"))
    with pytest.raises(CorpusError, match=r"latin1\.txt is not valid UTF-8 \(byte 14\)"):
        load_corpus(folder)
    (folder / "latin1.txt").unlink()
    (folder / "nav-only.html").write_text(
        "<html><body><nav><a href='/'>Home</a></nav><div class='cookie'>We use cookies.</div>"
        "<footer>Copyright</footer><script>var a = 1;</script></body></html>",
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match=r"nav-only\.html has no main content"):
        load_corpus(folder)


def test_two_files_with_the_same_text_are_indexed_once_with_a_warning(folder, tmp_path, caplog):
    (folder / "copy-of-alpha.txt").write_text(GOOD, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        index, _ = build(folder, tmp_path / "index")
    assert set(index.documents) == {"alpha"}  # the first in name order is kept
    assert "copy-of-alpha.txt has the same text as alpha.txt; skipped (indexed once, as alpha.txt)" in caplog.text
    assert len({s.text for s in index.sentences}) == len(index.sentences)


@pytest.mark.parametrize("which", ["not yet read", "already read"])
def test_a_file_that_changes_while_being_indexed_leaves_the_old_index(folder, tmp_path, which):
    (folder / "beta.txt").write_text("Beta Article\n\nGabapentin is an anticonvulsant.\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    first, _ = build(folder, index_dir)
    (folder / "alpha.txt").write_text(GOOD + "It is taken once a day.\n", encoding="utf-8")
    target = folder / ("beta.txt" if which == "not yet read" else "alpha.txt")

    def meddle(phase: str, done: int, total: int) -> None:
        if phase == "reading" and done == 1:  # alpha has just been read; beta has not
            target.write_text(target.read_text(encoding="utf-8") + "Edited meanwhile.\n", encoding="utf-8")

    with pytest.raises(CorpusError, match=rf"{target.name} changed while it was being indexed"):
        build(folder, index_dir, progress=meddle)
    assert current_build(index_dir) == first.folder
    assert not [p for p in index_dir.iterdir() if p.name.startswith(".tmp-")]


def test_documents_are_streamed_so_memory_does_not_grow_with_their_number(tmp_path):
    page = docgen.html_page("naltrexone-gabapentin", "Gabapentin", "https://x.example/g")

    def peak(n: int) -> int:
        corpus = tmp_path / f"c{n}"
        corpus.mkdir()
        for i in range(n):  # distinct texts, so none is skipped as a duplicate
            (corpus / f"page-{i}.html").write_text(page.replace("<h1>", f"<h1>Copy {i} "), encoding="utf-8")
        stream = DocumentStream(scan_corpus(corpus))
        tracemalloc.start()
        count = sum(1 for _ in stream)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert count == n
        return top

    small, large = peak(2), peak(8)
    assert large < 1.5 * small, (small, large)
