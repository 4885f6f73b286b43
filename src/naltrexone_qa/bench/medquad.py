"""MedQuAD answers as a corpus folder, and the LiveQA-Med questions, for ``bench scale``.

Why these: about 16k consumer-health answers from NIH sites (CC BY 4.0) make a
corpus two orders of magnitude beyond the five articles, with real medical
vocabulary and real lengths, and LiveQA-Med's 104 questions are real consumer
questions about such topics. The data stays where it is (``../shared``); the
corpus folder is written under a work folder the caller names.
"""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterator

from ..errors import DataError


def medquad_answers(folder: Path) -> Iterator[tuple[str, str, str]]:
    """(doc_id, question as title, answer text) for every non-empty MedQuAD answer, in file order."""
    files = sorted(Path(folder).glob("*/*.xml"))
    if not files:
        raise DataError(f"no MedQuAD XML files under {folder}")
    for path in files:
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as exc:
            raise DataError(f"{path}: {exc}") from exc
        for pair in root.iter("QAPair"):
            question = " ".join((pair.findtext("Question") or "").split())
            answer = (pair.findtext("Answer") or "").strip()
            asked = pair.find("Question")
            qid = (asked.get("qid") if asked is not None else None) or pair.get("pid")
            if answer and qid:
                yield f"{path.parent.name.split('_')[0]}-{qid}", question or str(qid), answer + "\n"


def write_corpus(answers: list[tuple[str, str, str]], folder: Path) -> Path:
    """A corpus folder (one .txt per answer, titles in metadata.json) the pipeline reads like any other."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, _, text in answers:
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    meta = {doc_id: {"title": title} for doc_id, title, _ in answers}
    (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def sample(answers: list[tuple[str, str, str]], fraction: float, seed: int = 0) -> list[tuple[str, str, str]]:
    """A fixed random share of the answers; smaller shares are subsets of larger ones."""
    order = list(range(len(answers)))
    random.Random(seed).shuffle(order)
    keep = sorted(order[: max(1, round(fraction * len(answers)))])
    return [answers[i] for i in keep]


def liveqa_questions(folder: Path) -> list[str]:
    """The 104 LiveQA-Med test questions (NIST's paraphrase, else the original message)."""
    path = Path(folder) / "TREC-2017-LiveQA-Medical-Test-Questions-w-summaries.xml"
    if not path.is_file():
        raise DataError(f"LiveQA-Med questions not found at {path}")
    out = []
    for q in ET.parse(path).getroot().iter("NLM-QUESTION"):
        text = q.findtext("NIST-PARAPHRASE") or q.findtext("Original-Question/MESSAGE") or ""
        if text.strip():
            out.append(" ".join(text.split()))
    return out
