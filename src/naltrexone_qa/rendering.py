"""Human-readable answers for terminals and plain text.

Only two kinds of words reach the reader: quotes from the corpus and the fixed
phrases below. Rich styles them on a terminal; with ``NO_COLOR`` set or when
output is not a terminal the same text is printed plain.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Optional

from .models import Answer, Citation, Conflict, Sentence

DISAGREE_HEADING = "Sources disagree"
SOURCES_HEADING = "Sources"


def use_color(stream: IO[str]) -> bool:
    return not os.environ.get("NO_COLOR") and hasattr(stream, "isatty") and stream.isatty()


def cite_label(c: Citation) -> str:
    where = f"{c.title} \u00a7 {c.section}" if c.section else c.title
    return f"{where} ({c.doc_id}, chars {c.start}-{c.end})"


def conflict_lines(conf: Conflict) -> list[str]:
    def side(c: Citation) -> str:
        mark = f"[{c.n}] " if c.n else ""
        return f'  {mark}"{c.text}" \u2014 {cite_label(c)}'

    return [f"- {conf.topic}: {conf.explanation}", side(conf.a), side(conf.b)]


def answer_text(ans: Answer) -> str:
    """The whole answer as plain text, in reading order."""
    lines: list[str] = []
    if ans.urgent:
        lines += [f"URGENT: {ans.urgent}", ""]
    if ans.resolved_question and ans.resolved_question != ans.question:
        lines += [f"(searched: {ans.resolved_question})", ""]
    if ans.abstained:
        lines.append(ans.answer)
    else:
        for s in ans.sentences:
            lines.append(f'"{s.text}" [{s.citation}]')
        lines += ["", f"{SOURCES_HEADING}:"]
        lines += [f"[{c.n}] {cite_label(c)}" for c in ans.citations]
    if ans.contradictions:
        lines += ["", f"{DISAGREE_HEADING}:"]
        for conf in ans.contradictions:
            lines += conflict_lines(conf)
    if ans.notice:
        lines += ["", ans.notice]
    return "\n".join(lines)


def render_answer(ans: Answer, stream: Optional[IO[str]] = None) -> None:
    """Print an answer: styled on a colour terminal, plain otherwise."""
    stream = stream or sys.stdout
    if not use_color(stream):
        stream.write(answer_text(ans) + "\n")
        return
    from rich.console import Console
    from rich.text import Text

    con = Console(file=stream, highlight=False)
    if ans.urgent:
        con.print(Text(f"URGENT: {ans.urgent}", style="bold red"))
        con.print()
    if ans.resolved_question and ans.resolved_question != ans.question:
        con.print(Text(f"searched: {ans.resolved_question}", style="dim"))
    if ans.abstained:
        con.print(Text(ans.answer, style="yellow"))
    else:
        for s in ans.sentences:
            t = Text()
            t.append(f"\u201c{s.text}\u201d ")
            t.append(f"[{s.citation}]", style="bold cyan")
            con.print(t)
        con.print(Text(f"\n{SOURCES_HEADING}", style="bold"))
        for c in ans.citations:
            t = Text()
            t.append(f"[{c.n}] ", style="bold cyan")
            t.append(cite_label(c), style="dim")
            con.print(t)
    if ans.contradictions:
        con.print(Text(f"\n{DISAGREE_HEADING}", style="bold magenta"))
        for conf in ans.contradictions:
            for i, line in enumerate(conflict_lines(conf)):
                con.print(Text(line, style="magenta" if i == 0 else ""))
    if ans.notice:
        con.print(Text(f"\n{ans.notice}", style="dim italic"))


def conflicts_text(groups: dict[str, list[Conflict]]) -> str:
    """The corpus's disagreements grouped by topic, both quotes cited."""
    if not groups:
        return "No disagreements between sources were found in this corpus."
    lines: list[str] = []
    for topic, confs in groups.items():
        lines.append(f"{topic}")
        for conf in confs:
            lines.append(f"  - {conf.kind} ({conf.severity}, score {conf.score:.2f}): {conf.explanation}")
            for c in (conf.a, conf.b):
                lines.append(f'      "{c.text}" \u2014 {cite_label(c)}')
        lines.append("")
    return "\n".join(lines).rstrip()


def context_span(c: Citation, sentences: list[Sentence], around: int = 2) -> tuple[int, int]:
    """Character range of the quote plus up to ``around`` sentences each side, same section."""
    if c.sentence_id is None or not 0 <= c.sentence_id < len(sentences):
        return c.start, c.end
    i = c.sentence_id
    lo = hi = i
    while lo > 0 and i - lo < around and _same_place(sentences[lo - 1], sentences[i]):
        lo -= 1
    while hi + 1 < len(sentences) and hi - i < around and _same_place(sentences[hi + 1], sentences[i]):
        hi += 1
    return min(sentences[lo].start, c.start), max(sentences[hi].end, c.end)


def _same_place(a: Sentence, b: Sentence) -> bool:
    return a.doc_id == b.doc_id and a.section == b.section


def source_parts(c: Citation, doc_text: str, span: tuple[int, int]) -> tuple[str, str, str]:
    """(before, quote, after): the passage split around the quote, exactly as stored."""
    lo, hi = span
    return doc_text[lo:c.start].lstrip(), doc_text[c.start:c.end], doc_text[c.end:hi].rstrip()


def source_text(c: Citation, doc_text: str, span: tuple[int, int]) -> str:
    """A cited passage as plain text, the quote marked with >> <<."""
    before, quote, after = source_parts(c, doc_text, span)
    return f"[{c.n}] {cite_label(c)}\n\n{before}>>{quote}<<{after}"


def render_source(c: Citation, doc_text: str, span: tuple[int, int], stream: Optional[IO[str]] = None) -> None:
    """Print a cited passage with its neighbours; the quote highlighted on a colour terminal."""
    stream = stream or sys.stdout
    if not use_color(stream):
        stream.write(source_text(c, doc_text, span) + "\n")
        return
    from rich.console import Console
    from rich.text import Text

    con = Console(file=stream, highlight=False)
    head = Text()
    head.append(f"[{c.n}] ", style="bold cyan")
    head.append(cite_label(c), style="dim")
    con.print(head)
    con.print()
    before, quote, after = source_parts(c, doc_text, span)
    body = Text(before, style="dim")
    body.append(quote, style="bold yellow")
    body.append(after, style="dim")
    con.print(body)
