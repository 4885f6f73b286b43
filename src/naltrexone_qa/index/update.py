"""Adding and removing documents: the corpus folder and the index change together, or not at all.

Why in the index layer: an update is a corpus edit plus an index build under
the one build lock. The edit (``ingest.manage``) is applied under the lock,
the index is rebuilt from the previous build (only new and changed files are
converted, segmented and embedded), and if anything fails the edit is undone,
so the live index and the folder always agree.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

from ..config import Settings
from ..disagree.base import Detector
from ..embed.base import Embedder
from ..errors import UsageError
from ..ingest.manage import CorpusEdit, plan_add, plan_remove
from .build import build_index, ensure_index
from .documents import DOCUMENTS
from .store import ProgressFn, check_writable, current_build, lock, read_manifest

log = logging.getLogger(__name__)


@dataclass
class UpdateReport:
    """What an update did, for the command's summary."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        work = self.manifest.get("work", {})
        return {
            "added": self.added,
            "replaced": self.replaced,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "skipped_in_corpus": self.manifest.get("skipped", []),
            "converted": work.get("converted", 0),
            "embedded": work.get("embedded", 0),
            "counts": self.manifest.get("counts", {}),
        }


def indexed_texts(index_dir: Path) -> dict[str, str]:
    """Text hash -> doc_id of the live build's documents (empty when there is none)."""
    folder = current_build(index_dir)
    out: dict[str, str] = {}
    if folder is None:
        return out
    try:
        with open(folder / DOCUMENTS, encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                out[row["text_sha256"]] = row["doc_id"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return out


def apply_and_build(
    settings: Settings, embedder: Embedder, detector: Detector, edit: CorpusEdit, progress: Optional[ProgressFn]
) -> dict[str, Any]:
    """Apply ``edit`` and rebuild under the lock; undo the edit when the build fails."""
    check_writable(settings.index_dir)
    with lock(settings.index_dir):
        edit.apply()
        try:
            folder = build_index(settings, embedder, detector, progress=progress)
        except BaseException:
            edit.undo()
            raise
        edit.commit()
    return read_manifest(folder)


def add_documents(
    settings: Settings,
    embedder: Embedder,
    detector: Detector,
    files: Sequence[Path],
    progress: Optional[ProgressFn] = None,
) -> UpdateReport:
    """Copy ``files`` into the corpus and update the index; a bad file changes nothing."""
    edit = plan_add(files, settings.corpus_dir, indexed_texts(settings.index_dir))
    if not edit.copies and not edit.unchanged:
        raise UsageError("nothing to add: " + "; ".join(edit.skipped or ["no files given"]))
    if edit.copies:
        manifest = apply_and_build(settings, embedder, detector, edit, progress)
    else:  # every file is in the corpus already: make sure the index is current, nothing else
        index, built = ensure_index(settings, embedder, detector, progress=progress)
        manifest = index.manifest if built else {**index.manifest, "work": {}}
    added = [dest.stem for _, dest in edit.copies if dest.stem not in edit.replaced]
    return UpdateReport(
        added=added, replaced=edit.replaced, unchanged=edit.unchanged, skipped=edit.skipped, manifest=manifest
    )


def remove_document(
    settings: Settings, embedder: Embedder, detector: Detector, target: str, progress: Optional[ProgressFn] = None
) -> UpdateReport:
    """Take a document (by id or file name) out of the corpus and the index."""
    edit = plan_remove(target, settings.corpus_dir)
    manifest = apply_and_build(settings, embedder, detector, edit, progress)
    return UpdateReport(removed=sorted({p.stem for p in edit.removals}), manifest=manifest)
