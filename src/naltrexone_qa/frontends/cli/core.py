"""``index``, ``ask`` and ``conflicts``: build the index, answer questions, list disagreements."""

from __future__ import annotations

import json
import sys
from typing import Any, Optional

import click

from .common import common_options, fail, fusion_option, load_qa, make_settings, mode_option, run_guarded


@click.command()
@common_options
@click.option("--force", is_flag=True, help="Rebuild even if the index is up to date.")
def index(force: bool, **options: Any) -> None:
    """Build the index (BM25 + dense vectors + conflict map) for the corpus."""

    def go() -> None:
        # Only the index is needed: the models load only if a build embeds something.
        qa = load_qa(make_settings(**options), rebuild=force, progress=True, warm=False)
        counts = qa.index.manifest["counts"]
        verb = "built" if qa.built else "up to date"
        click.echo(
            f"Index {verb}: {qa.index.folder} ({counts['documents']} documents, "
            f"{counts['sentences']} sentences, {counts['chunks']} chunks, {counts['conflicts']} conflicts)"
        )

    run_guarded(go)


@click.command()
@click.argument("question", required=False)
@common_options
@mode_option
@fusion_option
@click.option("--history", multiple=True, help="An earlier user turn, for follow-ups (repeatable, oldest first).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per answer.")
def ask(question: Optional[str], history: tuple[str, ...], as_json: bool, **options: Any) -> None:
    """Answer QUESTION; with --json and QUESTION '-', read JSON lines from stdin."""
    from ...pipeline import clean_question

    batch = question == "-"
    if batch and not as_json:
        fail("reading questions from stdin needs --json", 2)
    if not batch:
        run_guarded(lambda: clean_question(question or ""))

    def go() -> None:
        qa = load_qa(make_settings(**options))
        if not batch:
            emit(qa.ask(question or "", history=list(history)), as_json)
            return
        if ask_batch(qa, sys.stdin):
            sys.exit(2)

    run_guarded(go)


def ask_batch(qa: Any, lines: Any) -> int:
    """Answer each JSON line of ``lines``; a bad line gets an error object (stdout) and a message (stderr).

    Returns the number of bad lines, so the caller exits non-zero but loses no good answer.
    """
    from ...errors import UsageError
    from ...jsonl import decode_line
    from ...render.json_out import answer_json

    bad = 0
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = decode_line(line, f"line {lineno}")
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                raise UsageError(f'line {lineno}: each line must be an object with a "question" string')
            hist = item.get("history") or []
            if not isinstance(hist, list) or not all(isinstance(h, str) for h in hist):
                raise UsageError(f'line {lineno}: "history" must be a list of strings')
            extra = {"id": item["id"]} if "id" in item else {}
            click.echo(answer_json(qa.ask(item["question"], history=hist), **extra))
        except UsageError as exc:
            bad += 1
            message = str(exc) if str(exc).startswith(f"line {lineno}") else f"line {lineno}: {exc}"
            click.echo(json.dumps({"line": lineno, "error": message}))
            click.echo(f"Error: {message}", err=True)
    return bad


def emit(ans: Any, as_json: bool) -> None:
    if as_json:
        from ...render.json_out import answer_json

        click.echo(answer_json(ans))
    else:
        from ...render.text import render_answer

        render_answer(ans)


@click.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help='Print {"conflicts": [...]} as JSON.')
def conflicts(as_json: bool, **options: Any) -> None:
    """List where the sources disagree: one entry per disagreement, every sentence of each side quoted."""

    def go() -> None:
        from ...disagree.conflict_map import group_by_topic
        from ...render.text import conflicts_lines, write_lines

        qa = load_qa(make_settings(**options))
        found = qa.conflicts()
        if as_json:
            click.echo(json.dumps({"conflicts": [c.to_dict() for c in found]}, ensure_ascii=False))
        else:
            write_lines(conflicts_lines(group_by_topic(found)))

    run_guarded(go)


COMMANDS = [index, ask, conflicts]
