"""Planned changes to a corpus folder (add files, remove a document) that can be undone.

Why plans: ``naltrexone-qa add`` must never leave the corpus and the index
disagreeing. Every file is checked and converted before anything is copied
(an encrypted PDF is refused with nothing changed); the copy then happens under
the index lock, and if the index build fails the plan is undone, restoring the
folder exactly. Replaced and removed files are kept as hidden backups (the
scan ignores hidden files) until the new index is published.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from ..errors import CorpusError
from .convert import EmptySource, converter_for
from .documents import convert_source, text_sha256
from .sources import METADATA_FILE, SourceFile, is_candidate, sha256_file, supported_list

log = logging.getLogger(__name__)


@dataclass
class CorpusEdit:
    """Copies into and removals from one corpus folder, applied and undone as a whole."""

    folder: Path
    copies: list[tuple[Path, Path]] = field(default_factory=list)  # (outside file, its place in the corpus)
    removals: list[Path] = field(default_factory=list)
    drop_metadata: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    _backups: list[tuple[Path, Path]] = field(default_factory=list)  # (original, hidden backup)
    _created: list[Path] = field(default_factory=list)

    @property
    def doc_ids(self) -> list[str]:
        return [dest.stem for _, dest in self.copies] + [p.stem for p in self.removals]

    def _backup(self, path: Path) -> None:
        backup = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.bak")
        os.replace(path, backup)
        self._backups.append((path, backup))

    def apply(self) -> None:
        """Change the folder; a failure half-way undoes what was done."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for src, dest in self.copies:
                tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.tmp")
                shutil.copyfile(src, tmp)
                if dest.exists():
                    self._backup(dest)
                os.replace(tmp, dest)
                self._created.append(dest)
            for path in self.removals:
                self._backup(path)
            if self.drop_metadata:
                self._rewrite_metadata()
        except BaseException:
            self.undo()
            raise

    def _rewrite_metadata(self) -> None:
        path = self.folder / METADATA_FILE
        if not path.exists():
            return
        data = json.loads(path.read_text(encoding="utf-8"))
        kept = {k: v for k, v in data.items() if k not in self.drop_metadata}
        if kept == data:
            return
        tmp = path.with_name(f".{METADATA_FILE}.{uuid.uuid4().hex[:8]}.tmp")
        tmp.write_text(json.dumps(kept, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        self._backup(path)
        os.replace(tmp, path)
        self._created.append(path)

    def undo(self) -> None:
        """Put the folder back as it was before :meth:`apply`."""
        for path in reversed(self._created):
            path.unlink(missing_ok=True)
        for original, backup in reversed(self._backups):
            if backup.exists():
                os.replace(backup, original)
        self._created, self._backups = [], []

    def commit(self) -> None:
        """The index is published: the backups are no longer needed."""
        for _, backup in self._backups:
            backup.unlink(missing_ok=True)
        self._created, self._backups = [], []


def _same_id(folder: Path, doc_id: str) -> list[Path]:
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if is_candidate(p) and p.stem == doc_id and converter_for(p) is not None]


def plan_add(files: Iterable[Path], folder: Path, known_texts: Optional[dict[str, str]] = None) -> CorpusEdit:
    """Check and convert each file now, so a bad one stops the command before anything changes.

    ``known_texts`` maps the text hashes of documents already indexed to their ids, so a
    file repeating one of them is skipped with a warning instead of being indexed twice.
    """
    edit = CorpusEdit(folder)
    texts = dict(known_texts or {})
    unsupported: list[Path] = []
    for path in files:
        if not path.is_file():
            raise CorpusError(f"{path} does not exist or is not a file")
        if converter_for(path) is None:
            unsupported.append(path)
            continue
        if path.name.startswith(".") or path.name == METADATA_FILE:
            raise CorpusError(f"{path}: names starting with '.' and {METADATA_FILE} are not documents; rename it")
        doc_id = path.stem
        if doc_id in {dest.stem for _, dest in edit.copies}:
            raise CorpusError(f"{path} has the same document id {doc_id!r} as another file given; rename one")
        existing = _same_id(folder, doc_id)
        if existing and existing[0].name != path.name:
            raise CorpusError(
                f"the document id {doc_id!r} is taken by {existing[0]}; rename {path.name} or remove {doc_id} first"
            )
        st = path.stat()
        src = SourceFile(doc_id, path, sha256_file(path), st.st_size, st.st_mtime_ns)
        if existing and sha256_file(existing[0]) == src.sha256:
            edit.unchanged.append(doc_id)
            log.info("%s is already in the corpus, unchanged", path)
            continue
        try:
            _, converted = convert_source(src)
        except EmptySource as exc:
            edit.skipped.append(f"{exc}; skipped")
            continue
        digest = text_sha256(converted.text)
        twin = texts.get(digest)
        if twin is not None and twin != doc_id:
            edit.skipped.append(f"{path} has the same text as {twin}; not added (indexed once, as {twin})")
            continue
        texts[digest] = doc_id
        if existing:
            edit.replaced.append(doc_id)
        edit.copies.append((path, folder / path.name))
    if unsupported:
        names = ", ".join(str(p) for p in unsupported)
        edit.skipped.append(f"unsupported extension (supported: {supported_list()}): {names}")
    for message in edit.skipped:
        log.warning("%s", message)
    return edit


def plan_remove(target: str, folder: Path) -> CorpusEdit:
    """Remove a document by id (or by its file name); its metadata.json entry goes with it."""
    doc_id = Path(target).stem if converter_for(Path(target)) and (folder / target).is_file() else target
    found = _same_id(folder, doc_id)
    if not found:
        raise CorpusError(f"no document {doc_id!r} in {folder}; `naltrexone-qa source` lists the documents")
    return CorpusEdit(folder, removals=found, drop_metadata=[doc_id])
