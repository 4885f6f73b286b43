"""The files of a corpus folder: which ones, their hashes, and the optional metadata.json.

Why a scan apart from reading: deciding whether the index is current needs
only each file's hash, never its conversion (a PDF takes a second to read), so
every start of the bot scans and only a build converts. The scan also keeps
each file's size and modification time, so a file that changes while it is
being indexed is caught before the new index is published.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ..errors import CorpusError
from .convert import SUFFIXES, converter_for, decode_exact

log = logging.getLogger(__name__)

METADATA_FILE = "metadata.json"


@dataclass(frozen=True)
class SourceFile:
    """One supported file of the corpus; its stem is the ``doc_id``."""

    doc_id: str
    path: Path
    sha256: str
    size: int
    mtime_ns: int


@dataclass
class CorpusScan:
    """What a corpus folder holds right now, without reading any document's text."""

    folder: Path
    files: list[SourceFile]
    unsupported: list[Path] = field(default_factory=list)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    metadata_sha256: Optional[str] = None

    def fingerprint(self) -> dict[str, Any]:
        """What the index manifest records of the corpus: every file's name and hash, and metadata.json's."""
        return {
            "files": {f.doc_id: {"name": f.path.name, "sha256": f.sha256} for f in self.files},
            "metadata_sha256": self.metadata_sha256,
        }

    def warn(self) -> None:
        """Warnings about the folder: files skipped for their format, metadata for absent documents."""
        unknown = sorted(set(self.metadata) - {f.doc_id for f in self.files})
        if unknown:
            log.warning("metadata.json names documents that are not in the corpus: %s", unknown)
        if self.unsupported:
            names = ", ".join(p.name for p in self.unsupported)
            log.warning(
                "skipped %d file(s) in %s with an unsupported extension: %s (supported: %s)",
                len(self.unsupported),
                self.folder,
                names,
                supported_list(),
            )


def supported_list() -> str:
    return ", ".join(SUFFIXES)


def sha256_file(path: Path) -> str:
    """The file's SHA-256, read in blocks (memory does not grow with file size)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc.strerror}") from exc
    return h.hexdigest()


def is_candidate(path: Path) -> bool:
    """Files a corpus folder may hold: not hidden (temporary copies are), not the metadata file."""
    return path.is_file() and not path.name.startswith(".") and path.name != METADATA_FILE


def scan_corpus(folder: str | Path) -> CorpusScan:
    """The supported files of ``folder`` in a stable order; raises CorpusError on an unusable folder."""
    folder = Path(folder)
    if not folder.exists():
        raise CorpusError(f"corpus folder {folder} does not exist")
    if not folder.is_dir():
        raise CorpusError(f"corpus path {folder} is not a folder")
    files, unsupported = [], []
    for p in sorted(folder.iterdir()):
        if not is_candidate(p):
            continue
        if converter_for(p) is None:
            unsupported.append(p)
            continue
        st = p.stat()
        files.append(SourceFile(p.stem, p, sha256_file(p), st.st_size, st.st_mtime_ns))
    if not files:
        raise CorpusError(f"corpus folder {folder} holds no documents ({supported_list()})")
    stems = [f.doc_id for f in files]
    dupes = sorted({s for s in stems if stems.count(s) > 1})
    if dupes:
        names = ", ".join(f.path.name for f in files if f.doc_id == dupes[0])
        raise CorpusError(f"two files in {folder} share the document id {dupes[0]!r} ({names}); rename one")
    meta_path = folder / METADATA_FILE
    meta_sha = sha256_file(meta_path) if meta_path.exists() else None
    return CorpusScan(folder, files, unsupported, load_metadata(folder), meta_sha)


def load_metadata(folder: Path) -> dict[str, dict[str, Any]]:
    """``metadata.json``: doc_id -> fields (title, url, author, date, ...); missing file, no fields."""
    path = folder / METADATA_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(decode_exact(path.read_bytes(), path))
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc.strerror}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise CorpusError(f"{path} must map each doc_id to an object of fields")
    return data


def changed_files(scan: CorpusScan) -> list[Path]:
    """Files whose content is no longer what the scan saw (size and time first, then the hash)."""
    changed = []
    for f in scan.files:
        try:
            st = f.path.stat()
        except OSError:
            changed.append(f.path)
            continue
        if (st.st_size, st.st_mtime_ns) != (f.size, f.mtime_ns) and sha256_file(f.path) != f.sha256:
            changed.append(f.path)
    return changed
