"""Whose property a question asks about, and whose the best sentence states.

Why: "I'm on gabapentin for nerve pain." / "is it addictive?" resolves to "is gabapentin
addictive?", and the best-scoring sentence was "The medication is not addictive and does not
cause withdrawal symptoms ..." from an article about naltrexone, quoted at confidence 0.82: an
answer about the wrong drug, and a reassuring one. The words match; the subject does not. When a
question names one other medicine and not naltrexone, the best sentence must be about that
medicine: named in the sentence, or, when the sentence names no drug ("The medication ..."), in its
section heading or its document's title. Candidates about other drugs only leave the pool before
the answer/abstain decision, so the decision and the quotes rest on sentences about the medicine
asked about (and the question abstains when those are weak). A sentence about no drug stays.

Opioids and alcohol are left out: naltrexone acts on them, so a sentence about naltrexone's effect
on them answers questions about them ("will my pain meds still work?").
"""

from __future__ import annotations

from typing import Sequence

from ..index.loaded import LoadedIndex
from ..types import Sentence
from .features import Candidate
from .mentions import mentions
from .shorthand import written_out

# Drug names of the mentions lexicon that are neither naltrexone nor what it acts on.
_ACTS_ON = frozenset({"naltrexone", "opioids", "alcohol"})


def _drugs(text: str) -> set[str]:
    return {m.name for m in mentions(text) if m.kind == "drug"}


def asked_medicine(question: str) -> str:
    """The one other medicine ``question`` asks about without naming naltrexone or a form of it, else ""."""
    found = mentions(written_out(question))  # "can ntx replace my ssri" names naltrexone
    if any(m.kind == "form" for m in found):  # "the shot", "the pills": naltrexone's own forms
        return ""
    drugs = {m.name for m in found if m.kind == "drug"}
    others = drugs - _ACTS_ON
    return next(iter(others)) if len(others) == 1 and "naltrexone" not in drugs else ""


def sentence_subjects(sentence: Sentence, index: LoadedIndex) -> set[str]:
    """The drugs a sentence is about: the medicines it names, else its section's, else its document title's.

    Opioids and alcohol named in a sentence are what it is about only when nothing else says:
    "The medication is not addictive ... dependent on opioids or alcohol" under "Understanding
    Naltrexone" is about naltrexone.
    """
    named = _drugs(sentence.text)
    if named - _ACTS_ON or "naltrexone" in named:
        return named
    doc = index.documents.get(sentence.doc_id)
    for context in (sentence.section or "", doc.title if doc is not None else ""):
        if found := _drugs(context):
            return found
    return named


def on_subject(question: str, pool: Sequence[Candidate], index: LoadedIndex) -> list[Candidate]:
    """``pool`` without the candidates about other drugs only, when ``question`` asks about one other medicine."""
    asked = asked_medicine(question)
    if not asked:
        return list(pool)
    kept = []
    for c in pool:
        subjects = sentence_subjects(c.sentence, index)
        if not subjects or asked in subjects:
            kept.append(c)
    return kept


__all__ = ["asked_medicine", "on_subject", "sentence_subjects"]
