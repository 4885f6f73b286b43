"""The pipeline on Milvus Lite: hybrid search inside Milvus, exact quotes, the same answers as FAISS.

All slow tier (each builds a Milvus Lite index, whose server runs in a local
process): the hash embedder over the real corpus, then the real model over
every evaluation question (dev and test), where Milvus must give the same top
quote as FAISS (or both abstain) on at least 90% of them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from naltrexone_qa.config import Settings
from naltrexone_qa.pipeline import QA
from naltrexone_qa.retrieve.milvus_store import MilvusStore, client_for
from naltrexone_qa.retrieve.retriever import StoreHybridRetriever

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def eval_questions() -> list[dict[str, Any]]:
    rows = []
    for name in ("dev.jsonl", "test.jsonl"):
        rows += [json.loads(line) for line in (REPO / "evals" / name).read_text().splitlines() if line.strip()]
    return rows


def top_quote(qa: QA, item: dict[str, Any]) -> Any:
    ans = qa.ask(item["question"], history=item.get("history") or [])
    for c in ans.citations:
        assert qa.documents[c.doc_id].text[c.start : c.end] == c.text  # exact citations
    return None if ans.abstained else (ans.citations[0].doc_id, ans.citations[0].start, ans.citations[0].end)


def agreement(a: QA, b: QA, items: list[dict[str, Any]]) -> float:
    return sum(top_quote(a, it) == top_quote(b, it) for it in items) / len(items)


@pytest.fixture(scope="module")
def milvus_hash_qa(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> QA:
    folder = tmp_path_factory.mktemp("milvus-index")
    return QA.load(Settings(corpus_dir=corpus_dir, index_dir=folder / "index", model="hash:256", store="milvus"))


def test_milvus_index_answers_with_hybrid_search_inside_milvus(milvus_hash_qa: QA, hash_qa: QA):
    qa = milvus_hash_qa
    assert isinstance(qa.index.chunk_vectors, MilvusStore)
    assert qa.settings.retrieval.milvus_uri == str(qa.settings.index_dir / "milvus.db")
    assert isinstance(qa._retrievers[qa.mode], StoreHybridRetriever)
    assert sorted(p.name for p in qa.index.folder.glob("*_vectors*")) == ["chunk_vectors.json", "sentence_vectors.json"]
    items = eval_questions()[:80]
    assert agreement(qa, hash_qa, items) >= 0.9
    q = "Does naltrexone block the effects of benzodiazepines?"
    assert qa.ask(q, mode="bm25").mode == "bm25" and qa.ask(q, mode="bm25").citations
    dense, exact = qa.ask(q, mode="dense"), hash_qa.ask(q, mode="dense")  # FLAT in Milvus Lite is exact
    assert [c.text for c in dense.citations] == [c.text for c in exact.citations]


def test_rebuild_drops_the_old_collections_and_a_new_uri_rebuilds(tmp_path: Path, corpus_dir: Path):
    uri = str(tmp_path / "m.db")
    settings = Settings(corpus_dir=corpus_dir, index_dir=tmp_path / "index", model="hash:256", store="milvus")
    settings = settings.with_retrieval(milvus_uri=uri)
    first = QA.load(settings)
    old = {first.index.chunk_vectors.collection, first.index.sentence_vectors.collection}  # type: ignore[attr-defined]
    assert QA.load(settings).built is False  # reused
    again = QA.load(settings, rebuild=True)
    names = set(client_for(uri).list_collections())
    assert not old & names
    assert again.index.chunk_vectors.collection in names  # type: ignore[attr-defined]
    moved = QA.load(settings.with_retrieval(milvus_uri=str(tmp_path / "other.db")))
    assert moved.built and moved.ask("Does naltrexone block the effects of benzodiazepines?").citations


def test_milvus_gives_the_same_top_quote_as_faiss_on_the_evaluation_questions(
    qa: QA, embedder: Any, tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path
):
    folder = tmp_path_factory.mktemp("milvus-model-index")
    milvus = QA.load(Settings(corpus_dir=corpus_dir, index_dir=folder, store="milvus"), embedder=embedder)
    items = eval_questions()
    rate = agreement(milvus, qa, items)
    print(f"Milvus Lite vs FAISS: same top quote (or both abstain) on {rate:.3f} of {len(items)} questions")
    assert rate >= 0.9
