"""Quotes as users read them: a sentence that points back starts at what it points to.

Why: 61 of the 258 quotable sentences open with "This", "These", "They", "However, this" and the
like. Quoted alone, "However, this can result in serious complications." or "This is associated
with potentially fatal respiratory disturbances." do not say what "this" is; the sentence before
them in the same paragraph does ("If naltrexone is used concurrently with opiates, an overdose
may occur."). The quote then starts at that sentence: still one exact, contiguous span of the
article, with ``lead_in`` saying how many of its first characters are that context, so the
evaluation credits only the sentence that was chosen.

A lead-in is never a heading, a promotional sentence, or a sentence quoted elsewhere in the same
answer; at most two sentences are added ("They bind ..." after "These act ..." after "The drug
belongs to the opioid antagonists.").
"""

from __future__ import annotations

import re
from typing import Collection, Optional, Sequence

from ..index.loaded import LoadedIndex
from ..types import Citation, Sentence

# "It" is left out: in these articles it is nearly always the medicine the question names.
_POINTS_BACK = re.compile(
    r"^(?:(?:however|but|and|so|also|therefore|thus|yet|in addition|additionally|moreover|furthermore|"
    r"as a result)\s*,?\s+)?(?:(?:because of|due to|despite)\s+)?(?:this|these|that|those|such|they)\b",
    re.IGNORECASE,
)
MAX_LEAD = 2


def points_back(text: str) -> bool:
    """Whether a sentence opens with a word that refers to the sentence before it."""
    return bool(_POINTS_BACK.match(text))


def lead_in(sentences: list[Sentence], sentence_id: int, avoid: Collection[int] = ()) -> Optional[Sentence]:
    """The earliest sentence of the same paragraph that ``sentence_id`` points back to, or None."""
    s = sentences[sentence_id]
    lead, cur = None, s
    for _ in range(MAX_LEAD):
        if not points_back(cur.text) or cur.id == 0:
            break
        prev = sentences[cur.id - 1]
        if prev.doc_id != s.doc_id or prev.block != s.block or not prev.answerable or prev.id in avoid:
            break
        lead = cur = prev
    return lead


def absorb_leads(ids: Sequence[int], sentences: list[Sentence]) -> list[int]:
    """``ids`` with a quoted sentence that another quoted one points back to folded into that one's quote.

    Why: "This is associated with ..." quoted first and "... an overdose may occur." third read
    best as one quote, in the place of the earlier of the two.
    """
    out = list(ids)
    for sid in ids:
        lead = lead_in(sentences, sid) if sid in out else None
        covered = [x for x in out if lead is not None and lead.id <= x < sid]
        if covered:
            pos = min(out.index(x) for x in [sid, *covered])
            out = [x for x in out if x != sid and x not in covered]
            out.insert(pos, sid)
    return out


def spanned(sentences: list[Sentence], citation: Citation) -> list[int]:
    """The ids of the sentences a citation quotes: its own and its lead-in's (so disagreements about them show)."""
    if citation.sentence_id is None:
        return []
    first = citation.sentence_id
    while first > 0 and sentences[first - 1].doc_id == citation.doc_id and sentences[first - 1].start >= citation.start:
        first -= 1
    return list(range(first, citation.sentence_id + 1))


def cite(
    index: LoadedIndex,
    sentence_id: int,
    n: Optional[int],
    score: float = 0.0,
    avoid: Collection[int] = (),
    with_lead_in: bool = True,
    chosen: Collection[int] = (),
) -> Citation:
    """The citation of one quoted sentence: its exact span, from its lead-in when it has one.

    ``avoid``: sentences quoted on their own in the same answer, never repeated as a lead-in.
    ``chosen``: sentences chosen for the answer; a lead-in that was chosen too is not context.
    """
    s = index.sentences[sentence_id]
    doc = index.documents[s.doc_id]
    lead = lead_in(index.sentences, sentence_id, avoid) if with_lead_in else None
    start = lead.start if lead is not None else s.start
    first = min((x for x in range(lead.id if lead else s.id, s.id) if x in chosen), default=s.id)
    return Citation(
        n=n,
        doc_id=s.doc_id,
        title=doc.title,
        section=s.section,
        start=start,
        end=s.end,
        text=doc.text[start : s.end],
        score=score,
        sentence_id=s.id,
        page=doc.page_at(start),
        url=doc.url,
        lead_in=index.sentences[first].start - start,
    )
