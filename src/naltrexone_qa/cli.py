"""The ``naltrexone-qa`` command line: a thin layer over ``QA``.

Heavy imports (torch, faiss) happen inside commands, so ``--help`` and
argument errors answer at once. Every error a user can cause ends in a message
and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any, Callable, Optional

import click

from .cli_options import common_options
from .errors import QAError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
log = logging.getLogger("naltrexone_qa")


def fail(message: str, code: int = 1) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def run_guarded(fn: Callable[[], Any]) -> Any:
    """Turn our errors and Ctrl-C into a message and an exit code."""
    try:
        return fn()
    except QAError as exc:
        fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except OSError as exc:
        fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), 1)


def progress_bar() -> Callable[[str, int, int], None]:
    """A tqdm bar per build phase, on stderr."""
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def update(phase: str, done: int, total: int) -> None:
        bar = bars.get(phase)
        if bar is None:
            bar = bars[phase] = tqdm(total=total, desc=phase, unit="text" if phase == "embedding" else "step",
                                     file=sys.stderr, leave=True)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def load_qa(corpus_dir: Optional[str], index_dir: Optional[str], model: Optional[str], mode: str = "hybrid",
            fusion: str = "rrf", rebuild: bool = False, progress: bool = False):  # type: ignore[no-untyped-def]
    from .pipeline import QA

    return QA.load(corpus_dir, index_dir, model, mode=mode, fusion=fusion, rebuild=rebuild,
                   progress=progress_bar() if progress else None)


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="naltrexone-qa")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug) to stderr.")
def cli(verbose: int) -> None:
    """Answers about naltrexone, quoted word for word from source articles, with citations.

    Not medical advice: it only quotes the articles in its corpus.
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@cli.command()
@common_options
@click.option("--force", is_flag=True, help="Rebuild even if the index is up to date.")
def index(corpus_dir: Optional[str], index_dir: Optional[str], model: Optional[str], force: bool) -> None:
    """Build the index (BM25 + dense vectors + conflict map) for the corpus."""

    def go() -> None:
        qa = load_qa(corpus_dir, index_dir, model, rebuild=force, progress=True)
        counts = qa.index.manifest["counts"]
        verb = "built" if qa.built else "up to date"
        click.echo(f"Index {verb}: {qa.index.folder} ({counts['documents']} documents, "
                   f"{counts['sentences']} sentences, {counts['chunks']} chunks, {counts['conflicts']} conflicts)")

    run_guarded(go)


@cli.command()
@click.argument("question", required=False)
@common_options
@click.option("--mode", type=click.Choice(["hybrid", "bm25", "dense"]), default="hybrid", show_default=True,
              help="Retrieval: both ranked lists fused, or one alone (for comparisons).")
@click.option("--fusion", type=click.Choice(["rrf", "weighted"]), default="rrf", show_default=True,
              help="How hybrid mode fuses: reciprocal rank fusion or weighted normalised scores.")
@click.option("--history", multiple=True, help="An earlier user turn, for follow-ups (repeatable, oldest first).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per answer.")
def ask(question: Optional[str], corpus_dir: Optional[str], index_dir: Optional[str], model: Optional[str],
        mode: str, fusion: str, history: tuple[str, ...], as_json: bool) -> None:
    """Answer QUESTION; with --json and QUESTION '-', read JSON lines from stdin."""
    from .pipeline import clean_question
    from .errors import UsageError

    batch = question == "-"
    if batch and not as_json:
        fail("reading questions from stdin needs --json", 2)
    if not batch:
        run_guarded(lambda: clean_question(question or ""))

    def go() -> None:
        qa = load_qa(corpus_dir, index_dir, model, mode=mode, fusion=fusion)
        if not batch:
            emit(qa.ask(question or "", history=list(history)), as_json)
            return
        bad = 0
        for lineno, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                    raise UsageError('each line must be an object with a "question" string')
                hist = item.get("history") or []
                if not isinstance(hist, list) or not all(isinstance(h, str) for h in hist):
                    raise UsageError('"history" must be a list of strings')
                ans = qa.ask(item["question"], history=hist)
                out = ans.to_dict()
                if "id" in item:
                    out["id"] = item["id"]
                click.echo(json.dumps(out, ensure_ascii=False))
            except (json.JSONDecodeError, UsageError) as exc:
                bad += 1
                click.echo(json.dumps({"line": lineno, "error": str(exc)}), err=False)
                click.echo(f"Error: line {lineno}: {exc}", err=True)
        if bad:
            sys.exit(2)

    run_guarded(go)


def emit(ans: Any, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(ans.to_dict(), ensure_ascii=False))
    else:
        from .rendering import render_answer

        render_answer(ans)


@cli.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print {\"conflicts\": [...]} as JSON.")
def conflicts(corpus_dir: Optional[str], index_dir: Optional[str], model: Optional[str], as_json: bool) -> None:
    """List where the sources disagree, grouped by topic, both sides quoted."""

    def go() -> None:
        from .conflict_map import group_by_topic
        from .rendering import conflicts_text

        qa = load_qa(corpus_dir, index_dir, model)
        found = qa.conflicts()
        if as_json:
            click.echo(json.dumps({"conflicts": [c.to_dict() for c in found]}, ensure_ascii=False))
        else:
            click.echo(conflicts_text(group_by_topic(found)))

    run_guarded(go)


@cli.command()
@common_options
@click.option("--questions", default="evals/calibration.jsonl", show_default=True, type=click.Path(dir_okay=False),
              help='JSON lines with "question" and "answerable".')
@click.option("--write/--no-write", default=False, help="Save the fitted coefficients into the package.")
def calibrate(corpus_dir: Optional[str], index_dir: Optional[str], model: Optional[str], questions: str,
              write: bool) -> None:
    """Fit the abstention threshold on covered and uncovered questions."""
    from pathlib import Path

    def go() -> None:
        from . import calibration

        path = Path(questions)
        if not path.is_file():
            fail(f"{path} not found", 2)
        record = calibration.fit(load_qa(corpus_dir, index_dir, model), path)
        click.echo(json.dumps(record, indent=2))
        if write:
            click.echo(f"written to {calibration.save(record)}")

    run_guarded(go)


# Front ends live in their own modules; each imports only click at module level.
from .cli_chat import chat  # noqa: E402
from .cli_eval import bench, eval_cmd  # noqa: E402
from .cli_slack import slack  # noqa: E402
from .detector_train import conflicts_train  # noqa: E402
from .pair_eval import conflicts_eval  # noqa: E402

for _command in (chat, slack, eval_cmd, bench, conflicts_eval, conflicts_train):
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="naltrexone-qa")
