"""Question-time disagreement flags: which disagreements of the map an answer shows.

Why its own step: the conflict map is computed once per index build; at
question time only this cheap check runs. A disagreement is shown when the
question asks about its point, whether or not the answer's best sentences come
from both sides: each side must be among the strongest evidence for the
question (its closest sentence near the question's 5th-nearest sentence), and
closer still unless the question names the disagreement's topic outside a
condition clause. Being quoted alone is not enough: a quote can take part in a
disagreement about something else ("Is it addictive?" quoting a sentence that
also says it eases anxiety). Nor is being near without a quote: an answer that
quotes neither side speaks of something else, unless the question itself weighs
two possibilities. An answer that quotes both sides shows the disagreement
however far they are: it sets them against each other itself. And a yes-or-no
question that names the disagreement's topic ("is it gonna make my anxiety
worse?"), answered from one side, shows it however far the other side's wording
is: a yes or no from one side would be read as the articles' answer. So does a
yes-or-no question whose first quote is on one side while the other side is
among the strongest evidence ("can u still get high on ntx" answered with
"prevents any high" names no "opioid"): the first quote is what is read as yes or no.

A question that itself sets two possibilities against each other ("does it calm
you or make you jittery?", "which is it?") is about the disagreement when it names
its topic and one side is near, however far the other side's wording is ("Does it
relieve anxiety, or can it cause it?" is far from a list of side effects that names
anxiety among others).
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping, Optional

import numpy as np

from ..config import FlagSettings
from ..retrieve.store import VectorStore
from ..types import Conflict
from .base import SEVERITY_RANK
from .claims import analyze

# A question that weighs two possibilities or sets itself against what was said before: "X, or can
# it Y?", "could it backfire?", "which is it?", "isn't it supposed to ...", "but I've read ...".
# General English, no topic words.
_CONTRAST = re.compile(
    r"\bor\s+(?:can|could|does|do|did|is|are|was|will|would|should|might|may|just|actually|rather|not|"
    r"the opposite|make|makes|cause|causes|warn)\b|\bwhich (?:one )?is (?:it|right|true|correct)\b|"
    r"\bthe other way\b|\bcontradict|\bconflicting\b|\bmixed (?:messages|signals|evidence)\b|"
    r"\bsome (?:say|people say|sources say)\b|\bisn\W?t (?:it|\w+) supposed\b|\bi thought\b|"
    r"\bbut i(?:\W?ve| have)? (?:read|heard)\b|\bgood or bad\b|\bthe opposite\b|\bopposite effect|"
    r"\bbackfir(?:e|es|ed|ing)\b|\bcounterproductive\b|\breverse effect|"
    r"\bor (?:to )?(?:worse|better|increase|decrease|improve|worsen|reduce|help|hurt|harm|trigger)\b",
    re.IGNORECASE,
)
# A question that asks yes or no: its asking sentence opens with a verb, after any "so", "and", "ok" ...
_LEAD = re.compile(r"^(?:(?:so|and|but|ok|okay|then|well|wait|also|hmm|hi|hey|right)\b[\s,]*)+", re.IGNORECASE)
_POLAR = re.compile(
    r"^(?:is|are|was|were|does|do|did|can|could|will|would|should|may|might|has|have|isn\W?t|doesn\W?t|"
    r"won\W?t|can\W?t|wouldn\W?t)\b",
    re.IGNORECASE,
)
# A verb that opens a yes-or-no question inside a longer sentence, and who or what it asks about.
_ASKS = (
    r"(?:is|are|will|would|can|could|does|do|should|might|may)\s+"
    r"(?:i|it|he|she|they|you|u|we|that|this|there|anything|anyone|naltrexone|ntx)\b"
)
# ... or after an opening condition: "if i relapse on pills will anything even happen?"
_POLAR_AFTER_IF = re.compile(
    rf"^(?:if|when|once|while)\b(?:(?!\b(?:how|what|which|who|where|when|why)\b).)*?[\s,]{_ASKS}",
    re.IGNORECASE,
)
# ... or in a clause after a comma, as texted questions run on: "my doc put me on it for drinking, can
# it calm my anxiety down too?"
_POLAR_AFTER_COMMA = re.compile(rf"[,;:]\s*(?:(?:so|and|but|ok|then)\s+)?{_ASKS}", re.IGNORECASE)


def contrasting(question: str) -> bool:
    """Whether the question weighs two possibilities against each other (see ``_CONTRAST``)."""
    return bool(_CONTRAST.search(question))


def polar(question: str) -> bool:
    """Whether the question asks yes or no ("is it gonna make my anxiety worse?", "can u still get high").

    The asking sentence is the last one with a question mark (else the last one); the
    history a follow-up was resolved with, in parentheses, is left out.
    """
    text = re.sub(r"\([^)]*\)", " ", question)
    parts = [p.strip() for p in re.split(r"(?<=[.?!])\s+", text) if p.strip()]
    if not parts:
        return False
    asking = _LEAD.sub("", ([p for p in parts if "?" in p] or parts)[-1])
    return bool(_POLAR.match(asking) or _POLAR_AFTER_IF.match(asking) or _POLAR_AFTER_COMMA.search(asking))


def side_ids(c: Conflict) -> tuple[set[int], set[int]]:
    """Sentence ids of each side of a disagreement."""
    a = {x.sentence_id for x in c.a_side if x.sentence_id is not None}
    b = {x.sentence_id for x in c.b_side if x.sentence_id is not None}
    return a, b


def missing_side(c: Conflict, quoted: Iterable[int]) -> set[int]:
    """The sentence ids of the side an answer leaves unquoted, when it quotes the other; else empty.

    Why: a reader who sees quotes from one side only takes that side as the articles' answer,
    though the disagreement is shown below it.
    """
    a, b = side_ids(c)
    have = set(quoted)
    if a & have and not b & have:
        return b
    if b & have and not a & have:
        return a
    return set()


def conflicts_touching(conflicts: Iterable[Conflict], sentence_ids: set[int]) -> list[Conflict]:
    """Disagreements in which any of the given sentences takes part, on either side (map order kept)."""
    out = []
    for c in conflicts:
        a, b = side_ids(c)
        if (a | b) & sentence_ids:
            out.append(c)
    return out


def named_topic(question: str, topic: str) -> bool:
    """Whether the question names the topic outside its condition clauses (word stems, 4-letter prefix)."""
    q = analyze(question)
    asked = {s for i, s in enumerate(q.stems) if i not in q.cond and len(s) >= 4}
    wanted = {s for s in analyze(topic).stems if len(s) >= 4}
    return any(a[:4] == w[:4] for a in asked for w in wanted)


def select_flags(
    conflicts: Iterable[Conflict],
    cited: Mapping[int, Optional[int]],
    question: str,
    qvec: np.ndarray,
    sentence_vectors: VectorStore,
    settings: FlagSettings,
) -> list[Conflict]:
    """The disagreements to show beside an answer, most relevant first.

    ``cited`` maps each quoted sentence id to its citation number; ``question``
    is the resolved question's search text (lay words expanded).
    """
    hits = sentence_vectors.search(qvec, settings.neighbours)[0]
    if not hits:
        return []
    fifth = hits[min(4, len(hits) - 1)][1]
    quoted_ids = set(cited)
    found = conflicts_touching(conflicts, quoted_ids | {i for i, _ in hits})

    def gap(ids: set[int]) -> float:
        return float(np.max(sentence_vectors.get_vectors(sorted(ids)) @ qvec)) - fifth

    def quoted(c: Conflict) -> int:
        a, b = side_ids(c)
        return bool(a & quoted_ids) + bool(b & quoted_ids)

    contrast = contrasting(question)
    lead = {sid for sid, n in cited.items() if n == 1}  # the quote a yes or no is read from
    asks_yes_no = polar(question)
    scored = []
    for c in found:
        if settings.unquoted_needs_contrast and not contrast and not quoted(c):
            continue
        a, b = side_ids(c)
        ga, gb = gap(a), gap(b)
        near = min(ga, gb)
        named = named_topic(question, c.topic)
        close = near >= -settings.near or (near >= -settings.near_named and named)
        weighed = contrast and max(ga, gb) >= -settings.near and (named or near >= -settings.near_named)
        led = bool(lead & a) and gb >= -settings.near or bool(lead & b) and ga >= -settings.near
        one_sided = settings.one_side_polar_named and quoted(c) == 1 and asks_yes_no and (named or led)
        if close or weighed or one_sided or (settings.both_quoted_shown and quoted(c) == 2):
            scored.append((near, c))

    scored.sort(key=lambda nc: (-quoted(nc[1]), -SEVERITY_RANK.get(nc[1].severity, 0), -nc[0], -nc[1].score))
    return [c for _, c in scored[: settings.max_flags]]


def shown_pair(c: Conflict, cited: Mapping[int, Optional[int]]) -> tuple[int, int, str]:
    """Which sentence of each side an answer shows, and what differs between those two.

    A quoted sentence is shown on its side (the answer's own number beside it);
    otherwise the side's main sentence. The explanation is the one judged for
    the pair shown, so its quotes match the sentences below it.
    """
    a_main, b_main = c.a.sentence_id, c.b.sentence_id
    if a_main is None or b_main is None:
        raise ValueError("a conflict side without a sentence id")
    why = {(x, y): e for x, y, e in c.pairs}

    def rank(sid: int, main: int) -> tuple[int, int, int]:
        n = cited.get(sid)
        return (0 if sid in cited else 1, n if n is not None else 0, 0 if sid == main else 1)

    a_ids, b_ids = side_ids(c)
    options = [(x, y) for x, y in why if x in a_ids and y in b_ids] or [(a_main, b_main)]
    x, y = min(
        options, key=lambda p: (min(rank(p[0], a_main), rank(p[1], b_main)), rank(p[0], a_main), rank(p[1], b_main))
    )
    return x, y, why.get((x, y), c.explanation)
