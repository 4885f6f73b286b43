"""Build the index from a corpus: read, segment, chunk, embed, and store.

``ensure_index`` is what every front end goes through: reuse the live index
when its manifest matches the corpus and settings, otherwise rebuild it under
the lock. Documents are streamed: each file is converted (or its previous
conversion reused), written to the build's ``documents.jsonl`` and segmented
before the next is read. Conversions, sentences and embeddings of unchanged
files come from the previous build, so editing or adding one document
converts, segments and embeds only that document.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Callable, Optional

from ..config import Settings
from ..disagree.base import Detector
from ..disagree.conflict_map import build_conflict_map, conflicts_to_json
from ..embed.base import Embedder
from ..embed.cache import EmbeddingCache
from ..errors import CorpusError, IndexBuildError
from ..ingest.chunk import chunk_document, chunk_search_text, sentence_search_text
from ..ingest.documents import DocumentStream, changed_message
from ..ingest.segment import segment_document
from ..ingest.sources import CorpusScan, changed_files, scan_corpus
from ..retrieve.bm25 import BM25Index
from ..retrieve.registry import build_store, drop_saved_store
from ..types import Chunk, Document, Sentence
from .documents import DocumentWriter, PreviousBuild
from .loaded import CHUNK_VECTORS, SENTENCE_VECTORS, LoadedIndex, load_index
from .store import (
    IndexInvalid,
    IndexSettings,
    ProgressFn,
    check_writable,
    current_build,
    expected_manifest,
    finish_build,
    lock,
    new_build_folder,
    prune,
    publish,
    write_json,
)

log = logging.getLogger(__name__)


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


def read_corpus(
    folder: Path, scan: CorpusScan, settings: Settings, previous: PreviousBuild, progress: Optional[ProgressFn]
) -> tuple[dict[str, Document], list[Sentence], list[Chunk], DocumentStream]:
    """Stream the corpus into the build: each document written and segmented as it is read."""
    stream = DocumentStream(scan, reuse=previous.conversion, progress=progress)
    documents: dict[str, Document] = {}
    sentences: list[Sentence] = []
    chunks: list[Chunk] = []
    with DocumentWriter(folder) as writer:
        for doc in stream:
            version, own = stream.conversions[doc.doc_id]
            writer.write(doc, version, own)
            sents = previous.sentences(doc, len(sentences)) or segment_document(doc, first_id=len(sentences))
            sentences.extend(sents)
            chunks.extend(chunk_document(doc, sents, settings.chunk, first_id=len(chunks)))
            documents[doc.doc_id] = doc
    changed = changed_files(scan)
    if changed:
        raise CorpusError(changed_message(changed[0]))
    if not documents:
        raise CorpusError(f"no document in {scan.folder} has any text to index (every file was skipped)")
    if not chunks:
        raise IndexBuildError("the corpus has no sentences to index")
    return documents, sentences, chunks, stream


def build_into(
    folder: Path,
    scan: CorpusScan,
    settings: Settings,
    embedder: Embedder,
    detector: Detector,
    cache: EmbeddingCache,
    progress: Optional[ProgressFn] = None,
    previous: Optional[PreviousBuild] = None,
) -> dict[str, Any]:
    """Write every index file of a build into ``folder`` (manifest last); returns the manifest."""
    index_settings = IndexSettings.from_settings(settings, detector.version)
    documents, sentences, chunks, stream = read_corpus(folder, scan, settings, previous or PreviousBuild(), progress)
    chunk_texts = [chunk_search_text(c, documents[c.doc_id]) for c in chunks]
    sentence_texts = [sentence_search_text(s, documents[s.doc_id]) for s in sentences]
    total = cache.missing(chunk_texts + sentence_texts)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("embedding", done, total)

    if progress and total:
        progress("embedding", 0, total)  # the bar shows while the model loads for the first batch
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
        **expected_manifest(scan, index_settings),
        "dim": int(chunk_vecs.shape[1]),
        "counts": {
            "documents": len(documents),
            "sentences": len(sentences),
            "chunks": len(chunks),
            "conflicts": len(conflicts),
        },
        # What this build did, for the commands' summaries (not compared when reusing an index).
        "work": {**stream.counts, "embedded": total},
        "skipped": stream.skipped,
    }
    finish_build(folder, manifest)
    if progress:
        progress("conflicts", 1, 1)
    return manifest


def build_index(
    settings: Settings,
    embedder: Embedder,
    detector: Detector,
    scan: Optional[CorpusScan] = None,
    progress: Optional[ProgressFn] = None,
) -> Path:
    """Build a new index and publish it; the caller holds the lock."""
    index_dir = settings.index_dir
    scan = scan if scan is not None else scan_corpus(settings.corpus_dir)
    scan.warn()  # at build time, when the files are read or left out
    check_writable(index_dir)
    previous = current_build(index_dir)
    cache = EmbeddingCache.load(previous, embedder.name) if previous else EmbeddingCache(embedder.name)
    tmp = new_build_folder(index_dir)
    try:
        build_into(tmp, scan, settings, embedder, detector, cache, progress, PreviousBuild(previous))
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


SECONDS_PER_TEXT = 0.012  # embedding one text on two CPU cores, for the time estimate people see


def _load(settings: Settings, scan: CorpusScan, index_settings: IndexSettings) -> LoadedIndex:
    expected = expected_manifest(scan, index_settings)
    return load_index(settings.index_dir, expected, settings.retrieval, scan.folder)


def ensure_index(
    settings: Settings,
    embedder: Embedder,
    detector: Detector,
    force: bool = False,
    progress: Optional[ProgressFn] = None,
    notify: Optional[Callable[[str], None]] = None,
) -> tuple[LoadedIndex, bool]:
    """The live index, rebuilt first if missing, stale or damaged.

    Returns the index and whether this call built it. Only file hashes are
    read to decide; documents are converted only when a build is needed.
    ``notify`` hears why a build starts and about how long it will take, so
    nobody waits in silence.
    """
    index_settings = IndexSettings.from_settings(settings, detector.version)
    scan = scan_corpus(settings.corpus_dir)
    reason = "rebuild requested (--force)"
    if not force:
        try:
            return _load(settings, scan, index_settings), False
        except IndexInvalid as exc:
            reason = str(exc)
            log.info("index in %s needs a rebuild: %s", settings.index_dir, exc)
    if notify:
        first = reason == "no index built yet"
        size = sum(f.path.stat().st_size for f in scan.files if f.path.exists())
        estimate = 5 + round(size / 60 * SECONDS_PER_TEXT) if first else None  # model load + embedding
        notify(
            f"Building the index in {settings.index_dir} ({'first run' if first else reason}; "
            f"{len(scan.files)} documents" + (f", about {estimate} s" if estimate else "") + ")..."
        )
    check_writable(settings.index_dir)
    with lock(settings.index_dir):
        scan = scan_corpus(settings.corpus_dir)  # another process may have changed it while we waited
        if not force:
            # Another process may have finished a build while we waited.
            try:
                return _load(settings, scan, index_settings), False
            except IndexInvalid:
                pass
        build_index(settings, embedder, detector, scan, progress)
    try:
        return _load(settings, scan, index_settings), True
    except IndexInvalid as exc:
        raise IndexBuildError(f"the index just built in {settings.index_dir} does not load: {exc}") from exc
