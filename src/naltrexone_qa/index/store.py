"""The on-disk index: manifest, atomic swap, lock and validation.

An index folder holds build folders and a ``CURRENT`` file naming the live one.
A build writes a fresh folder, checks it, then replaces ``CURRENT`` with one
``os.replace`` under a file lock, so a crash or a second process never leaves a
half-written index in use. Every file's SHA-256 is in the manifest, so a damaged
or truncated file is caught at load time and the index is rebuilt. Nothing is
pickled: JSON, NumPy (allow_pickle=False) and FAISS's own format only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from ..config import ChunkParams, Settings
from ..errors import IndexBuildError
from ..ingest.chunk import SEARCH_TEXT_VERSION
from ..ingest.convert import converter_versions
from ..ingest.sources import CorpusScan
from ..text import TOKENIZER_VERSION

log = logging.getLogger(__name__)

# 3: canonical texts stored in the build (documents.jsonl), converters in the manifest.
FORMAT_VERSION = 3
SEGMENTER_VERSION = "lines+pysbd+kinds-2"
CURRENT = "CURRENT"
LOCK = ".lock"


class IndexInvalid(Exception):
    """The index on disk cannot be used as it is; the message says why."""


@dataclass(frozen=True)
class IndexSettings:
    """Everything besides the corpus that an index depends on (all of it is in the manifest)."""

    model: str
    chunk: ChunkParams = field(default_factory=ChunkParams)
    store: str = "faiss"
    detector: str = "rules"
    detector_version: str = "rules-2"

    @classmethod
    def from_settings(cls, settings: Settings, detector_version: str) -> IndexSettings:
        return cls(settings.model, settings.chunk, settings.store, settings.detector, detector_version)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "chunking": self.chunk.to_dict(),
            "search_text": SEARCH_TEXT_VERSION,
            "tokenizer": TOKENIZER_VERSION,
            "segmenter": SEGMENTER_VERSION,
            "converters": converter_versions(),
            "format_version": FORMAT_VERSION,
            "store": self.store,
            "detector": {"name": self.detector, "version": self.detector_version},
        }


def expected_manifest(scan: CorpusScan, settings: IndexSettings) -> dict[str, Any]:
    """The parts of a manifest that must match for an index to be reused."""
    return {**settings.to_dict(), "corpus": scan.fingerprint()}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def current_build(index_dir: Path) -> Optional[Path]:
    try:
        name = json.loads((index_dir / CURRENT).read_text(encoding="utf-8"))["build"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(name, str) or "/" in name or name.startswith("."):
        return None
    return index_dir / name


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexInvalid(f"manifest unreadable: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise IndexInvalid("index format version differs")
    return manifest


def verify_files(folder: Path, manifest: dict[str, Any]) -> None:
    """Every file listed in the manifest exists with its recorded size and hash."""
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise IndexInvalid("manifest lists no files")
    for name, info in files.items():
        path = folder / name
        if not path.is_file():
            raise IndexInvalid(f"{name} is missing")
        if path.stat().st_size != info.get("bytes"):
            raise IndexInvalid(f"{name} has the wrong size (truncated?)")
        if sha256_file(path) != info.get("sha256"):
            raise IndexInvalid(f"{name} does not match its checksum (damaged?)")


def stale_reason(manifest: dict[str, Any], expected: dict[str, Any]) -> Optional[str]:
    """Why an index no longer fits the corpus and settings, or None."""
    keys = ("format_version", "segmenter", "converters", "search_text", "tokenizer", "model", "chunking", "store")
    for key in (*keys, "detector"):
        if manifest.get(key) != expected[key]:
            return f"{key} changed"
    if manifest.get("corpus") != expected["corpus"]:
        old, new = manifest.get("corpus", {}).get("files", {}), expected["corpus"]["files"]
        changed = sorted(set(old) ^ set(new) | {k for k in set(old) & set(new) if old[k] != new[k]})
        return f"corpus changed ({', '.join(changed) or 'metadata'})"
    return None


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def finish_build(tmp: Path, manifest: dict[str, Any]) -> None:
    """Checksum every file of a finished build and write its manifest last."""
    files = {}
    for p in sorted(tmp.iterdir()):
        if p.is_file() and p.name != "manifest.json":
            files[p.name] = {"bytes": p.stat().st_size, "sha256": sha256_file(p)}
    manifest = {**manifest, "files": files, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    write_json(tmp / "manifest.json", manifest)
    for p in tmp.iterdir():
        with open(p, "rb") as fh:
            os.fsync(fh.fileno())


def new_build_folder(index_dir: Path) -> Path:
    index_dir.mkdir(parents=True, exist_ok=True)
    tmp = index_dir / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    return tmp


def publish(index_dir: Path, tmp: Path) -> Path:
    """Rename a finished build into place and point CURRENT at it atomically."""
    name = f"build-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
    final = index_dir / name
    os.replace(tmp, final)
    pointer = index_dir / f".{CURRENT}.{uuid.uuid4().hex[:6]}"
    pointer.write_text(json.dumps({"build": name}), encoding="utf-8")
    with open(pointer, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(pointer, index_dir / CURRENT)
    return final


def prune(index_dir: Path, keep: Path) -> None:
    """Remove builds other than the live one and stale temporary folders.

    Called under the lock, so no other build is writing; a reader that already
    opened the previous build keeps its open files on POSIX.
    """
    for p in index_dir.iterdir():
        if p == keep or not p.is_dir():
            continue
        if p.name.startswith("build-") or p.name.startswith(".tmp-"):
            shutil.rmtree(p, ignore_errors=True)
    for p in index_dir.glob(f".{CURRENT}.*"):
        p.unlink(missing_ok=True)


def lock(index_dir: Path, timeout: float = 600) -> Any:
    from filelock import FileLock

    index_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(str(index_dir / LOCK), timeout=timeout)


ProgressFn = Callable[[str, int, int], None]


def check_writable(index_dir: Path) -> None:
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexBuildError(f"cannot create index folder {index_dir}: {exc.strerror}") from exc
    if not os.access(index_dir, os.W_OK):
        raise IndexBuildError(f"index folder {index_dir} is not writable")
