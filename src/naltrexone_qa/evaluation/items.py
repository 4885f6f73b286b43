"""The Q&A file schema: one JSON object a line, validated with line-numbered errors.

Schema: {"id", "question", "history": [str], "answerable": bool,
"gold_sources": [doc_id], "must_contain_any": [str],
"disagreement": "yes"|"no"|"any", "disagreement_sources": [doc_id],
"category": str (optional; reported per category)}. ``history``,
``must_contain_any``, ``disagreement``, ``disagreement_sources`` and
``category`` may be omitted (empty / "any" / none). Other keys (notes, style)
are kept out of scoring.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

from ..errors import DataError
from ..jsonl import read_jsonl
from ..text import norm_text

DISAGREEMENT_LABELS = ("yes", "no", "any")
_RENAMED = {"contradiction": "disagreement", "contradiction_sources": "disagreement_sources"}


@dataclass(frozen=True)
class QAItem:
    """One question with what a correct answer must show."""

    id: str
    question: str
    history: tuple[str, ...]
    answerable: bool
    gold_sources: tuple[str, ...]
    must_contain_any: tuple[str, ...]
    disagreement: str
    disagreement_sources: tuple[str, ...]
    line: int = 0
    category: Optional[str] = None

    @property
    def followup(self) -> bool:
        return bool(self.history)

    @cached_property
    def _phrases(self) -> tuple[str, ...]:
        return tuple(norm_text(p) for p in self.must_contain_any)

    def answered_by(self, doc_id: str, text: str) -> bool:
        """Whether this sentence is a right one to quote: from a gold article and holding a key phrase.

        One definition for the fitting, the training data and the question bank (the scorer
        reads whole quotes the same way, with ``norm_text``).
        """
        if not self.answerable or doc_id not in self.gold_sources:
            return False
        sentence = norm_text(text)
        return any(p in sentence for p in self._phrases)


def _str_list(obj: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    val = obj.get(key, [])
    if not isinstance(val, list) or not all(isinstance(v, str) and v.strip() for v in val):
        raise DataError(f"{where}: {key!r} must be a list of non-empty strings")
    return tuple(val)


def parse_item(obj: Any, where: str, line: int = 0) -> QAItem:
    """Check one decoded line against the schema and turn it into a QAItem."""
    if not isinstance(obj, dict):
        raise DataError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    for old, new in _RENAMED.items():
        if old in obj:
            raise DataError(f"{where}: {old!r} is now called {new!r}")
    for key in ("id", "question"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise DataError(f"{where}: {key!r} is required and must be a non-empty string")
    if not isinstance(obj.get("answerable"), bool):
        raise DataError(f"{where}: 'answerable' is required and must be true or false")
    gold = _str_list(obj, "gold_sources", where)
    if obj["answerable"] and not gold:
        raise DataError(f"{where}: an answerable item needs at least one 'gold_sources' doc_id")
    if not obj["answerable"] and gold:
        raise DataError(f"{where}: an unanswerable item must have empty 'gold_sources'")
    label = obj.get("disagreement", "any")
    if label not in DISAGREEMENT_LABELS:
        raise DataError(f"{where}: 'disagreement' must be one of {DISAGREEMENT_LABELS}, got {label!r}")
    category = obj.get("category")
    if category is not None and not isinstance(category, str):
        raise DataError(f"{where}: 'category' must be text")
    return QAItem(
        obj["id"],
        obj["question"],
        _str_list(obj, "history", where),
        obj["answerable"],
        gold,
        _str_list(obj, "must_contain_any", where),
        label,
        _str_list(obj, "disagreement_sources", where),
        line,
        category,
    )


def load_items(path: Path | str) -> list[QAItem]:
    """Read and validate a Q&A file; blank lines are skipped, ids must be unique."""
    path = Path(path)
    items: list[QAItem] = []
    seen: dict[str, int] = {}
    for n, obj in read_jsonl(path, require_object=False):
        item = parse_item(obj, f"{path}:{n}", n)
        if item.id in seen:
            raise DataError(f"{path}:{n}: duplicate id {item.id!r} (first on line {seen[item.id]})")
        seen[item.id] = n
        items.append(item)
    if not items:
        raise DataError(f"{path}: no questions found")
    return items


def check_doc_ids(items: Iterable[QAItem], doc_ids: Iterable[str], path: str = "qa") -> None:
    """Fail loudly on a doc_id the corpus does not have (a typo would silently score 0)."""
    known = set(doc_ids)
    for it in items:
        unknown = [d for d in it.gold_sources + it.disagreement_sources if d not in known]
        if unknown:
            raise DataError(
                f"{path}:{it.line}: item {it.id!r} names unknown doc_id(s) {unknown}; known: {sorted(known)}"
            )


_LONG_WORD = re.compile(r"[A-Za-z]{6,}")


def with_typos(items: Iterable[QAItem], seed: int) -> list[QAItem]:
    """Each question with one typo in one word of six letters or more (letters swapped, dropped, doubled
    or a vowel changed), chosen with ``seed``: how answers hold up on questions as people type them.

    Earlier turns are left as written, so a follow-up is only harder in its own words.
    """
    rng = random.Random(seed)
    out = []
    for it in items:
        words = list(_LONG_WORD.finditer(it.question))
        if not words:
            out.append(it)
            continue
        m = rng.choice(words)
        w, i = m.group(0), rng.randrange(1, len(m.group(0)) - 1)
        kind = rng.choice(("swap", "drop", "double", "vowel"))
        typo = {
            "swap": w[:i] + w[i + 1] + w[i] + w[i + 2 :],
            "drop": w[:i] + w[i + 1 :],
            "double": w[:i] + w[i] + w[i:],
            "vowel": w[:i] + rng.choice("aeiou") + w[i + 1 :],
        }[kind]
        out.append(replace(it, question=it.question[: m.start()] + typo + it.question[m.end() :]))
    return out
