"""From positioned PDF lines to paragraphs: running headers, footers and page numbers out, hyphens joined.

Why here and not in pdfminer: pdfminer.six finds the lines and their reading
order, but a page's running header, its footer and its number look like any
other line on one page; only across pages do they show (the same line at the
top or bottom of most pages). Paragraphs are rebuilt from the lines so that a
sentence wrapped over several lines, or over a page break, is one line of the
canonical text, with the page of every character kept.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from .base import TextBuilder

EDGE_LINES = 2  # lines at the top and at the bottom of a page that may be running heads
EDGE_BAND = 0.12  # ... if they lie in the top or bottom 12% of the page (body text does not)
REPEATED_SHARE = 0.5  # a head/foot recurs on at least this share of pages (and on two or more)
_PAGE_NUMBER = re.compile(
    r"^(?:page|p\.|pg\.?|seite)?\s*#+\s*(?:(?:of|/|von)\s*#+)?$"  # 3, Page 3, page 3 of 9, 3/9
    r"|^[-\u2013\u2014]\s*#+\s*[-\u2013\u2014]$"  # - 3 -
    r"|^[ivxlc]+$"  # iii
)
_SENTENCE_END = re.compile(r"[.!?:;]['\"\u2019\u201d)\]]*$")
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|-)*[^\W\d_]|[^\W\d_]")


@dataclass(frozen=True)
class Line:
    """One text line of a page, as pdfminer placed it (PDF points, y grows upwards)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    box: int

    @property
    def width(self) -> float:
        return self.x1 - self.x0


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _edges(lines: list[Line], height: float) -> set[int]:
    """Indexes of the topmost and bottommost lines of a page, when they lie in its top or bottom band."""
    by_top = sorted(range(len(lines)), key=lambda i: -lines[i].y1)
    by_bottom = sorted(range(len(lines)), key=lambda i: lines[i].y0)
    top = {i for i in by_top[:EDGE_LINES] if lines[i].y0 >= (1 - EDGE_BAND) * height}
    bottom = {i for i in by_bottom[:EDGE_LINES] if lines[i].y1 <= EDGE_BAND * height}
    return top | bottom


def drop_running_lines(pages: list[list[Line]], heights: list[float]) -> list[list[Line]]:
    """Pages without page numbers and without the heads and feet that repeat across pages."""
    edges = [_edges(lines, height) for lines, height in zip(pages, heights)]
    seen: Counter[str] = Counter()
    for lines, edge in zip(pages, edges):
        seen.update({_key(lines[i].text) for i in edge})
    need = max(2, math.ceil(REPEATED_SHARE * len(pages)))
    out = []
    for lines, edge in zip(pages, edges):
        keep = []
        for i, line in enumerate(lines):
            key = _key(line.text)
            if i in edge and (_PAGE_NUMBER.match(key) or (len(pages) > 1 and seen[key] >= need)):
                continue
            keep.append(line)
        out.append(keep)
    return out


def _ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


def _starts_lower(text: str) -> bool:
    return text[:1].islower()


def _breaks_after(prev: Line, line: Line, width: float) -> bool:
    """Whether a paragraph (or a heading) ends between two lines of the same text box."""
    if abs(prev.size - line.size) > 1.0:
        return True
    short = prev.width < 0.85 * width
    if short and _ends_sentence(prev.text):
        return True
    # A short line without final punctuation followed by a capital is a heading.
    return prev.width < 0.6 * width and not _ends_sentence(prev.text) and not _starts_lower(line.text)


def _continues(prev: Line, line: Line, width: float, same_page: bool) -> bool:
    """Whether ``line``, in another text box, goes on with ``prev``'s sentence.

    Yes when it starts in lower case (across a page break too), or when it sits
    right under a full line of the same size on the same page (pdfminer splits a
    block whose line spacing is a little wide, such as a two-line heading).
    """
    if abs(prev.size - line.size) > 1.0 or _ends_sentence(prev.text):
        return False
    if _starts_lower(line.text):
        return True
    gap = prev.y0 - line.y1
    return same_page and prev.width >= 0.6 * width and 0 <= gap < 0.8 * (prev.y1 - prev.y0)


def paragraphs(pages: list[list[Line]]) -> list[list[tuple[str, int]]]:
    """Paragraphs as (line text, page number) runs, in reading order; a paragraph may cross pages."""
    out: list[list[tuple[str, int]]] = []
    prev: Line | None = None
    for page_no, lines in enumerate(pages, start=1):
        width = max((ln.width for ln in lines), default=0.0)
        for i, line in enumerate(lines):
            same_box = i > 0 and prev is not None and line.box == prev.box
            if prev is None or not out:
                new = True
            elif same_box:
                new = _breaks_after(prev, line, width)
            else:  # a new box or page: joined only when the sentence plainly goes on
                new = not _continues(prev, line, width, same_page=i > 0)
            if new:
                out.append([])
            out[-1].append((line.text, page_no))
            prev = line
    return out


def _joined(a: str, b: str, words: set[str]) -> tuple[str, str]:
    """(a as kept, separator) for two consecutive lines of one paragraph.

    A hyphen at a line end is dropped when the next line goes on in lower case
    ("endor-" + "phins"), unless the hyphenated word occurs elsewhere in the
    document and the joined one does not ("long-" + "term").
    """
    if len(a) >= 2 and a.endswith("-") and a[-2].isalpha():
        if not _starts_lower(b):
            return a, ""
        left = _WORD.findall(a[:-1])
        right = _WORD.findall(b)
        if left and right:
            hyphenated, closed = f"{left[-1]}-{right[0]}".lower(), f"{left[-1]}{right[0]}".lower()
            if hyphenated in words and closed not in words:
                return a, ""
        return a[:-1], ""
    return a, " "


def assemble(paras: list[list[tuple[str, int]]], n_pages: int) -> tuple[TextBuilder, list[int]]:
    """The canonical text of the paragraphs, one per line, and the offset where each page starts."""
    words = {w.lower() for para in paras for text, _ in para for w in _WORD.findall(text)}
    out = TextBuilder()
    starts: dict[int, int] = {}
    for para in paras:
        out.start_line()
        for i, (text, page) in enumerate(para):
            if i + 1 < len(para):
                text, sep = _joined(text, para[i + 1][0], words)
            else:
                sep = ""
            starts.setdefault(page, out.length)
            out.extend(text + sep)
    pages = []
    following = out.length
    for page in range(n_pages, 0, -1):  # an empty page starts where the next text does
        following = starts.get(page, following)
        pages.append(following)
    return out, pages[::-1]
