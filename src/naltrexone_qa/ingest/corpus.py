"""Load a folder of documents (plain text, Markdown, HTML, PDF, DOCX) into Documents.

Titles and other citation metadata come from the documents themselves (HTML
metadata, PDF information, Markdown front matter) or from an optional
``metadata.json`` beside them, which wins, so article text is never edited to
add them. The index build streams documents (``DocumentStream``); this module
is the all-at-once view that tests and benchmarks use.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import CorpusError
from ..types import Document
from .convert import SUFFIXES, decode_exact
from .documents import DocumentStream, first_line_title
from .sources import METADATA_FILE, CorpusScan, load_metadata, scan_corpus, sha256_file

__all__ = [
    "METADATA_FILE",
    "SUFFIXES",
    "CorpusScan",
    "first_line_title",
    "load_corpus",
    "load_metadata",
    "read_text_exact",
    "scan_corpus",
    "sha256_file",
]


def read_text_exact(path: Path) -> str:
    """Read a file as UTF-8 without newline translation, so offsets stay exact."""
    try:
        return decode_exact(path.read_bytes(), path)
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc.strerror}") from exc


def load_corpus(folder: str | Path) -> dict[str, Document]:
    """Every document of ``folder``, converted; raises CorpusError naming a bad file.

    Files with an unsupported extension, empty files and files repeating
    another's text are skipped with a warning.
    """
    scan = scan_corpus(folder)
    scan.warn()
    return {d.doc_id: d for d in DocumentStream(scan)}
