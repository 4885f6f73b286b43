"""``bench liveqa``: TREC 2017 LiveQA-Med consumer questions against MedQuAD answers (measure only).

The 104 test questions (the original message, and the NLM summary as a second
form) are searched over the MedQuAD answers: the 2,479 judged ones (text from
the judged-answers CSV) plus every answer in ``medquad/``, each indexed as
"question + answer" the way MedQuAD pairs them. Graded judgments (Excellent 3,
Incomplete 2, Related 1, Incorrect 0) give nDCG@10; P@5 counts Related or
better (the paper's "Prec@2+" threshold); unjudged answers count as not
relevant, and the share of unjudged answers in each top 10 is reported, since
the judgment pool came from other systems.
"""

from __future__ import annotations

import csv
import re
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import numpy as np

from ..errors import DataError
from .ir_metrics import ndcg_at_k

# Published on these questions (average score of the first answer, 0-3): Ben Abacha & Demner-Fushman,
# AMIA Jt Summits 2019 (PMC6568117): 0.711 with the original questions, 1.125 with their summaries; the
# BMC Bioinformatics 2019 paper (doi 10.1186/s12859-019-3119-4) reports its IR+RQE system 29.8% above the
# best official TREC 2017 LiveQA-Med score. Neither reports nDCG@10 or P@5.
PUBLISHED = {"original": {"avg_score": 0.711}, "summary": {"avg_score": 1.125}}

GRADES = {"4-Excellent": 3, "3-Incomplete": 2, "2-Related": 1, "1-Incorrect": 0}
QUESTIONS = "liveqa-med/TREC-2017-LiveQA-Medical-Test-Questions-w-summaries.xml"
QRELS = "liveqa-med/All-qrels_LiveQAMed2017-TestQuestions_2479_Judged-Answers.txt"
ANSWERS = "liveqa-med/All-2479-Answers-retrieved-from-MedQuAD.csv"
SOURCES = {
    "1_CancerGov_QA": "CancerGov",
    "2_GARD_QA": "GARD",
    "3_GHR_QA": "GHR",
    "4_MPlus_Health_Topics_QA": "MPlusHealthTopics",
    "5_NIDDK_QA": "NIDDK",
    "6_NINDS_QA": "NINDS",
    "7_SeniorHealth_QA": "NIHSeniorHealth",
    "8_NHLBI_QA_XML": "NHLBI",
    "9_CDC_QA": "CDC",
}


@dataclass
class LiveQA:
    questions: dict[str, dict[str, str]]  # qid -> {"original": ..., "summary": ...}
    qrels: dict[str, dict[str, int]]
    doc_ids: list[str]
    doc_texts: list[str]


def _medquad(folder: Path) -> Iterator[tuple[str, str]]:
    """(answer id in the qrels' scheme, "question answer" text) for every MedQuAD answer, file by file."""
    for sub, prefix in SOURCES.items():
        for path in sorted((folder / sub).glob("*.xml")):
            try:
                root = ET.parse(path).getroot()
            except ET.ParseError as exc:
                raise DataError(f"{path}: not valid XML ({exc})") from None
            number = path.stem.split("_")[0]
            for pair in root.iter("QAPair"):
                q, a = pair.findtext("Question") or "", pair.findtext("Answer") or ""
                if a.strip():
                    yield f"{prefix}_{number}_Sec{pair.get('pid')}.txt", f"{q.strip()} {' '.join(a.split())}"


def load_liveqa(root: Path) -> LiveQA:
    """Questions, graded judgments and the answer collection from a ``benchmarks`` folder."""
    root = Path(root)
    for rel in (QUESTIONS, QRELS, ANSWERS):
        if not (root / rel).is_file():
            raise DataError(f"{root / rel} not found (give the benchmarks folder holding liveqa-med/ and medquad/)")
    questions: dict[str, dict[str, str]] = {}
    for q in ET.parse(root / QUESTIONS).getroot().iter("NLM-QUESTION"):
        qid = (q.get("qid") or "").removeprefix("TQ")
        msg = " ".join(filter(None, [q.findtext("Original-Question/SUBJECT"), q.findtext("Original-Question/MESSAGE")]))
        questions[qid] = {
            "original": " ".join(msg.split()),
            "summary": " ".join((q.findtext("NLM-Summary") or "").split()),
        }
    qrels: dict[str, dict[str, int]] = {}
    for n, line in enumerate((root / QRELS).read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split()
        if len(parts) != 3 or parts[1] not in GRADES:
            raise DataError(f"{root / QRELS}:{n}: expected 'question judgment answer_id'")
        qrels.setdefault(parts[0], {})[parts[2]] = GRADES[parts[1]]
    texts: dict[str, str] = {}
    csv.field_size_limit(sys.maxsize)
    with (root / ANSWERS).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            body = re.sub(r"^Question:\s*|\nURL:[^\n]*\n|Answer:\s*", " ", row["Answer"])
            texts[row["AnswerID"]] = " ".join(body.split())
    if (root / "medquad").is_dir():
        for aid, text in _medquad(root / "medquad"):
            texts.setdefault(aid, text)
    ids = sorted(texts)
    return LiveQA(questions, qrels, ids, [texts[i] for i in ids])


def metrics(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """nDCG@10 (graded), P@5 (Related or better), the unjudged share of each top 10, over judged questions.

    Also TREC LiveQA's "average score": the 0-3 grade of the first answer, averaged over the
    questions (an unjudged first answer scores 0, so this is a lower bound), the measure the
    MedQuAD papers report.
    """
    nd, p5, unj, top = [], [], [], []
    for qid, judged in qrels.items():
        ranked = run.get(qid, [])
        value = ndcg_at_k(ranked, judged, 10)
        if value is None:
            continue
        nd.append(value)
        p5.append(sum(judged.get(d, 0) >= 1 for d in ranked[:5]) / 5)
        unj.append(sum(d not in judged for d in ranked[:10]) / 10)
        top.append(judged.get(ranked[0], 0) if ranked else 0)
    return {
        "ndcg@10": round(float(np.mean(nd)), 4),
        "p@5": round(float(np.mean(p5)), 4),
        "unjudged@10": round(float(np.mean(unj)), 4),
        "avg_score": round(float(np.mean(top)), 4),
        "questions": len(nd),
    }


def run_liveqa(
    data: LiveQA,
    rankers: dict[str, Callable[[list[str]], list[list[int]]]],
    form: str = "original",
    say: Optional[Callable[[str], None]] = None,
) -> dict[str, Any]:
    """Each ranker maps the questions (one form) to ranked document indices; scored against the judgments."""
    qids = sorted((q for q in data.questions if q in data.qrels), key=int)
    texts = [data.questions[q][form] or data.questions[q]["original"] for q in qids]
    out: dict[str, Any] = {}
    for name, rank in rankers.items():
        t = time.perf_counter()
        ranked = rank(texts)
        run = {q: [data.doc_ids[i] for i in r[:10]] for q, r in zip(qids, ranked, strict=True)}
        out[name] = {**metrics(run, data.qrels), "seconds": round(time.perf_counter() - t, 1)}
        if say:
            say(f"  {form} / {name}: nDCG@10 {out[name]['ndcg@10']}, avg score {out[name]['avg_score']}")
    out["published (AMIA 2019, avg score)"] = PUBLISHED[form]
    return out
