"""The verdict and the README table of ``bench perf``: targets of issue 7, machine, Markdown.

Kept apart from the measuring code so a saved JSON result can be re-rendered
or re-checked without measuring again.
"""

from __future__ import annotations

import os
from typing import Any

TARGETS = {
    "warm": 1.5,
    "cold": 1.3,
    "build": 1.3,
    "edit": 0.25,
    "growth": 5.0,
    "recall": 0.95,
    "help_s": 1.0,
    "flags_ms": 30.0,  # issue 14: the question-time disagreement check, p50
}


def checks(r: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 7 (and issue 14's flag step) with its measured value and whether it is met."""
    rec = r["scaling"]["recall"]
    rows = [
        ("warm answer p50 / bare query embedding p50", r["warm"]["ratio"], TARGETS["warm"], "max"),
        ("cold one-shot ask / bare load + one embedding", r["cold"]["ratio"], TARGETS["cold"], "max"),
        ("full index build / bare embedding of its texts", r["build"]["ratio"], TARGETS["build"], "max"),
        ("edit-one-document rebuild / full build", r["build"]["edit_share"], TARGETS["edit"], "max"),
        (
            "retrieval p50 growth, smallest to largest corpus",
            r["scaling"]["growth"]["retrieve"],
            TARGETS["growth"],
            "max",
        ),
        ("--help seconds", r["help_s"], TARGETS["help_s"], "max"),
    ]
    if "flags_p50_ms" in r["warm"]:  # results saved before issue 14 lack it
        rows.append(("disagreement flag step p50 (ms)", r["warm"]["flags_p50_ms"], TARGETS["flags_ms"], "max"))
    rows += [
        (f"HNSW recall@10 vs exact ({name} vectors, {v['n']})", v["recall@10"], TARGETS["recall"], "min")
        for name, v in rec.items()
    ]
    return [
        {
            "check": name,
            "value": value,
            "target": target,
            "kind": kind,
            "ok": value <= target if kind == "max" else value >= target,
        }
        for name, value, target, kind in rows
    ]


def machine() -> dict[str, Any]:
    """What the numbers were measured on, including how busy the machine was."""
    import platform

    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    try:
        info["load_avg"] = [round(x, 2) for x in os.getloadavg()]
        with open("/proc/meminfo", encoding="utf-8") as fh:
            info["mem_gib"] = round(int(fh.readline().split()[1]) / 2**20, 1)
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            info["cpu"] = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), "?")
    except (OSError, StopIteration, ValueError):
        pass
    return info


def render_markdown(r: dict[str, Any]) -> str:
    """The README table: each measurement beside its floor, then the targets."""
    w, c, b, s = r["warm"], r["cold"], r["build"], r["scaling"]
    lines = [
        "| measurement | ours | floor | ratio | peak memory (ours / floor) |",
        "|---|---|---|---|---|",
        f"| warm answer p50 (p95) | {w['ask_p50_ms']} ms ({w['ask_p95_ms']} ms) | query embedding "
        f"{w['embed_p50_ms']} ms ({w['embed_p95_ms']} ms) | {w['ratio']}x | {w['peak_mib']} MiB (same process) |",
        f"| cold one-shot `ask` | {c['ask_s']} s | import + load model + embed {c['bare_s']} s | {c['ratio']}x "
        f"| {c['ask_peak_mib']} / {c['bare_peak_mib']} MiB |",
        *(
            [f"| disagreement flag step p50 (p95) | {w['flags_p50_ms']} ms ({w['flags_p95_ms']} ms) | - | - | - |"]
            if "flags_p50_ms" in w
            else []
        ),
        f"| full index build ({b['texts']} texts) | {b['full_s']} s | embedding the same texts {b['bare_embed_s']} s "
        f"| {b['ratio']}x | {b['full_peak_mib']} / {b['bare_peak_mib']} MiB |",
        f"| rebuild after editing `{b['edited']}` | {b['edit_s']} s | full build {b['full_s']} s "
        f"| {b['edit_share']:.0%} | {b['edit_peak_mib']} MiB |",
        "",
        "| synthetic chunks | sentences | dense index | retrieval p50 / p95 ms | answering p50 / p95 ms |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {x['chunks']:,} | {x['sentences']:,} | {x['dense_index']} | {x['retrieve_p50_ms']} / "
        f"{x['retrieve_p95_ms']} | {x['answer_p50_ms']} / {x['answer_p95_ms']} |"
        for x in s["rows"]
    ]
    g = s["growth"]
    lines += [
        "",
        f"Growth from {g['from']:,} to {g['to']:,} chunks: retrieval {g['retrieve']}x, answering {g['answer']}x.",
        "",
        "| target | measured | limit | met |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {k['check']} | {k['value']} | {'<=' if k['kind'] == 'max' else '>='} {k['target']} | "
        f"{'yes' if k['ok'] else 'NO'} |"
        for k in r["checks"]
    ]
    m = r["machine"]
    lines += [
        "",
        f"Machine: {m.get('cpu', '?')}, {m.get('cpus')} CPUs, {m.get('mem_gib', '?')} GiB RAM, "
        f"Python {m.get('python')}, {m.get('platform')}, torch threads {m.get('torch_threads', '?')}; "
        f"load average (1/5/15 min) at start {m.get('load_avg_start')}, at end {m.get('load_avg')}.",
    ]
    return "\n".join(lines)
