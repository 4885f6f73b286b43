"""Training groups for the relevance scorer: a question, the sentences that answer it, and close misses.

Why groups and not pairs: the loss is listwise (the answering sentence against
its hard negatives of the same question), which is what ranking needs. Three
sources, each with the reason it is there:

- the project's own ``evals/train.jsonl`` (questions written from the articles in
  patients' and counsellors' words, never in ``dev`` or ``test``): the negatives
  are the other candidates the pipeline itself puts in front of the reranker, so
  the model learns exactly the choice it will be asked to make;
- SQuAD v1.1 dev (CC BY-SA 4.0): the sentence holding the answer span against the
  other sentences of its paragraph (general answer-sentence selection);
- MedQuAD (CC BY 4.0): a consumer-health question against the openings of the
  answers to other question types about the same focus ("symptoms" vs
  "treatment" of one disease), which is the kind of near miss the bot must avoid.

WikiQA, HealthVer and LiveQA-Med are never read here (they are for measuring).
"""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, NamedTuple, Sequence

from ..errors import DataError
from ..evaluation.items import QAItem
from ..text import norm_text

if TYPE_CHECKING:
    from ..pipeline import QA

SQUAD_FILE = "squad-v1.1/dev-v1.1.json"
MEDQUAD_DIR = "medquad"
# MedQuAD answers open with boilerplate on some sites; such sentences say nothing about the question.
_BOILER = re.compile(
    r"Human Phenotype Ontology|table below|MedlinePlus|These resources|click|http|www\.|GARD|"
    r"This section|Other Names|You can use",
    re.I,
)


class Group(NamedTuple):
    """One question with its answering sentences and sentences that do not answer it."""

    question: str
    positives: tuple[str, ...]
    negatives: tuple[str, ...]
    source: str


norm = norm_text  # case-, curly-quote- and whitespace-insensitive, as the scorer compares key phrases


def _need(path: Path, what: str) -> Path:
    if not path.exists():
        raise DataError(
            f"{path} not found: {what} (give the benchmarks folder with --benchmarks, e.g. ../shared/benchmarks)"
        )
    return path


def _sentences(text: str) -> list[str]:
    from ..ingest.segment import split_sentences

    return [text[a:b] for a, b in split_sentences(text, 0, len(text))]


def squad_groups(benchmarks: Path, rng: random.Random, n: int, max_negs: int) -> list[Group]:
    """Up to ``n`` SQuAD questions: the answer-span sentence against the rest of its paragraph."""
    import json

    path = _need(benchmarks / SQUAD_FILE, "SQuAD v1.1 dev")
    try:
        articles = json.loads(path.read_text(encoding="utf-8"))["data"]
    except (ValueError, KeyError) as exc:
        raise DataError(f"{path}: not the SQuAD v1.1 JSON format ({exc})") from None
    paragraphs = [p for a in articles for p in a["paragraphs"]]
    rng.shuffle(paragraphs)
    groups: list[Group] = []
    for para in paragraphs:
        if len(groups) >= n:
            break
        ctx = para["context"]
        spans, pos = [], 0
        for sent in _sentences(ctx):
            start = ctx.find(sent, pos)
            spans.append((start, start + len(sent)))
            pos = start + len(sent)
        if len(spans) < 3:
            continue
        qa = rng.choice(para["qas"])  # one question per paragraph keeps the paragraphs varied
        starts = {a["answer_start"] for a in qa["answers"]}
        hit = [k for k, (a, b) in enumerate(spans) if any(a <= s < b for s in starts)]
        if len(hit) != 1:
            continue
        negs = [ctx[a:b] for k, (a, b) in enumerate(spans) if k != hit[0]]
        rng.shuffle(negs)
        a, b = spans[hit[0]]
        groups.append(Group(qa["question"].strip(), (ctx[a:b],), tuple(negs[:max_negs]), "squad"))
    return groups


