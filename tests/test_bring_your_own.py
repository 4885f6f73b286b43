"""Bring your own documents: HTML pages, a Markdown file and a PDF answered with exact, cited quotes.

Fast tier: the real converters, segmenter, index and answerer, with the hash
embedder. The corpus is made here from the articles (docgen): web pages wrapped
in site chrome, a wiki page with markup, a leaflet PDF of three articles.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import docgen
from naltrexone_qa.answer.bank import QuestionBank
from naltrexone_qa.answer.lay_terms import clinical_words
from naltrexone_qa.answer.shorthand import written_out
from naltrexone_qa.config import Settings
from naltrexone_qa.disagree.rules import RuleDetector
from naltrexone_qa.embed.hashing import HashEmbedder
from naltrexone_qa.errors import CorpusError
from naltrexone_qa.frontends.chat import ChatSession
from naltrexone_qa.frontends.cli import cli
from naltrexone_qa.index import build as indexing
from naltrexone_qa.index.build import ensure_index
from naltrexone_qa.index.store import current_build
from naltrexone_qa.index.update import add_documents, remove_document
from naltrexone_qa.ingest.chunk import chunk_search_text
from naltrexone_qa.pipeline import QA

ARTICLES = docgen.article_text()
QUESTIONS = {
    "Can naltrexone and gabapentin be taken together?": "gabapentin-page",
    "Does naltrexone block the effects of benzodiazepines?": "benzodiazepines-page",
    "Can naltrexone help with anxiety?": "anxiety-wiki",
    "What is naltrexone used for?": "leaflet",
}
HASH = ["--model", "hash:256", "--store", "numpy"]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> tuple[Settings, QA]:
    root = tmp_path_factory.mktemp("mixed")
    docgen.mixed_corpus(root / "corpus")
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index", model="hash:256", store="numpy")
    return settings, QA.load(settings)


def check_quote(qa: QA, c) -> None:
    """The quote is the document's text at its offsets, an article's own words, never chrome or markup."""
    assert qa.documents[c.doc_id].text[c.start : c.end] == c.text
    assert docgen.squash(c.text) in ARTICLES, c.text
    assert not [bit for bit in docgen.CHROME + ["**", "](", "<", "#"] if bit in c.text]


def test_every_format_is_answered_with_its_own_sentences(mixed):
    _, qa = mixed
    assert {d.format for d in qa.documents.values()} == {"html", "markdown", "pdf"}
    for question, doc_id in QUESTIONS.items():
        ans = qa.ask(question)
        assert not ans.abstained, question
        assert doc_id in {c.doc_id for c in ans.citations}, question
        for c in ans.citations + [side for conf in ans.conflicts for side in (conf.a, conf.b)]:
            check_quote(qa, c)
            doc = qa.documents[c.doc_id]
            assert c.page == doc.page_at(c.start) and (c.page is not None) == (doc.format == "pdf")
            assert c.url == doc.url and (c.url is not None) == (doc.format != "pdf")
        d = ans.to_dict()["citations"][0]
        assert ("page" in d) == (ans.citations[0].page is not None) and set(d) >= {"doc_id", "start", "end", "text"}


def test_nothing_quotable_in_the_index_is_chrome_or_markup(mixed):
    _, qa = mixed
    quotable = [s for s in qa.sentences if s.answerable]
    assert len(quotable) > 300
    for s in quotable:
        assert docgen.squash(s.text) in ARTICLES, (s.doc_id, s.text)
    for conf in qa.conflicts():
        check_quote(qa, conf.a)
        check_quote(qa, conf.b)


def test_source_prints_the_canonical_text_that_citations_index(mixed):
    settings, _ = mixed
    where = ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir), *HASH]
    runner = CliRunner()
    res = runner.invoke(cli, ["ask", "--json", "Does naltrexone block the effects of benzodiazepines?", *where])
    assert res.exit_code == 0, res.output
    citations = json.loads(res.stdout)["citations"]
    assert citations
    sources: dict[str, str] = {}
    for c in citations:
        if c["doc_id"] not in sources:
            out = runner.invoke(cli, ["source", c["doc_id"], *where])
            assert out.exit_code == 0, out.output
            sources[c["doc_id"]] = out.stdout
        assert sources[c["doc_id"]][c["start"] : c["end"]] == c["text"]
    listing = runner.invoke(cli, ["source", "--json", *where])
    rows = {r["doc_id"]: r for r in json.loads(listing.stdout)["documents"]}
    assert rows["leaflet"]["format"] == "pdf" and rows["leaflet"]["pages"] >= 5
    assert rows["gabapentin-page"]["url"] == "https://health.example.org/naltrexone-gabapentin"
    missing = runner.invoke(cli, ["source", "no-such-doc", *where])
    assert missing.exit_code == 2 and "no document 'no-such-doc'" in missing.output


def test_chat_sources_shows_author_date_url_and_page(mixed):
    _, qa = mixed
    out = io.StringIO()
    chat = ChatSession(qa, out=out)
    chat.handle("Does naltrexone block the effects of benzodiazepines?")
    chat.handle("/sources 1")
    text = out.getvalue()
    assert "by Dr Jane Doe \u00b7 2024-03-05 \u00b7 https://health.example.org/naltrexone-benzodiazepines" in text
    out.truncate(0)
    chat.handle("What is naltrexone used for?")
    n = next(c.n for c in qa.ask("What is naltrexone used for?").citations if c.doc_id == "leaflet")
    chat.handle(f"/sources {n}")
    assert "(leaflet, p. 1, chars" in out.getvalue() and "by Riverside Clinic" in out.getvalue()


def test_slack_links_the_title_to_the_url_and_names_the_page(mixed):
    from naltrexone_qa.render.slack import answer_blocks

    _, qa = mixed
    web = json.dumps(answer_blocks(qa.ask("Does naltrexone block the effects of benzodiazepines?")))
    assert "<https://health.example.org/naltrexone-benzodiazepines|Naltrexone and Benzodiazepines>" in web
    leaflet = json.dumps(answer_blocks(qa.ask("What is naltrexone used for?")))
    assert "Naltrexone leaflet collection" in leaflet and ", p. 1" in leaflet


# ------------------------------------------------------------------ add and remove
@pytest.fixture()
def small(tmp_path: Path) -> tuple[Settings, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for doc_id in ("naltrexone-gabapentin", "naltrexone-opiate-addiction"):
        shutil.copy(docgen.CORPUS / f"{doc_id}.txt", corpus)
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    source = "naltrexone-benzodiazepines"
    (incoming / "benzo-page.html").write_text(
        docgen.html_page(source, docgen.TITLES[source], "https://x.example/benzo"), encoding="utf-8"
    )
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", model="hash:256", store="numpy")
    return settings, incoming


class CountingEmbedder(HashEmbedder):
    """The hash embedder, recording every text it is asked to encode."""

    def __init__(self) -> None:
        super().__init__(256)
        self.seen: list[str] = []

    def encode(self, texts, batch_size: int = 32):
        self.seen.extend(texts)
        return super().encode(texts, batch_size=batch_size)


def test_add_then_ask_embeds_only_the_new_document_and_remove_takes_it_out(small):
    settings, incoming = small
    embedder = CountingEmbedder()
    ensure_index(settings, embedder, RuleDetector())
    embedder.seen.clear()
    report = add_documents(settings, embedder, RuleDetector(), [incoming / "benzo-page.html"])
    assert report.added == ["benzo-page"] and (settings.corpus_dir / "benzo-page.html").is_file()
    qa = QA.load(settings, embedder=embedder)
    doc = qa.documents["benzo-page"]
    new = {s.text for s in qa.sentences if s.doc_id == "benzo-page"}
    new |= {chunk_search_text(c, doc) for c in qa.index.chunks if c.doc_id == "benzo-page"}
    # Each new text once, nothing of the other documents (the question bank's questions are
    # embedded at load because its stored vectors come from another model).
    bank = QuestionBank.load()
    # (read with their texting shorthand written out), and the clinical words their vectors lean toward
    asked = {written_out(e.question) for e in bank.entries} if bank is not None else set()
    asked |= {" ".join(clinical_words(q)) for q in asked}
    assert sorted(t for t in embedder.seen if t not in asked) == sorted(new)
    assert report.to_dict()["embedded"] == len(new) and report.to_dict()["converted"] == 1
    ans = qa.ask("Does naltrexone block the effects of benzodiazepines?")
    assert "benzo-page" in {c.doc_id for c in ans.citations}
    embedder.seen.clear()
    report = remove_document(settings, embedder, RuleDetector(), "benzo-page")
    assert report.removed == ["benzo-page"] and embedder.seen == []
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == [
        "naltrexone-gabapentin.txt",
        "naltrexone-opiate-addiction.txt",
    ]
    qa = QA.load(settings, embedder=embedder)
    assert "benzo-page" not in qa.documents
    assert "benzo-page" not in {c.doc_id for c in qa.ask("Does naltrexone block benzodiazepines?").citations}


def test_a_bad_file_or_a_failed_build_changes_neither_corpus_nor_index(small, monkeypatch):
    settings, incoming = small
    first, _ = ensure_index(settings, HashEmbedder(256), RuleDetector())
    before = sorted(p.name for p in settings.corpus_dir.iterdir())
    (incoming / "locked.pdf").write_bytes(docgen.encrypted_pdf())
    with pytest.raises(CorpusError, match=r"locked\.pdf is encrypted"):
        add_documents(
            settings, HashEmbedder(256), RuleDetector(), [incoming / "benzo-page.html", incoming / "locked.pdf"]
        )
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == before
    assert current_build(settings.index_dir) == first.folder

    # A replacement whose build fails: the original file comes back, the index stays.
    original = (settings.corpus_dir / "naltrexone-gabapentin.txt").read_bytes()
    (incoming / "naltrexone-gabapentin.txt").write_bytes(original + b"Naltrexone is taken by mouth.\n")

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(indexing, "build_into", crash)
    with pytest.raises(OSError):
        add_documents(settings, HashEmbedder(256), RuleDetector(), [incoming / "naltrexone-gabapentin.txt"])
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == before
    assert (settings.corpus_dir / "naltrexone-gabapentin.txt").read_bytes() == original
    assert current_build(settings.index_dir) == first.folder


def test_add_and_remove_on_the_command_line(small, caplog):
    settings, incoming = small
    where = ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir), *HASH]
    runner = CliRunner()
    (incoming / "table.xlsx").write_bytes(b"PK")
    res = runner.invoke(cli, ["add", str(incoming / "benzo-page.html"), str(incoming / "table.xlsx"), *where])
    assert res.exit_code == 0, res.output
    assert "Added: benzo-page" in res.stdout
    assert "unsupported extension" in caplog.text and "table.xlsx" in caplog.text  # a warning on stderr
    again = runner.invoke(cli, ["add", "--json", str(incoming / "benzo-page.html"), *where])
    assert again.exit_code == 0 and json.loads(again.stdout)["unchanged"] == ["benzo-page"]
    only_bad = runner.invoke(cli, ["add", str(incoming / "table.xlsx"), *where])
    assert only_bad.exit_code == 2 and "nothing to add" in only_bad.stderr and "table.xlsx" in only_bad.stderr
    missing = runner.invoke(cli, ["remove", "no-such-doc", *where])
    assert missing.exit_code == 2 and "no document 'no-such-doc'" in missing.stderr
    gone = runner.invoke(cli, ["remove", "benzo-page.html", *where])
    assert gone.exit_code == 0 and "Removed: benzo-page" in gone.stdout
    assert not (settings.corpus_dir / "benzo-page.html").exists()
