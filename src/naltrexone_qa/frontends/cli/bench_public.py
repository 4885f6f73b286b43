"""``bench wikiqa`` and ``bench liveqa``: public answer-selection and consumer-health retrieval benchmarks.

Both data sets are for measuring only. Only click is imported at module level.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import click

from .common import make_settings, model_option, run_guarded, scorer_options


def _reranker(no_rerank: bool, settings: Any) -> Any:
    """The configured relevance scorer, of either kind (None when left out or when none is there)."""
    if no_rerank:
        return None
    from ...answer.rerank import load_scorer, reranker_available

    folder = settings.answer.reranker_dir
    if not reranker_available(folder):
        click.echo("No reranker adapter shipped; scoring without it.", err=True)
        return None
    return load_scorer(folder, device=settings.device)


@click.command("wikiqa")
@click.argument("dataset_dir", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--split", default="test", show_default=True, help="Which WikiQA-<split>.tsv to score.")
@click.option("--no-rerank", is_flag=True, help="Leave the learned reranker out.")
@scorer_options
@model_option
def bench_wikiqa(
    dataset_dir: str,
    as_json: bool,
    split: str,
    no_rerank: bool,
    model: Optional[str],
    fitted: Optional[Path],
    reranker_dir: Optional[Path],
) -> None:
    """Answer-sentence selection on WikiQA (questions with an answer): MAP and MRR per scorer.

    WikiQA is for measuring only (its licence allows research use, not training shipped weights).
    """

    def go() -> dict[str, Any]:
        from ...answer.heads import RELEVANCE, load_head
        from ...answer.ranker import Ranker
        from ...embed.base import get_embedder
        from ...evaluation.wikiqa import load_wikiqa, run_wikiqa, signal_scorers

        questions = load_wikiqa(Path(dataset_dir), split)
        click.echo(f"WikiQA {split}: {len(questions)} questions with an answer; scoring...", err=True)
        settings = make_settings(model=model, fitted=fitted, reranker_dir=reranker_dir)
        embedder = get_embedder(settings)
        pair = load_head(RELEVANCE, None, settings.model, embedder.dim, needed=False)
        scorers = signal_scorers(questions, embedder, _reranker(no_rerank, settings), pair)
        ranker = Ranker.load(settings.answer.fitted, "no-rerank" if no_rerank else "")
        shipped = {k: v for k, v in ranker.weights.items() if k in ("dense", "lex", "rerank", "pair")}
        combos = {f"shipped ranker ({'+'.join(shipped)} weights)": shipped} if shipped else {}
        return run_wikiqa(questions, scorers, combos)

    result = run_guarded(go)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"{'scorer':45s} MAP     MRR")
    for name, m in result["scorers"].items():
        click.echo(f"{name:45s} {m['map']:.4f}  {m['mrr']:.4f}")
    click.echo("published MAP: " + ", ".join(f"{k} {v}" for k, v in result["published_map"].items()))


@click.command("liveqa")
@click.argument("benchmarks_dir", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--no-rerank", is_flag=True, help="Leave out the hybrid+rerank mode.")
@click.option(
    "--rerank-depth",
    type=click.IntRange(1),
    default=20,
    show_default=True,
    help="Hybrid results the reranker re-orders.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Embedding cache folder [default: the settings' cache folder + /liveqa].",
)
@model_option
def bench_liveqa(
    benchmarks_dir: str,
    as_json: bool,
    no_rerank: bool,
    rerank_depth: int,
    cache_dir: Optional[str],
    model: Optional[str],
) -> None:
    """TREC 2017 LiveQA-Med questions against MedQuAD answers: nDCG@10 and P@5 per mode and question form.

    BENCHMARKS_DIR holds liveqa-med/ and medquad/ (e.g. ../shared/benchmarks).
    """

    def go() -> dict[str, Any]:
        from ...embed.base import get_embedder
        from ...evaluation.beir import embed_cached, eta_reporter, reorder_top
        from ...evaluation.liveqa import load_liveqa, run_liveqa
        from ...retrieve.bm25 import BM25Index
        from ...retrieve.fusion import fuse
        from ...retrieve.registry import build_store

        settings = make_settings(model=model)
        say = lambda m: click.echo(m, err=True)  # noqa: E731
        data = load_liveqa(Path(benchmarks_dir))
        say(f"LiveQA-Med: {len(data.qrels)} judged questions, {len(data.doc_ids)} MedQuAD answers")
        embedder = get_embedder(settings)
        cdir = Path(cache_dir) if cache_dir else settings.cache_dir / "liveqa"
        say("BM25 over the answers; embedding them (cached after the first run)...")
        bm25 = BM25Index.build(data.doc_texts)
        dvec = embed_cached(data.doc_texts, embedder, cdir, "answers", progress=eta_reporter(len(data.doc_texts), say))
        store = build_store(settings.store, list(range(len(dvec))), dvec, settings.retrieval)
        r = settings.retrieval
        reranker = _reranker(no_rerank, settings)

        def bm25_rank(qs: list[str]) -> list[list[int]]:
            return [[i for i, _ in bm25.search(q, 100)] for q in qs]

        def dense_lists(qs: list[str]) -> list[list[tuple[int, float]]]:
            return store.search(embedder.encode(qs), 100)

        def hybrid_lists(qs: list[str]) -> list[list[tuple[int, float]]]:
            return [
                fuse(r.fusion, [bm25.search(q, 100), d], r.rrf_k, r.fusion_weights)
                for q, d in zip(qs, dense_lists(qs), strict=True)
            ]

        def rerank(qs: list[str]) -> list[list[int]]:
            return [
                [i for i, _ in reorder_top(reranker, q, lst, data.doc_texts, rerank_depth)]
                for q, lst in zip(qs, hybrid_lists(qs), strict=True)
            ]

        rankers = {
            "bm25": bm25_rank,
            "dense": lambda qs: [[i for i, _ in lst] for lst in dense_lists(qs)],
            "hybrid": lambda qs: [[i for i, _ in lst] for lst in hybrid_lists(qs)],
        }
        if reranker is not None:
            rankers["hybrid+rerank"] = rerank
        forms = {form: run_liveqa(data, rankers, form, say) for form in ("original", "summary")}
        return {"questions": len(data.qrels), "answers": len(data.doc_ids), "forms": forms}

    result = run_guarded(go)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    for form, modes in result["forms"].items():
        click.echo(f"{form} questions:")
        for name, m in modes.items():
            if "ndcg@10" not in m:
                click.echo(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in m.items()))
                continue
            click.echo(
                f"  {name:14s} nDCG@10 {m['ndcg@10']:.4f}  P@5 {m['p@5']:.4f}  avg score {m['avg_score']:.3f}  "
                f"unjudged@10 {m['unjudged@10']:.2f}"
            )


BENCH_COMMANDS = [bench_wikiqa, bench_liveqa]