def _medquad_pairs(folder: Path) -> Iterator[tuple[str, str, str, list[str]]]:
    """(focus, question type, question, opening sentences of the answer) for every MedQuAD pair."""
    for path in sorted(folder.glob("*/*.xml")):
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as exc:
            raise DataError(f"{path}: not valid XML ({exc})") from None
        focus = (root.findtext("Focus") or "").strip()
        for pair in root.iter("QAPair"):
            q = pair.find("Question")
            answer = " ".join((pair.findtext("Answer") or "").split())
            if q is None or not focus or not answer:
                continue
            opening = [
                s
                for s in _sentences(answer[:1200])
                if not s.endswith("?") and not _BOILER.search(s) and 6 <= len(s.split()) <= 80
            ][:2]
            if opening:
                yield focus.lower(), q.get("qtype") or "", " ".join((q.text or "").split()), opening


def medquad_groups(benchmarks: Path, rng: random.Random, n: int, max_negs: int) -> list[Group]:
    """Up to ``n`` MedQuAD questions: their answer's opening against other answers about the same focus."""
    folder = _need(benchmarks / MEDQUAD_DIR, "MedQuAD")
    by_focus: dict[str, list[tuple[str, str, list[str]]]] = defaultdict(list)
    for focus, qtype, question, opening in _medquad_pairs(folder):
        by_focus[focus].append((qtype, question, opening))
    foci = sorted(f for f, pairs in by_focus.items() if len({qt for qt, _, _ in pairs}) > 1)
    if not foci:
        raise DataError(f"{folder}: no MedQuAD question-answer pairs found")
    rng.shuffle(foci)
    groups: list[Group] = []
    for focus in foci:
        if len(groups) >= n:
            break
        pairs = by_focus[focus]
        qtype, question, opening = rng.choice(pairs)
        hard = [s for qt, _, op in pairs if qt != qtype for s in op]
        rng.shuffle(hard)
        others = [f for f in foci if f != focus]
        negs = hard[: max_negs // 2 if others else max_negs]
        while others and len(negs) < max_negs:  # the rest from other foci, so easy negatives are seen too
            other = by_focus[rng.choice(others)]
            negs.append(rng.choice(rng.choice(other)[2]))
        groups.append(Group(question, (rng.choice(opening),), tuple(negs), "medquad"))
    return groups


def corpus_groups(qa: QA, items: Sequence[QAItem], max_negs: int, extra_queries: dict[str, str]) -> list[Group]:
    """Groups from the project's own training questions, negatives from the pipeline's candidate pool.

    The question is the text the reranker reads at answer time (the follow-up
    resolved against its history); ``extra_queries`` adds the writer's own
    stand-alone rewording of a follow-up as a second group. Hard negatives are
    the best-ranked wrong candidates; a sentence of a gold article that holds a
    key phrase but was not in the pool still counts as a positive.
    """
    from ..answer.conversation import resolve

    golds: dict[str, list[str]] = defaultdict(list)
    for s in qa.sentences:
        if s.answerable:
            golds[s.doc_id].append(s.text)
    groups: list[Group] = []
    for it in items:
        if not it.answerable:
            continue
        q = qa.clean(it.question)
        texts = [qa.query(q, resolve(q, list(it.history))).text]
        if extra_queries.get(it.id) and norm(extra_queries[it.id]) != norm(texts[0]):
            texts.append(extra_queries[it.id])
        for text in texts:
            res = resolve(text, [])
            sel = qa.select(qa.query(text, res), decide=False)
            negs = [c.sentence.text for c in sel.pool if not it.answered_by(c.sentence.doc_id, c.sentence.text)]
            pos = [s for d in it.gold_sources for s in golds.get(d, []) if it.answered_by(d, s)]
            if pos and negs:
                groups.append(Group(text, tuple(dict.fromkeys(pos)), tuple(negs[: max_negs * 3]), "corpus"))
    return groups
