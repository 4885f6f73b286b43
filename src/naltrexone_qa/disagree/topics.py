"""What a disagreement is about, read from the two sentences themselves.

Why from the text: a fixed list of topic names only fits the articles it was
written for. The topic of a pair is the phrase the two claims share: the
longest run of consecutive content words (stems compared, function words,
generic nouns and drug names left out) that both sentences contain, shown as
the words of the first sentence. For opposite effects the topic is the object
both effects are about ("anxiety"). The topic of a group of pairs is the one
most of its pairs share.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, NamedTuple

from .claims import Claim, analyze, is_key


class Topic(NamedTuple):
    """A shared phrase: ``key`` compares (stems), ``words`` is shown (surface words)."""

    key: str
    words: str


NO_TOPIC = Topic("", "other")


def _runs(c: Claim, shared: set[str]) -> list[tuple[int, int]]:
    """Maximal [start, end) runs of consecutive tokens whose stems are all shared key stems."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(c.stems):
        if c.stems[i] in shared:
            j = i
            while j < len(c.stems) and c.stems[j] in shared:
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def _contains(seq: tuple[str, ...], sub: tuple[str, ...]) -> bool:
    n = len(sub)
    return any(seq[i : i + n] == sub for i in range(len(seq) - n + 1))


def shared_phrase(a: str, b: str) -> Topic:
    """The longest phrase of key words both sentences hold (in ``a``'s words), or ``NO_TOPIC``.

    When both sentences state an effect on the same thing, the phrase holding
    that object wins ("blood pressure" for "lowers blood pressure").
    """
    ca, cb = analyze(a), analyze(b)
    objects = {obj for obj, *_ in ca.effects} & {obj for obj, *_ in cb.effects}
    shared = {s for s in ca.keys & cb.keys if is_key(s)} | objects
    if not shared:
        return NO_TOPIC
    best: tuple[int, int, int, str, str] = (0, 0, 0, "", "")
    for c in (ca, cb):
        other = cb if c is ca else ca
        for lo, hi in _runs(c, shared):
            if not _contains(other.stems, c.stems[lo:hi]):
                continue  # both sentences must hold the whole run, in this order
            # The effect's object first, then longer runs, then longer words, then the first sentence.
            has_object = int(bool(objects & set(c.stems[lo:hi])))
            score = (has_object, hi - lo, max(len(s) for s in c.stems[lo:hi]))
            if score > best[:3]:
                best = (*score, " ".join(c.stems[lo:hi]), " ".join(c.raw[lo:hi]))
    if not best[3]:
        word = sorted(shared, key=lambda s: (-len(s), s))[0]
        raw = next((r for r, s in zip(ca.raw, ca.stems) if s == word), word)
        return Topic(word, raw)
    return Topic(best[3], best[4])


def group_topic(topics: Iterable[Topic]) -> Topic:
    """The topic most pairs of a group share (ties: the longer phrase), shown in its commonest words."""
    topics = [t for t in topics if t.key]
    if not topics:
        return NO_TOPIC
    keys = Counter(t.key for t in topics)
    key = max(keys, key=lambda k: (keys[k], len(k.split()), len(k), k))
    words = Counter(t.words for t in topics if t.key == key)
    return Topic(key, max(words, key=lambda w: (words[w], w)))
