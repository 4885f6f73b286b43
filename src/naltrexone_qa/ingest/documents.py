"""Corpus files to Documents, one at a time: convert, check, merge metadata, skip what holds nothing.

Why a stream: a corpus of a thousand PDFs must not be read into memory at
once; the index build takes each Document as it comes, writes its canonical
text and segments it, and the file's bytes and parse tree are gone before the
next file is opened. What each rule does with a bad file:

- empty (or whitespace only), or nothing left after conversion: skipped with a warning;
- the same text as a file already read: skipped with a warning (indexed once);
- undecodable, no letters, no main content, no text layer, encrypted: CorpusError naming the file;
- changed between the scan and the read: CorpusError naming the file.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from ..errors import CorpusError
from ..types import Document
from .convert import Converted, EmptySource, converter_for
from .convert.base import has_letters
from .sources import CorpusScan, SourceFile

log = logging.getLogger(__name__)

# What counts as blank: ordinary whitespace and a byte-order mark, not control characters (those are an error).
_BLANK = " \t\r\n\f\v\ufeff"
ReuseFn = Callable[[SourceFile], Optional[Converted]]
ProgressFn = Callable[[str, int, int], None]


def first_line_title(text: str) -> str | None:
    """A title is a short first line without final punctuation."""
    line = text.lstrip("\ufeff").split("\n", 1)[0].strip().lstrip("#").strip()
    if line and len(line) <= 150 and line[-1] not in ".;,":
        return line
    return None


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_source(src: SourceFile) -> bytes:
    """The file's bytes, checked against the scan: a file written meanwhile is an error, never half-indexed."""
    try:
        data = src.path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read {src.path}: {exc.strerror}") from exc
    if hashlib.sha256(data).hexdigest() != src.sha256:
        raise CorpusError(changed_message(src.path))
    return data


def changed_message(path: Path) -> str:
    return f"{path} changed while it was being indexed; the index was left as it was; run the command again"


def convert_source(src: SourceFile) -> tuple[str, Converted]:
    """(converter version, canonical text) of one file; EmptySource when it holds nothing."""
    converter = converter_for(src.path)
    if converter is None:
        raise CorpusError(f"{src.path}: unsupported file type {src.path.suffix!r}")
    data = read_source(src)
    if not data.removeprefix(b"\xef\xbb\xbf").strip(b" \t\r\n\f\v"):
        raise EmptySource(f"{src.path} is empty")
    converted = converter.convert(data, src.path)
    del data
    if not converted.text.strip(_BLANK):
        raise EmptySource(f"{src.path} has no text after conversion")
    if not has_letters(converted.text):
        raise CorpusError(f"{src.path} has no letters (only control characters, digits or symbols); is it a document?")
    return converter.version, converted


def make_document(src: SourceFile, converted: Converted, metadata: dict[str, dict[str, Any]]) -> Document:
    """The Document: metadata.json's fields win over the file's own (title, url, author, date)."""
    converter = converter_for(src.path)
    info = {**converted.metadata, **metadata.get(src.doc_id, {})}
    title = info.pop("title", None) or first_line_title(converted.text) or src.doc_id
    return Document(
        doc_id=src.doc_id,
        title=str(title),
        path=str(src.path),
        text=converted.text,
        sha256=src.sha256,
        metadata=info,
        format=converter.name if converter else "text",
        pages=list(converted.pages),
        line_kinds=converted.line_kinds,
    )


class DocumentStream:
    """The Documents of a scan, converted lazily, in order; ``skipped`` says which files were left out and why.

    ``reuse`` may hand back a file's earlier conversion (the previous index
    build's copy, same bytes and same converter version), so an update converts
    only new and changed files. ``conversions`` records each Document's
    conversion for the build to store.
    """

    def __init__(self, scan: CorpusScan, reuse: Optional[ReuseFn] = None, progress: Optional[ProgressFn] = None):
        self.scan = scan
        self.reuse = reuse
        self.progress = progress
        self.skipped: list[dict[str, str]] = []
        self.counts = {"converted": 0, "reused": 0}
        self.conversions: dict[str, tuple[str, dict[str, Any]]] = {}

    def _skip(self, src: SourceFile, reason: str) -> None:
        log.warning("%s", reason)
        self.skipped.append({"doc_id": src.doc_id, "file": src.path.name, "reason": reason})

    def __iter__(self) -> Iterator[Document]:
        seen: dict[str, str] = {}  # text hash -> the file that had it first
        total = len(self.scan.files)
        for i, src in enumerate(self.scan.files, start=1):
            converted = self.reuse(src) if self.reuse else None
            converter = converter_for(src.path)
            version = converter.version if converter else ""
            if converted is None:
                try:
                    version, converted = convert_source(src)
                except EmptySource as exc:
                    self._skip(src, f"{exc}; skipped")
                    continue
                self.counts["converted"] += 1
            else:
                self.counts["reused"] += 1
            digest = text_sha256(converted.text)
            if digest in seen:
                self._skip(
                    src, f"{src.path} has the same text as {seen[digest]}; skipped (indexed once, as {seen[digest]})"
                )
                continue
            seen[digest] = src.path.name
            self.conversions[src.doc_id] = (version, dict(converted.metadata))
            if self.progress:
                self.progress("reading", i, total)
            yield make_document(src, converted, self.scan.metadata)
        if self.progress:
            self.progress("reading", total, total)
