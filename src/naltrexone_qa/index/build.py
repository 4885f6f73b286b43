"""Build the index from a corpus: segment, chunk, embed, and store.

``ensure_index`` is what every front end goes through: reuse the live index
when its manifest matches the corpus and settings, otherwise rebuild it under
the lock. Embeddings of unchanged text are reused from the previous build's
cache, so editing one article re-embeds only that article.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import asdict, replace
from pathlib import Path
from typing import Optional

from ..config import Settings
from ..disagree.base import Detector
from ..disagree.conflict_map import build_conflict_map, conflicts_to_json
from ..embed.base import Embedder
from ..embed.cache import EmbeddingCache
from ..errors import IndexBuildError
from ..ingest.chunk import chunk_document, chunk_search_text, sentence_search_text
from ..ingest.corpus import load_corpus
from ..ingest.segment import segment_document
from ..retrieve.bm25 import BM25Index
from ..retrieve.registry import build_store, drop_saved_store
from ..types import Chunk, Document, Sentence
from .loaded import CHUNK_VECTORS, SENTENCE_VECTORS, LoadedIndex, load_index
from .store import (
    SEGMENTER_VERSION,
    IndexInvalid,
    IndexSettings,
    ProgressFn,
    check_writable,
    corpus_fingerprint,
    current_build,
    expected_manifest,
    finish_build,
    lock,
    new_build_folder,
    prune,
    publish,
    read_manifest,
    write_json,
)

log = logging.getLogger(__name__)


def reusable_sentences(
    previous: Optional[Path], documents: dict[str, Document], corpus_dir: Path
) -> dict[str, list[Sentence]]:
    """Sentences of documents unchanged since the previous build.

    Segmenting is the slowest step after embedding, and it depends only on a
    document's text and title, so an edit to one article re-segments only it.
    """
    if previous is None:
        return {}
    try:
        manifest = read_manifest(previous)
        old = manifest["corpus"]
        titles_same = old.get("metadata_sha256") == corpus_fingerprint(documents, corpus_dir)["metadata_sha256"]
        if manifest.get("segmenter") != SEGMENTER_VERSION or not titles_same:
            return {}
        rows = json.loads((previous / "sentences.json").read_text(encoding="utf-8"))
        same = {d for d, doc in documents.items() if old["files"].get(d, {}).get("sha256") == doc.sha256}
        out: dict[str, list[Sentence]] = {}
        for row in rows:
            if row["doc_id"] in same:
                out.setdefault(row["doc_id"], []).append(Sentence(**row))
    except (IndexInvalid, OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
    # A damaged previous build must not leak into the new one: every quote must still match.
    return {d: ss for d, ss in out.items() if all(documents[d].text[s.start : s.end] == s.text for s in ss)}


def segment_corpus(
    documents: dict[str, Document], settings: IndexSettings, reuse: Optional[dict[str, list[Sentence]]] = None
) -> tuple[list[Sentence], list[Chunk]]:
    """Sentences and chunks of every document, with corpus-wide ids."""
    sentences: list[Sentence] = []
    chunks: list[Chunk] = []
    reuse = reuse or {}
    for doc in documents.values():
        if doc.doc_id in reuse:
            sents = [replace(s, id=len(sentences) + i) for i, s in enumerate(reuse[doc.doc_id])]
        else:
            sents = segment_document(doc, first_id=len(sentences))
        sentences.extend(sents)
        chunks.extend(chunk_document(doc, sents, settings.chunk, first_id=len(chunks)))
    if not chunks:
        raise IndexBuildError("the corpus has no sentences to index")
    return sentences, chunks


def build_into(
    folder: Path,
    documents: dict[str, Document],
    settings: Settings,
    embedder: Embedder,
    detector: Detector,
    cache: EmbeddingCache,
    progress: Optional[ProgressFn] = None,
    reuse: Optional[dict[str, list[Sentence]]] = None,
) -> None:
    """Write every index file of a build into ``folder`` (manifest last)."""
    index_settings = IndexSettings.from_settings(settings, detector.version)
    sentences, chunks = segment_corpus(documents, index_settings, reuse)
    chunk_texts = [chunk_search_text(c, documents[c.doc_id]) for c in chunks]
    sentence_texts = [sentence_search_text(s, documents[s.doc_id]) for s in sentences]
    total = cache.missing(chunk_texts + sentence_texts)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("embedding", done, total)

    chunk_vecs = cache.embed(chunk_texts, embedder, progress=tick)
    sent_vecs = cache.embed(sentence_texts, embedder, progress=tick)
    if progress and total:
        progress("embedding", total, total)
    BM25Index.build(chunk_texts, min_idf=settings.retrieval.min_idf).save(folder)
    # Stores that search text themselves (Milvus) get the same texts our BM25 indexes.
    chunk_store = build_store(settings.store, [c.id for c in chunks], chunk_vecs, settings.retrieval, chunk_texts)
    chunk_store.save(folder, CHUNK_VECTORS)
    sentence_store = build_store(
        settings.store, [s.id for s in sentences], sent_vecs, settings.retrieval, sentence_texts
    )
    sentence_store.save(folder, SENTENCE_VECTORS)
    write_json(folder / "sentences.json", [asdict(s) for s in sentences])
    write_json(folder / "chunks.json", [asdict(c) for c in chunks])
    if progress:
        progress("conflicts", 0, 1)
    conflicts = build_conflict_map(sentences, sent_vecs, documents, detector)
    write_json(folder / "conflicts.json", conflicts_to_json(conflicts))
    cache.restrict(chunk_texts + sentence_texts).save(folder)
    manifest = {
        **expected_manifest(documents, settings.corpus_dir, index_settings),
        "dim": int(chunk_vecs.shape[1]),
        "counts": {
            "documents": len(documents),
            "sentences": len(sentences),
            "chunks": len(chunks),
            "conflicts": len(conflicts),
        },
    }
    finish_build(folder, manifest)
    if progress:
        progress("conflicts", 1, 1)


def build_index(
    settings: Settings,
    embedder: Embedder,
    detector: Detector,
    documents: Optional[dict[str, Document]] = None,
    progress: Optional[ProgressFn] = None,
) -> Path:
    """Build a new index and publish it; the caller holds the lock."""
    corpus_dir, index_dir = settings.corpus_dir, settings.index_dir
    documents = documents if documents is not None else load_corpus(corpus_dir)
    check_writable(index_dir)
    previous = current_build(index_dir)
    cache = EmbeddingCache.load(previous, embedder.name) if previous else EmbeddingCache(embedder.name)
    tmp = new_build_folder(index_dir)
    try:
        reuse = reusable_sentences(previous, documents, corpus_dir)
        build_into(tmp, documents, settings, embedder, detector, cache, progress, reuse)
        final = publish(index_dir, tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if previous is not None and previous.is_dir():
        for stem in (CHUNK_VECTORS, SENTENCE_VECTORS):  # a Milvus collection outlives its folder otherwise
            drop_saved_store(previous, stem, settings.retrieval)
    prune(index_dir, keep=final)
    log.info("index built in %s", final)
    return final


def ensure_index(
    settings: Settings,
    embedder: Embedder,
    detector: Detector,
    force: bool = False,
    progress: Optional[ProgressFn] = None,
) -> tuple[LoadedIndex, bool]:
    """The live index, rebuilt first if missing, stale or damaged.

    Returns the index and whether this call built it.
    """
    corpus_dir, index_dir = settings.corpus_dir, settings.index_dir
    documents = load_corpus(corpus_dir)
    expected = expected_manifest(documents, corpus_dir, IndexSettings.from_settings(settings, detector.version))
    if not force:
        try:
            return load_index(index_dir, documents, expected, settings.retrieval), False
        except IndexInvalid as exc:
            log.info("index in %s needs a rebuild: %s", index_dir, exc)
    check_writable(index_dir)
    with lock(index_dir):
        if not force:
            # Another process may have finished a build while we waited.
            try:
                return load_index(index_dir, documents, expected, settings.retrieval), False
            except IndexInvalid:
                pass
        build_index(settings, embedder, detector, documents, progress)
    try:
        return load_index(index_dir, documents, expected, settings.retrieval), True
    except IndexInvalid as exc:
        raise IndexBuildError(f"the index just built in {index_dir} does not load: {exc}") from exc
