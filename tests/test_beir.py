"""The BEIR loader and runner on a tiny dataset written to tmp_path (no model, no network)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from naltrexone_qa.config import Settings
from naltrexone_qa.embed.hashing import HashEmbedder as _Hash
from naltrexone_qa.errors import DataError as BeirDataError
from naltrexone_qa.evaluation.beir import load_beir, missing_files, run_beir
from naltrexone_qa.frontends.cli.bench import bench

SETTINGS = Settings()

DOCS = {
    "d1": ("Aspirin and platelets", "Aspirin inhibits platelet aggregation by blocking cyclooxygenase."),
    "d2": ("Statins", "Statins lower LDL cholesterol by inhibiting HMG-CoA reductase in the liver."),
    "d3": ("Insulin", "Insulin signalling regulates glucose uptake in muscle and fat tissue."),
    "d4": ("Vitamin D", "Vitamin D deficiency is associated with weaker bones and fractures."),
    "d5": ("Sleep", "Short sleep duration raises the risk of obesity in children."),
}
QUERIES = {
    "1": "aspirin blocks platelet aggregation",
    "2": "statins reduce cholesterol in the liver",
    "3": "insulin controls glucose uptake",
    "4": "vitamin d and bone fractures",
    "9": "a query without judgments",
}
QRELS = [("1", "d1", 1), ("2", "d2", 1), ("3", "d3", 1), ("4", "d4", 1)]


def write_dataset(root: Path) -> Path:
    (root / "qrels").mkdir(parents=True)
    with (root / "corpus.jsonl").open("w", encoding="utf-8") as fh:
        for i, (title, text) in DOCS.items():
            fh.write(json.dumps({"_id": i, "title": title, "text": text}) + "\n")
    with (root / "queries.jsonl").open("w", encoding="utf-8") as fh:
        for i, text in QUERIES.items():
            fh.write(json.dumps({"_id": i, "text": text}) + "\n")
    lines = ["query-id\tcorpus-id\tscore"] + [f"{q}\t{d}\t{s}" for q, d, s in QRELS]
    (root / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


class HashEmbedder(_Hash):
    """The shipped model-free embedder, counting its calls."""

    def __init__(self) -> None:
        super().__init__(64)
        self.calls = 0

    def encode(self, texts, batch_size: int = 32) -> np.ndarray:  # type: ignore[no-untyped-def]
        self.calls += 1
        return super().encode(texts, batch_size)


class BrokenEmbedder(HashEmbedder):
    def encode(self, texts, batch_size: int = 32) -> np.ndarray:  # type: ignore[no-untyped-def]
        raise AssertionError("should have been served from the cache")


@pytest.fixture()
def dataset(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "tiny")


def test_load_keeps_judged_queries_and_joins_title(dataset: Path) -> None:
    ds = load_beir(dataset)
    assert ds.name == "tiny"
    assert ds.doc_ids == list(DOCS)
    assert ds.doc_texts[0].startswith("Aspirin and platelets Aspirin inhibits")
    assert sorted(ds.queries) == ["1", "2", "3", "4"]  # "9" has no judgments
    assert ds.qrels["1"] == {"d1": 1}


def test_missing_files_are_named(tmp_path: Path) -> None:
    (tmp_path / "corpus.jsonl").write_text("", encoding="utf-8")
    assert missing_files(tmp_path) == ["queries.jsonl", "qrels/test.tsv"]
    with pytest.raises(BeirDataError, match="queries.jsonl, qrels/test.tsv"):
        load_beir(tmp_path)


def test_bad_json_line_is_named(dataset: Path) -> None:
    with (dataset / "corpus.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    with pytest.raises(BeirDataError, match="corpus.jsonl:6"):
        load_beir(dataset)


def test_qrels_for_unknown_query_rejected(dataset: Path) -> None:
    with (dataset / "qrels" / "test.tsv").open("a", encoding="utf-8") as fh:
        fh.write("77\td1\t1\n")
    with pytest.raises(BeirDataError, match="absent from queries.jsonl"):
        load_beir(dataset)


def test_bm25_finds_each_document(dataset: Path) -> None:
    res = run_beir(load_beir(dataset), SETTINGS, ["bm25"])
    m = res["modes"]["bm25"]
    assert m["ndcg@10"] == 1.0 and m["recall@100"] == 1.0 and m["mrr@10"] == 1.0
    assert res["n_queries"] == 4 and res["n_judgments"] == 4 and res["model"] is None


def test_all_modes_and_embedding_cache(dataset: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    emb = HashEmbedder()
    res = run_beir(load_beir(dataset), SETTINGS, ["bm25", "dense", "hybrid"], embedder=emb, cache_dir=cache)
    assert set(res["modes"]) == {"bm25", "dense", "hybrid"}
    for m in res["modes"].values():
        assert 0.0 <= m["ndcg@10"] <= 1.0 and m["recall@100"] == 1.0  # 5 docs: all within 100
    assert res["modes"]["dense"]["ndcg@10"] > 0.5
    files = sorted(p.name for p in (cache / "tiny").iterdir())
    assert files == ["docs.json", "docs.npy", "queries.json", "queries.npy"]
    np.load(cache / "tiny" / "docs.npy", allow_pickle=False)  # plain array, no pickle
    # a second run must not embed anything again
    again = run_beir(load_beir(dataset), SETTINGS, ["dense"], embedder=BrokenEmbedder(), cache_dir=cache)
    assert again["modes"]["dense"]["ndcg@10"] == res["modes"]["dense"]["ndcg@10"]


def test_weighted_fusion_and_query_limit(dataset: Path, tmp_path: Path) -> None:
    settings = SETTINGS.with_retrieval(fusion="weighted", fusion_weights=(0.7, 0.3))
    res = run_beir(
        load_beir(dataset), settings, ["hybrid"], embedder=HashEmbedder(), cache_dir=tmp_path, limit_queries=2
    )
    assert res["n_queries"] == 2
    assert res["fusion"] == {"method": "weighted", "rrf_k": SETTINGS.retrieval.rrf_k, "weights": [0.7, 0.3]}


def test_unknown_mode_rejected(dataset: Path) -> None:
    with pytest.raises(BeirDataError):
        run_beir(load_beir(dataset), SETTINGS, ["sparse"])


def test_cli_skips_when_dataset_absent(tmp_path: Path) -> None:
    r = CliRunner().invoke(bench, ["beir", str(tmp_path / "nope")])
    assert r.exit_code == 0
    assert "Skipped" in r.output


def test_cli_reports_bm25_json(dataset: Path) -> None:
    r = CliRunner().invoke(bench, ["beir", str(dataset), "--mode", "bm25", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)  # progress goes to stderr
    assert out["modes"]["bm25"]["ndcg@10"] == 1.0


def test_cli_table_shows_published_column(dataset: Path) -> None:
    r = CliRunner().invoke(bench, ["beir", str(dataset), "--mode", "bm25"])
    assert r.exit_code == 0, r.output
    assert "published nDCG@10" in r.output and "bm25" in r.output


def test_cli_malformed_dataset_exits_2(tmp_path: Path) -> None:
    (tmp_path / "broken").mkdir()
    r = CliRunner().invoke(bench, ["beir", str(tmp_path / "broken"), "--mode", "bm25"])
    assert r.exit_code == 2
    assert "missing corpus.jsonl" in r.output


class ReversedScorer:
    """A stand-in relevance scorer that prefers the shortest document, to see the re-ordering happen."""

    name = "shortest-first"

    def score(self, question: str, sentences: list[str]) -> np.ndarray:
        return -np.array([len(s) for s in sentences], dtype=np.float64)


def test_hybrid_rerank_reorders_only_the_top(dataset: Path, tmp_path: Path) -> None:
    ds = load_beir(dataset)
    res = run_beir(ds, SETTINGS, ["bm25", "dense", "hybrid"], embedder=HashEmbedder(), cache_dir=tmp_path)
    both = run_beir(
        ds, SETTINGS, ["hybrid"], embedder=HashEmbedder(), cache_dir=tmp_path, reranker=ReversedScorer(), rerank_depth=2
    )
    assert set(both["modes"]) == {"hybrid", "hybrid+rerank"}
    assert both["modes"]["hybrid"] == {**res["modes"]["hybrid"], "seconds": both["modes"]["hybrid"]["seconds"]}
    # a scorer preferring short texts moves judged documents down, within the top 2 only
    assert both["modes"]["hybrid+rerank"]["ndcg@10"] < both["modes"]["hybrid"]["ndcg@10"]
    assert both["modes"]["hybrid+rerank"]["recall@100"] == 1.0
