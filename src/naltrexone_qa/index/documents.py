"""The canonical texts stored with a build (``documents.jsonl``) and what a new build may reuse of the last one.

Why stored with the index: a citation's offsets point into the canonical text,
and for a converted format that text exists nowhere else; keeping it in the
build (checksummed by the manifest like every other file) means the offsets
and the text they index can never come from two different conversions. One
JSON object per line, written as each document is read, so a build never holds
two documents' worth of output it has not written.

An update (``add``, an edited file) reuses the previous build's conversion of
every unchanged file (same bytes, same converter version) and the sentences of
every unchanged text, so only new and changed files are converted, segmented
and embedded.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, replace
from pathlib import Path
from typing import IO, Any, Optional

from ..ingest.convert import Converted, converter_for
from ..ingest.sources import SourceFile
from ..types import Document, Sentence
from .store import SEGMENTER_VERSION, IndexInvalid, read_manifest, verify_files

log = logging.getLogger(__name__)

DOCUMENTS = "documents.jsonl"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DocumentWriter:
    """Appends one document per line to a build's ``documents.jsonl``."""

    def __init__(self, folder: Path) -> None:
        self._fh: IO[str] = open(folder / DOCUMENTS, "w", encoding="utf-8", newline="\n")

    def write(self, doc: Document, converter: str, source_metadata: dict[str, Any]) -> None:
        row = asdict(doc)
        row["file"] = Path(row.pop("path")).name
        row["text_sha256"] = _sha(doc.text)
        row["converter"] = converter
        row["source_metadata"] = source_metadata
        self._fh.write(json.dumps(row, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> DocumentWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _document(row: dict[str, Any], corpus_dir: Path) -> Document:
    kinds = row.get("line_kinds")
    return Document(
        doc_id=row["doc_id"],
        title=row["title"],
        path=str(corpus_dir / row["file"]),
        text=row["text"],
        sha256=row["sha256"],
        metadata=dict(row.get("metadata") or {}),
        format=row.get("format", "text"),
        pages=[int(p) for p in row.get("pages") or []],
        line_kinds=[(int(o), k) for o, k in kinds] if kinds is not None else None,
    )


def read_documents(folder: Path, corpus_dir: Path) -> dict[str, Document]:
    """Every Document of a build, by doc_id, in corpus order; raises IndexInvalid when unreadable."""
    docs: dict[str, Document] = {}
    try:
        with open(folder / DOCUMENTS, encoding="utf-8", newline="") as fh:
            for line in fh:
                row = json.loads(line)
                if row.get("text_sha256") != _sha(row["text"]):
                    raise IndexInvalid(f"the stored text of {row['doc_id']} does not match its hash")
                docs[row["doc_id"]] = _document(row, corpus_dir)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexInvalid(f"{DOCUMENTS} unreadable: {exc}") from exc
    return docs


class PreviousBuild:
    """What the live build can lend a new one; empty when there is none or it is damaged."""

    def __init__(self, folder: Optional[Path] = None) -> None:
        self.folder = folder
        self._rows: dict[str, tuple[int, str, str, str]] = {}  # doc_id -> (offset, file sha, converter, text sha)
        self._sentences: dict[str, list[Sentence]] = {}
        self._titles: dict[str, str] = {}
        if folder is None:
            return
        try:
            manifest = read_manifest(folder)
            verify_files(folder, manifest)
            self._index_rows(folder / DOCUMENTS)
            if manifest.get("segmenter") == SEGMENTER_VERSION:
                for row in json.loads((folder / "sentences.json").read_text(encoding="utf-8")):
                    self._sentences.setdefault(row["doc_id"], []).append(Sentence(**row))
        except (IndexInvalid, OSError, ValueError, KeyError, TypeError) as exc:
            log.info("not reusing the previous build %s: %s", folder, exc)
            self._rows, self._sentences = {}, {}

    def _index_rows(self, path: Path) -> None:
        with open(path, "rb") as fh:
            offset = 0
            for raw in fh:
                row = json.loads(raw)
                self._rows[row["doc_id"]] = (offset, row["sha256"], row["converter"], row["text_sha256"])
                self._titles[row["doc_id"]] = row["title"]
                offset += len(raw)

    def conversion(self, src: SourceFile) -> Optional[Converted]:
        """The stored conversion of an unchanged file (same bytes, same converter version), else None."""
        entry = self._rows.get(src.doc_id)
        converter = converter_for(src.path)
        if self.folder is None or entry is None or converter is None:
            return None
        offset, sha, version, text_sha = entry
        if sha != src.sha256 or version != converter.version:
            return None
        with open(self.folder / DOCUMENTS, "rb") as fh:
            fh.seek(offset)
            row = json.loads(fh.readline())
        if row["doc_id"] != src.doc_id or _sha(row["text"]) != text_sha:
            return None
        kinds = row.get("line_kinds")
        return Converted(
            text=row["text"],
            line_kinds=[(int(o), k) for o, k in kinds] if kinds is not None else None,
            pages=[int(p) for p in row.get("pages") or []],
            metadata=dict(row.get("source_metadata") or {}),
        )

    def sentences(self, doc: Document, first_id: int) -> Optional[list[Sentence]]:
        """The previous sentences of an unchanged text with an unchanged title, renumbered from ``first_id``."""
        entry = self._rows.get(doc.doc_id)
        old = self._sentences.get(doc.doc_id)
        converter = converter_for(Path(doc.path))
        if not entry or not old or entry[3] != _sha(doc.text) or self._titles.get(doc.doc_id) != doc.title:
            return None
        if converter is None or entry[2] != converter.version:  # a converter change may change line kinds
            return None
        if any(doc.text[s.start : s.end] != s.text for s in old):
            return None
        return [replace(s, id=first_id + i) for i, s in enumerate(old)]
