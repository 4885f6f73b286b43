"""Slow tier: the mixed corpus (HTML pages, Markdown, a PDF of three articles) with the real model,
and ``add`` / ``ask`` / ``source`` / ``remove`` as a user runs them, in subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import docgen
from naltrexone_qa.config import Settings
from naltrexone_qa.pipeline import QA

ARTICLES = docgen.article_text()
QUESTIONS = {
    "Can naltrexone be taken together with gabapentin?": "gabapentin-page",
    "Does naltrexone block the effects of benzodiazepines?": "benzodiazepines-page",
    "Can naltrexone help with anxiety?": None,  # the wiki page or the leaflet's copy of the article
    "Is naltrexone addictive?": None,
    "Is naltrexone effective in treating opiate addiction?": "leaflet",
    # Four articles say what it is used for; the leaflet's copy is one of them, not always quoted.
    "What is naltrexone used for?": None,
    "Why is a urine sample checked before naltrexone is started?": "leaflet",
}


@pytest.fixture(scope="module")
def model_qa(tmp_path_factory, embedder) -> QA:
    root = tmp_path_factory.mktemp("mixed-model")
    docgen.mixed_corpus(root / "corpus")
    return QA.load(Settings(corpus_dir=root / "corpus", index_dir=root / "index"), embedder=embedder)


def test_the_real_model_answers_every_format_with_the_articles_own_sentences(model_qa):
    cited = set()
    for question, doc_id in QUESTIONS.items():
        ans = model_qa.ask(question)
        assert not ans.abstained, question
        docs = {c.doc_id for c in ans.citations}
        assert doc_id is None or doc_id in docs, (question, docs)
        cited |= docs
        for c in ans.citations + [side for conf in ans.conflicts for side in (conf.a, conf.b)]:
            assert model_qa.documents[c.doc_id].text[c.start : c.end] == c.text
            assert docgen.squash(c.text) in ARTICLES, c.text
            assert not [bit for bit in docgen.CHROME + ["**", "](", "<"] if bit in c.text]
    assert {"gabapentin-page", "benzodiazepines-page", "leaflet"} <= cited


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NALTREXONE_QA_MODEL": "hash:256", "NALTREXONE_QA_STORE": "numpy"}
    return subprocess.run(
        [sys.executable, "-m", "naltrexone_qa", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.mark.slow
def test_add_ask_source_remove_as_a_user_runs_them(tmp_path):
    (tmp_path / "corpus").mkdir()
    for doc_id in ("naltrexone-gabapentin", "naltrexone-opiate-addiction"):
        (tmp_path / "corpus" / f"{doc_id}.txt").write_bytes((docgen.CORPUS / f"{doc_id}.txt").read_bytes())
    data, _ = docgen.leaflet_pdf(["naltrexone-benzodiazepines"], title="Benzodiazepines leaflet")
    (tmp_path / "leaflet.pdf").write_bytes(data)
    (tmp_path / "scan.pdf").write_bytes(docgen.scanned_pdf())
    (tmp_path / "notes.odt").write_bytes(b"PK")

    bad = run("add", "leaflet.pdf", "scan.pdf", cwd=tmp_path)
    assert bad.returncode == 2 and "scan.pdf has no text layer" in bad.stderr and "Traceback" not in bad.stderr
    assert sorted(p.name for p in (tmp_path / "corpus").iterdir())[-1] == "naltrexone-opiate-addiction.txt"

    added = run("add", "leaflet.pdf", "notes.odt", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "Added: leaflet" in added.stdout and "notes.odt" in added.stderr and "unsupported" in added.stderr

    ans = run("ask", "--json", "Does naltrexone block the effects of benzodiazepines?", cwd=tmp_path)
    assert ans.returncode == 0, ans.stderr
    cites = [c for c in json.loads(ans.stdout)["citations"] if c["doc_id"] == "leaflet"]
    assert cites and all(c["page"] >= 1 for c in cites)
    text = run("source", "leaflet", cwd=tmp_path).stdout
    assert all(text[c["start"] : c["end"]] == c["text"] for c in cites)

    removed = run("remove", "leaflet", cwd=tmp_path)
    assert removed.returncode == 0 and "Removed: leaflet" in removed.stdout
    after = run("ask", "--json", "Does naltrexone block the effects of benzodiazepines?", cwd=tmp_path)
    assert "leaflet" not in {c["doc_id"] for c in json.loads(after.stdout)["citations"]}
