"""Load a folder of articles into Documents, exactly as stored on disk.

Titles and other citation metadata come from an optional ``metadata.json``
beside the articles, so article text is never edited to add them.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from ..errors import CorpusError
from ..types import Document

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md")
METADATA_FILE = "metadata.json"


def read_text_exact(path: Path) -> str:
    """Read a file as UTF-8 without newline translation, so offsets stay exact."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path} is not valid UTF-8 (byte {exc.start}); convert it to UTF-8 text") from exc
    if text.startswith("\ufeff"):
        log.debug("%s starts with a byte-order mark; kept so offsets stay exact", path)
    return text


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def corpus_files(folder: Path) -> list[Path]:
    """The article files of a corpus folder, in a stable order."""
    if not folder.exists():
        raise CorpusError(f"corpus folder {folder} does not exist")
    if not folder.is_dir():
        raise CorpusError(f"corpus path {folder} is not a folder")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not files:
        raise CorpusError(f"corpus folder {folder} holds no .txt or .md files")
    stems = [p.stem for p in files]
    dupes = sorted({s for s in stems if stems.count(s) > 1})
    if dupes:
        raise CorpusError(f"two files in {folder} share the document id {dupes[0]!r}")
    return files


def load_metadata(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / METADATA_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(read_text_exact(path))
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise CorpusError(f"{path} must map each doc_id to an object of fields")
    return data


def first_line_title(text: str) -> str | None:
    """A title is a short first line without final punctuation."""
    line = text.lstrip("\ufeff").split("\n", 1)[0].strip().lstrip("#").strip()
    if line and len(line) <= 150 and line[-1] not in ".;,":
        return line
    return None


def load_corpus(folder: str | Path) -> dict[str, Document]:
    """Read every article of ``folder``; raises CorpusError naming a bad file."""
    folder = Path(folder)
    meta = load_metadata(folder)
    docs: dict[str, Document] = {}
    for path in corpus_files(folder):
        text = read_text_exact(path)
        if not text.strip():
            raise CorpusError(f"{path} is empty")
        info = dict(meta.get(path.stem, {}))
        title = info.pop("title", None) or first_line_title(text) or path.stem
        docs[path.stem] = Document(
            doc_id=path.stem,
            title=str(title),
            path=str(path),
            text=text,
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            metadata=info,
        )
    unknown = sorted(set(meta) - set(docs))
    if unknown:
        log.warning("metadata.json names documents that are not in the corpus: %s", unknown)
    return docs
