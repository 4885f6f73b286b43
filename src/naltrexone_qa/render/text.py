"""Answers, sources and the conflict map as terminal text.

Only two kinds of words reach the reader: quotes from the corpus and fixed
phrases of ours. Each view is built once as styled lines; Rich prints them with
their styles on a colour terminal, and the same lines are written plain when
``NO_COLOR`` is set or the output is not a terminal, so the two can never say
different things.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from typing import IO, Optional, Sequence

from ..types import Answer, Citation, Conflict, Document, Sentence

DISAGREE_HEADING = "Sources disagree"
SOURCES_HEADING = "Sources"

# A line is a list of (text, style) runs; style "" is plain.
Run = tuple[str, str]
Line = list[Run]


def use_color(stream: IO[str]) -> bool:
    return not os.environ.get("NO_COLOR") and hasattr(stream, "isatty") and stream.isatty()


def cite_label(c: Citation) -> str:
    """``title § section (doc_id, p. N, chars a-b) URL``: page and URL only when the source has them."""
    where = f"{c.title} \u00a7 {c.section}" if c.section else c.title
    page = f", p. {c.page}" if c.page else ""
    url = f" {c.url}" if c.url else ""
    return f"{where} ({c.doc_id}{page}, chars {c.start}-{c.end}){url}"


def about_line(doc: Document) -> str:
    """Who published a document, when and where (what is known of it), for ``/sources``."""
    meta = doc.metadata
    parts = [f"by {meta['author']}" if meta.get("author") else "", str(meta.get("date") or ""), doc.url or ""]
    return " \u00b7 ".join(p for p in parts if p)


def _plain(line: Line) -> str:
    return "".join(text for text, _ in line)


def conflict_lines(conf: Conflict) -> list[Line]:
    """One disagreement: what differs, then both sides quoted with their sources."""

    def side(c: Citation) -> Line:
        mark = f"[{c.n}] " if c.n else ""
        return [(f'  {mark}"{c.text}" \u2014 ', ""), (cite_label(c), "dim")]

    return [[(f"- {conf.topic}: {conf.explanation}", "magenta")], side(conf.a), side(conf.b)]


def answer_lines(ans: Answer) -> list[Line]:
    """The whole answer in reading order: urgent line, quotes, sources, disagreements, notice."""
    lines: list[Line] = []
    if ans.urgent:
        lines += [[(f"URGENT: {ans.urgent}", "bold red")], []]
    if ans.resolved_question and ans.resolved_question != ans.question:
        lines += [[(f"(searched: {ans.resolved_question})", "dim")], []]
    if ans.abstained:
        lines.append([(ans.answer, "yellow")])
    else:
        lead = {c.n: c.lead_in for c in ans.citations}
        for s in ans.sentences:
            k = lead.get(s.citation, 0)  # the sentence a "This ..." points back to: dimmed, still quoted
            lines.append([('"', ""), (s.text[:k], "dim"), (f'{s.text[k:]}" ', ""), (f"[{s.citation}]", "bold cyan")])
        lines += [[], [(f"{SOURCES_HEADING}:", "bold")]]
        lines += [[(f"[{c.n}] ", "bold cyan"), (cite_label(c), "dim")] for c in ans.citations]
    if ans.conflicts:
        lines += [[], [(f"{DISAGREE_HEADING}:", "bold magenta")]]
        for conf in ans.conflicts:
            lines += conflict_lines(conf)
    if ans.notice:
        lines += [[], [(ans.notice, "dim italic")]]
    return lines


def answer_text(ans: Answer) -> str:
    """The whole answer as plain text, in reading order."""
    return "\n".join(_plain(line) for line in answer_lines(ans))


def write_lines(lines: Sequence[Line], stream: Optional[IO[str]] = None) -> None:
    """Print styled lines: with Rich on a colour terminal, plain otherwise; on any terminal, wrapped between words."""
    stream = stream or sys.stdout
    if not use_color(stream):
        plain = [_plain(line) for line in lines]
        if hasattr(stream, "isatty") and stream.isatty():
            width = shutil.get_terminal_size((100, 24)).columns
            plain = [_wrap(text, width) for text in plain]
        stream.write("\n".join(plain) + "\n")
        return
    from rich.console import Console
    from rich.padding import Padding
    from rich.text import Text

    con = Console(file=stream, highlight=False)
    for line in lines:
        text = Text()
        for part, style in line:
            text.append(part, style=style or None)
        # Wrapped lines keep the line's indent, like the plain output.
        indent = len(text.plain) - len(text.plain.lstrip(" "))
        if indent:
            text = text[indent:]
        con.print(Padding(text, (0, 0, 0, indent)) if indent else text)


def _wrap(text: str, width: int) -> str:
    """One line wrapped to ``width`` without breaking words, continuation lines indented like the first."""
    if len(text) <= width:
        return text
    indent = " " * (len(text) - len(text.lstrip(" ")))
    return textwrap.fill(
        text, width=width, subsequent_indent=indent + "  ", break_long_words=False, break_on_hyphens=False
    )


def render_answer(ans: Answer, stream: Optional[IO[str]] = None) -> None:
    """Print an answer: styled on a colour terminal, plain otherwise."""
    write_lines(answer_lines(ans), stream)


def _side_lines(title: str, side: list[Citation]) -> list[Line]:
    docs = len({c.doc_id for c in side})
    count = f"{len(side)} sentence{'s' if len(side) != 1 else ''}"
    where = f", {docs} sources" if docs > 1 else ""
    lines: list[Line] = [[(f"    {title} ({count}{where}):", "bold")]]
    for c in side:
        lines.append([(f'      "{c.text}" \u2014 ', ""), (cite_label(c), "dim")])
    return lines


def conflicts_lines(groups: dict[str, list[Conflict]]) -> list[Line]:
    """The corpus's disagreements by topic: one entry each, every sentence of each side quoted and cited.

    The explanation quotes the two sides in the order they are listed below it.
    """
    if not groups:
        return [[("No disagreements between sources were found in this corpus.", "")]]
    lines: list[Line] = []
    for topic, confs in groups.items():
        lines.append([(topic, "bold")])
        for conf in confs:
            lines.append(
                [(f"  - {conf.explanation} ({conf.kind}, {conf.severity}, score {conf.score:.2f})", "magenta")]
            )
            lines += _side_lines("One side", conf.a_side)
            lines += _side_lines("Other side", conf.b_side)
        lines.append([])
    while lines and not lines[-1]:
        lines.pop()
    return lines


def conflicts_text(groups: dict[str, list[Conflict]]) -> str:
    return "\n".join(_plain(line) for line in conflicts_lines(groups))


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
    return doc_text[lo : c.start].lstrip(), doc_text[c.start : c.end], doc_text[c.end : hi].rstrip()


def source_lines(c: Citation, doc_text: str, span: tuple[int, int], about: str = "") -> list[Line]:
    """A cited passage with its neighbours; the quote marked >> << (plain) or highlighted.

    ``about`` (author, date, URL: :func:`about_line`) goes under the source line when known.
    """
    before, quote, after = source_parts(c, doc_text, span)
    head: list[Line] = [[(f"[{c.n}] ", "bold cyan"), (cite_label(c), "dim")]]
    if about:
        head.append([(about, "dim")])
    return [
        *head,
        [],
        [(before, "dim"), (">>", ""), (quote, "bold yellow"), ("<<", ""), (after, "dim")],
    ]


def source_text(c: Citation, doc_text: str, span: tuple[int, int], about: str = "") -> str:
    return "\n".join(_plain(line) for line in source_lines(c, doc_text, span, about))


def render_source(
    c: Citation, doc_text: str, span: tuple[int, int], stream: Optional[IO[str]] = None, about: str = ""
) -> None:
    """Print a cited passage with its neighbours; the quote highlighted on a colour terminal."""
    write_lines(source_lines(c, doc_text, span, about), stream)
