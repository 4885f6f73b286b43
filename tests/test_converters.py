"""Each converter on real files made here: main content only, markup gone, pages kept, bad files named."""

from __future__ import annotations

from pathlib import Path

import pytest

import docgen
from naltrexone_qa.errors import CorpusError
from naltrexone_qa.ingest.convert import SUFFIXES, converter_for
from naltrexone_qa.ingest.convert.pdf_layout import Line, _joined, drop_running_lines
from naltrexone_qa.ingest.corpus import load_corpus
from naltrexone_qa.ingest.segment import segment_document

ARTICLES = docgen.article_text()


def convert(path: Path):
    return converter_for(path).convert(path.read_bytes(), path)


def lines_of(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def assert_article_lines(text: str, doc_ids: list[str]) -> None:
    """Every line is an article's own (no chrome), and every article line is there (nothing lost)."""
    for line in lines_of(text):
        assert docgen.squash(line.lstrip("\u2022 ")) in ARTICLES, line
    flat = docgen.squash(text)
    for doc_id in doc_ids:
        for _, line in docgen.blocks(docgen.article(doc_id)):
            assert docgen.squash(line) in flat, line


@pytest.fixture(scope="module")
def leaflet(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("pdf") / "leaflet.pdf"
    data, first_pages = docgen.leaflet_pdf(docgen.PDF_ARTICLES)
    path.write_bytes(data)
    return path, first_pages


def test_every_format_has_a_converter():
    assert {".txt", ".md", ".html", ".htm", ".pdf", ".docx"} <= set(SUFFIXES)


def test_plain_text_is_its_own_canonical_text(corpus_dir):
    for path in sorted(corpus_dir.glob("*.txt")):
        out = convert(path)
        assert out.text == path.read_bytes().decode("utf-8") and out.line_kinds is None and not out.pages


def test_html_keeps_the_article_and_drops_the_site_chrome(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(docgen.html_page("naltrexone-gabapentin", "Gabapentin together", "https://x.example/g"), "utf-8")
    out = convert(path)
    assert not [c for c in docgen.CHROME if c in out.text]
    lines = lines_of(out.text)
    assert lines[0] == "Gabapentin together"  # the page's own <h1>
    assert_article_lines("\n".join(lines[1:]), ["naltrexone-gabapentin"])
    assert out.metadata == {
        "title": "Gabapentin together",
        "url": "https://x.example/g",
        "author": "Dr Jane Doe",
        "date": "2024-03-05",
    }
    kinds = dict(out.line_kinds)
    heading = out.text.index("Understanding Naltrexone")
    assert kinds[heading] == "heading"


def test_html_without_main_content_is_an_error_naming_it(tmp_path):
    path = tmp_path / "cookie-wall.html"
    page = docgen.html_page("naltrexone-gabapentin", "T", "https://x.example/g")
    start, end = page.index("<main>"), page.index("</main>") + len("</main>")
    path.write_text(page[:start] + page[end:], encoding="utf-8")
    with pytest.raises(CorpusError, match=r"cookie-wall\.html has no main content"):
        convert(path)


def test_markdown_is_rendered_headings_sections_markup_gone_link_text_kept(tmp_path):
    path = tmp_path / "wiki.md"
    path.write_text(docgen.markdown_file("naltrexone-anxiety", "Anxiety wiki"), encoding="utf-8")
    out = convert(path)
    for markup in ("**", "](", "[opioid]", "---", "title:", "## ", "# ", "*anxiety*"):
        assert markup not in out.text, markup
    assert "opioid" in out.text  # the link's text stays
    assert_article_lines("\n".join(lines_of(out.text)[1:]), ["naltrexone-anxiety"])
    assert out.metadata == {
        "title": "Anxiety wiki",
        "url": "https://wiki.example.org/naltrexone",
        "author": "Clinic Wiki Team",
        "date": "2024-06-01",
    }
    doc = load_corpus(tmp_path)["wiki"]
    sentences = segment_document(doc)
    headings = {line for kind, line in docgen.blocks(docgen.article("naltrexone-anxiety")) if kind == "heading"}
    assert headings <= {s.section for s in sentences}  # every heading is a section, whatever its punctuation
    rows = [s for s in sentences if s.text.startswith("Study 1")]
    assert rows and all(s.kind == "table" and not s.answerable for s in rows)
    assert doc.title == "Anxiety wiki"


def test_markdown_lists_tables_code_and_h1_title(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(
        "# Clinic notes\n\nNaltrexone is taken *once a day*.\n\n- It blocks [opioids](https://x.y).\n"
        "- It may cause nausea.\n\n| Dose | Form |\n|---|---|\n| 50 mg | tablet |\n\n```\nrm -rf /\n```\n"
        "<div>raw html</div>\n",
        encoding="utf-8",
    )
    doc = load_corpus(tmp_path)["notes"]
    assert doc.title == "Clinic notes"
    assert doc.text == (
        "Clinic notes\n\nNaltrexone is taken once a day.\n\u2022 It blocks opioids.\n\u2022 It may cause nausea.\n\n"
        "Dose | Form\n50 mg | tablet\n\nrm -rf /\n"
    )
    quotable = [s.text for s in segment_document(doc) if s.answerable]
    assert quotable == ["Naltrexone is taken once a day.", "It blocks opioids.", "It may cause nausea."]


def test_pdf_reads_three_articles_without_running_heads_with_hyphens_joined(leaflet):
    path, first_pages = leaflet
    out = convert(path)
    assert not [c for c in docgen.CHROME if c in out.text]
    assert_article_lines(out.text, docgen.PDF_ARTICLES)
    assert "Page " not in out.text and out.line_kinds is None
    assert out.metadata["title"] == "Naltrexone leaflet collection" and out.metadata["author"] == "Riverside Clinic"
    # The page of every character: each article starts on the page fpdf2 put it on.
    doc = load_corpus(path.parent)["leaflet"]
    assert len(doc.pages) >= 5 and doc.pages == sorted(doc.pages) and doc.pages[0] == 0
    for doc_id, page in first_pages.items():
        heading = next(line for kind, line in docgen.blocks(docgen.article(doc_id)) if kind == "text")
        assert doc.page_at(doc.text.index(heading)) == page
    assert doc.page_at(len(doc.text) - 2) == len(doc.pages)


def test_scanned_pdf_encrypted_pdf_and_broken_pdf_are_named(tmp_path):
    cases = {
        "scan.pdf": (docgen.scanned_pdf(), r"scan\.pdf has no text layer"),
        "locked.pdf": (docgen.encrypted_pdf(), r"locked\.pdf is encrypted"),
        "broken.pdf": (b"%PDF-1.4\nnot really a pdf", r"broken\.pdf is not a readable PDF"),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(CorpusError, match=message):
            convert(path)


def test_docx_styles_give_headings_and_list_items(tmp_path):
    path = tmp_path / "handout.docx"
    path.write_bytes(docgen.docx_bytes("naltrexone-gabapentin", "Gabapentin handout"))
    out = convert(path)
    assert out.metadata["title"] == "Gabapentin handout" and out.metadata["author"] == "Clinic Staff"
    assert_article_lines("\n".join(lines_of(out.text)[1:]), ["naltrexone-gabapentin"])
    assert dict(out.line_kinds)[out.text.index("Understanding Gabapentin")] == "heading"
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(CorpusError, match=r"bad\.docx is not a readable \.docx"):
        convert(bad)


def test_line_end_hyphens_are_joined_unless_the_word_is_hyphenated():
    words = {"long-term", "endorphins"}
    assert _joined("the body's endor-", "phins are", words) == ("the body's endor", "")
    assert _joined("a long-", "term treatment", words) == ("a long-", "")
    assert _joined("non-", "Hodgkin", words) == ("non-", "")
    assert _joined("a full stop.", "Next", words) == ("a full stop.", " ")


def test_running_heads_repeat_and_page_numbers_go_but_body_lines_stay():
    def page(n: int, body: str) -> list[Line]:
        return [
            Line("Clinic Leaflet", 200, 800, 400, 810, 8, 0),
            Line(body, 50, 600, 550, 611, 11, 1),
            Line(f"{n}", 290, 20, 300, 30, 8, 2),
        ]

    pages = drop_running_lines([page(n, f"Body text of page {n}.") for n in range(1, 5)], [842.0] * 4)
    assert [[line.text for line in p] for p in pages] == [[f"Body text of page {n}."] for n in range(1, 5)]


def test_metadata_json_wins_over_the_documents_own_fields(tmp_path):
    (tmp_path / "wiki.md").write_text(
        "---\ntitle: Own title\nauthor: Wiki Team\nurl: https://wiki.example.org/own\n---\n\nNaltrexone is an opioid "
        "antagonist.\n",
        encoding="utf-8",
    )
    (tmp_path / "metadata.json").write_text(
        '{"wiki": {"title": "Clinic title", "url": "https://clinic.example/wiki"}}', encoding="utf-8"
    )
    doc = load_corpus(tmp_path)["wiki"]
    assert doc.title == "Clinic title" and doc.url == "https://clinic.example/wiki"
    assert doc.metadata["author"] == "Wiki Team" and doc.format == "markdown"
