"""``bench perf``: what the bot costs next to the model work it cannot avoid.

Every figure is paired with its floor, measured in the same run: a warm answer
against embedding the question with the same model; a one-shot ``ask`` process
against a bare process that imports sentence-transformers, loads the model and
embeds one query; a full index build against embedding the same texts. Each
measurement runs in a fresh interpreter so its peak memory (``ru_maxrss`` from
``wait4``) is its own and no cache of one warms another.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional, Sequence

from ..jsonl import read_jsonl

log = logging.getLogger(__name__)

FALLBACK_QUESTIONS = (
    "Can naltrexone help with anxiety?",
    "Is it safe to take naltrexone with gabapentin?",
    "How does naltrexone treat opioid addiction?",
    "What are the side effects of naltrexone?",
    "Can I take naltrexone with benzodiazepines?",
    "Does low-dose naltrexone work for anxiety?",
)
WORKER = "import sys; from naltrexone_qa.bench.workers import worker_main; worker_main(sys.argv[1], sys.argv[2])"
BARE = """import sys, time
t0 = time.perf_counter()
from sentence_transformers import SentenceTransformer
model = SentenceTransformer(sys.argv[1], device="cpu")
model.encode([sys.argv[2]], convert_to_numpy=True, normalize_embeddings=True)
print(time.perf_counter() - t0)
"""
EDIT_LINE = "\nThis sentence was added to measure re-indexing after an edit.\n"


def load_questions(path: Optional[Path]) -> list[str]:
    """Questions of the evaluation file, or a built-in list when it is absent or empty."""
    questions: list[str] = []
    if path is not None and path.is_file():
        for _, item in read_jsonl(path):
            if isinstance(item.get("question"), str) and not item.get("history"):
                questions.append(item["question"])
    return questions or list(FALLBACK_QUESTIONS)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))])


def ratio(value: float, floor: float) -> float:
    return round(value / floor, 3) if floor > 0 else float("inf")


def timed_process(
    cmd: list[str], env: Optional[dict[str, str]] = None, cwd: Optional[Path] = None, timeout: float = 3600
) -> dict[str, Any]:
    """Run a command; wall seconds, peak RSS (MiB, from wait4), exit code and stdout."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env, cwd=cwd)
        try:
            out = proc.stdout.read() if proc.stdout else b""
        finally:
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])}... exited {proc.returncode}: {stderr[-2000:]}")
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return {"wall_s": wall, "peak_mib": round(peak, 1), "stdout": out.decode("utf-8", "replace")}


def run_worker(task: str, args: dict[str, Any], env: Optional[dict[str, str]] = None) -> dict[str, Any]:
    """One measurement in a fresh interpreter; its JSON result plus its peak memory."""
    res = timed_process([sys.executable, "-c", WORKER, task, json.dumps(args)], env=env)
    out = json.loads(res["stdout"].strip().splitlines()[-1])
    out["peak_mib"] = res["peak_mib"]
    return out


def cold_commands(corpus: str, index: str, question: str) -> tuple[list[str], list[str]]:
    """The one-shot ``ask`` and the bare model process it is compared with."""
    from ..embed.sentence_transformers import resolve_model_path

    script = Path(sys.executable).with_name("naltrexone-qa")
    ask = [str(script)] if script.exists() else [sys.executable, "-m", "naltrexone_qa"]
    ask += ["ask", question, "--corpus", corpus, "--index", index]
    bare = [sys.executable, "-c", BARE, resolve_model_path("all-MiniLM-L6-v2"), question]
    return ask, bare


def measure_cold(corpus: str, index: str, question: str, repeats: int, env: dict[str, str]) -> dict[str, Any]:
    """Median wall time of each, alternating so background load hits both alike."""
    ask_cmd, bare_cmd = cold_commands(corpus, index, question)
    asks, bares = [], []
    for _ in range(repeats):
        bares.append(timed_process(bare_cmd, env=env))
        asks.append(timed_process(ask_cmd, env=env))
    ask_s = statistics.median(r["wall_s"] for r in asks)
    bare_s = statistics.median(r["wall_s"] for r in bares)
    return {
        "ask_s": round(ask_s, 3),
        "bare_s": round(bare_s, 3),
        "ratio": ratio(ask_s, bare_s),
        "ask_peak_mib": max(r["peak_mib"] for r in asks),
        "bare_peak_mib": max(r["peak_mib"] for r in bares),
        "ask_runs_s": [round(r["wall_s"], 3) for r in asks],
        "bare_runs_s": [round(r["wall_s"], 3) for r in bares],
    }


