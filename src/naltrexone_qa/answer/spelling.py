"""Misspelt words read as the article word they were meant to be.

Why: people type "anxeity", "insomia", "injecton". Such a word matches no
sentence, weighs as much as the rarest term, makes the question look like one
about something the articles never mention, and the dense model reads it as
word pieces; the flag check also misses the topic the question names. A word
that is neither an English word nor one the articles use, and lies one edit
(two for long words) from a word the articles use, is read as that word.
SymSpell does the lookup over the articles' own words; its English frequency
list tells a real word ("sister") from a typo, so real words are never touched,
and neither are consumer words the lay-term list already maps ("percs", "ntx").
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Iterable

from symspellpy import SymSpell, Verbosity

from ..text import stem
from .lay_terms import is_lay_word

log = logging.getLogger(__name__)

# A word with its apostrophes ("doesn't"); typed without them ("doesnt") it is the same word.
_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*")
# Shorter words have too many neighbours one edit away ("mine" / "mind") to guess safely.
MIN_LENGTH = 6
# Contractions typed without the apostrophe ("shouldnt", "arent", "theyd") are words, not typos.
_CONTRACTION = re.compile(r"(?:nt|d|ll|ve|re|s|m)$")
# From this length two edits are allowed ("injecton" is one deletion, "anxeity" one transposition).
TWO_EDITS_FROM = 8


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The English words of SymSpell's frequency list (82,834 words): these are never respelt."""
    path = resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
    return frozenset(line.split(" ", 1)[0] for line in path.read_text(encoding="utf-8").splitlines() if line)


def _bare(word: str) -> str:
    return re.sub(r"['\u2019]", "", word.lower())


class Speller:
    """Corrects typos towards a corpus's own words; thread-safe.

    The lookup table is built on the first word that needs it (about 3 s for a 26,000-word
    corpus, 0.03 s for these articles), so loading a pipeline never waits for it.
    """

    def __init__(self, texts: Iterable[str]) -> None:
        self._counts = Counter(_bare(w) for text in texts for w in _WORD.findall(text) if len(w) >= 3)
        self.words = frozenset(self._counts)
        self._stems = frozenset(stem(w) for w in self._counts)
        self._english = english_words()
        self._table: SymSpell | None = None
        self._lock = threading.Lock()

    def _lookup_table(self) -> SymSpell:
        with self._lock:
            if self._table is None:
                table = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
                for word, n in self._counts.items():
                    table.create_dictionary_entry(word, n)
                self._table = table
            return self._table

    def correction(self, word: str) -> str | None:
        """The article word ``word`` is a typo of, or None when it is a word (or no close one exists)."""
        w = word.lower()
        if not w.isalpha() or len(w) < MIN_LENGTH or w in self.words or w in self._english or is_lay_word(w):
            return None
        if stem(w) in self._stems or self._contraction(w):
            return None  # another form of an article word ("prescribers"), or "shouldnt"
        edits = 2 if len(w) >= TWO_EDITS_FROM else 1
        found = self._lookup_table().lookup(w, Verbosity.CLOSEST, max_edit_distance=edits)
        if not found:
            return None
        best = max(found, key=lambda s: (-s.distance, s.count, s.term))
        return str(best.term)

    def _contraction(self, w: str) -> bool:
        m = _CONTRACTION.search(w)
        if m is None:
            return False
        cut = m.start()
        return w[:cut] in self._english or (cut > 1 and w[: cut - 1] in self._english)

    def respell(self, text: str) -> str:
        """``text`` with each typo replaced by its article word (everything else untouched)."""

        def fix(m: re.Match[str]) -> str:
            c = self.correction(m.group(0))
            return m.group(0) if c is None else c

        out = _WORD.sub(fix, text)
        if out != text:
            log.debug("respelt %r as %r", text, out)
        return out