def measure_help(env: dict[str, str]) -> float:
    """Best of three ``naltrexone-qa --help`` runs (the best is the import cost, not the noise)."""
    script = Path(sys.executable).with_name("naltrexone-qa")
    cmd = [str(script), "--help"] if script.exists() else [sys.executable, "-m", "naltrexone_qa", "--help"]
    return min(timed_process(cmd, env=env)["wall_s"] for _ in range(3))


def measure_build(corpus: str, env: dict[str, str]) -> dict[str, Any]:
    """Full build, bare embedding of the same texts, and a rebuild after editing one document."""
    work = Path(tempfile.mkdtemp(prefix="naltrexone-perf-"))
    try:
        shutil.copytree(corpus, work / "corpus")
        wc, wi = str(work / "corpus"), str(work / "index")
        bare = run_worker("embed", {"corpus": wc}, env)
        full = run_worker("build", {"corpus": wc, "index": wi}, env)
        edited = edit_one_document(work / "corpus")
        edit = run_worker("build", {"corpus": wc, "index": wi}, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "texts": bare["texts"],
        "bare_embed_s": round(bare["seconds"], 3),
        "bare_peak_mib": bare["peak_mib"],
        "full_s": round(full["seconds"], 3),
        "full_peak_mib": full["peak_mib"],
        "ratio": ratio(full["seconds"], bare["seconds"]),
        "edited": edited,
        "edit_s": round(edit["seconds"], 3),
        "edit_peak_mib": edit["peak_mib"],
        "edit_share": ratio(edit["seconds"], full["seconds"]),
    }


def edit_one_document(corpus: Path) -> str:
    """Append a sentence to the median-sized article (neither the cheapest nor the dearest case)."""
    files = sorted((p for p in corpus.iterdir() if p.suffix in (".txt", ".md")), key=lambda p: p.stat().st_size)
    target = files[len(files) // 2]
    with open(target, "a", encoding="utf-8") as fh:
        fh.write(EDIT_LINE)
    return target.name


def run_perf(
    corpus: str,
    index: str,
    qa_file: Optional[Path],
    sizes: Sequence[int] = (1000, 10000, 100000),
    repeats: int = 3,
    random_recall: bool = False,
    progress: Any = None,
) -> dict[str, Any]:
    """Every measurement of ``bench perf`` in one run, with ratios and pass/fail per target."""
    from .perf_report import checks, machine

    say = progress or (lambda msg: log.info(msg))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    questions = load_questions(qa_file)
    load_start = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    say(f"warm answers over {len(questions)} questions (builds the index first if needed)")
    warm = run_worker("warm", {"corpus": corpus, "index": index, "questions": questions}, env)
    ask_p50, emb_p50 = statistics.median(warm["ask_ms"]), statistics.median(warm["embed_ms"])
    say(f"cold one-shot ask vs bare model process, {repeats} rounds")
    cold = measure_cold(corpus, index, questions[0], repeats, env)
    say("full build, bare embedding of the same texts, and edit-one-document rebuild")
    build = measure_build(corpus, env)
    say(f"scaling on synthetic corpora of {', '.join(map(str, sizes))} chunks")
    scaling = run_worker(
        "scaling",
        {
            "corpus": corpus,
            "index": index,
            "questions": questions,
            "sizes": list(sizes),
            "random_recall": random_recall,
        },
        env,
    )
    help_s = measure_help(env)
    result = {
        "machine": {**machine(), "load_avg_start": load_start, "torch_threads": warm["torch_threads"]},
        "warm": {
            "questions": len(questions),
            "ask_p50_ms": round(ask_p50, 2),
            "ask_p95_ms": round(percentile(warm["ask_ms"], 0.95), 2),
            "embed_p50_ms": round(emb_p50, 2),
            "embed_p95_ms": round(percentile(warm["embed_ms"], 0.95), 2),
            "ratio": ratio(ask_p50, emb_p50),
            # The question-time disagreement check alone (target: 30 ms p50).
            "flags_p50_ms": round(statistics.median(warm["flags_ms"]), 3),
            "flags_p95_ms": round(percentile(warm["flags_ms"], 0.95), 3),
            "peak_mib": warm["peak_mib"],
            "index_built": warm["built"],
        },
        "cold": cold,
        "build": build,
        "scaling": scaling,
        "help_s": round(help_s, 3),
    }
    result["checks"] = checks(result)
    return result
