"""PDF: the text layer, read by pdfminer.six, in reading order, with the page of every character.

Why pdfminer.six: it reports every line with its position and font size and
orders text boxes the way a reader goes through the page, which is what
dropping running heads and rebuilding paragraphs needs (``pdf_layout``). A PDF
without a text layer (a scan) or one that needs a password is refused with a
message naming the file and what to do.
"""

from __future__ import annotations

import io
import re
import statistics
from pathlib import Path
from typing import Any, Iterator, Optional

from ...errors import CorpusError
from .base import Converted, has_letters, squash
from .pdf_layout import Line, assemble, drop_running_lines, paragraphs

_PDF_DATE = re.compile(r"^D?:?(\d{4})(\d{2})?(\d{2})?")


def _open(data: bytes, path: Path) -> Any:
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfexceptions import PDFException
    from pdfminer.pdfparser import PDFParser
    from pdfminer.psexceptions import PSException

    try:
        return PDFDocument(PDFParser(io.BytesIO(data)), password="")
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise CorpusError(
            f"{path} is encrypted (it needs a password); save an unprotected copy and add that instead"
        ) from exc
    except (PDFException, PSException, ValueError, KeyError, TypeError) as exc:
        raise CorpusError(f"{path} is not a readable PDF ({type(exc).__name__}: {exc})") from exc


def _pages(doc: Any, path: Path) -> Iterator[tuple[float, list[Line]]]:
    """Each page's height and text lines in pdfminer's reading order (text boxes, then lines in a box)."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams, LTChar, LTTextBox, LTTextLine
    from pdfminer.pdfexceptions import PDFException
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.psexceptions import PSException

    resources = PDFResourceManager()
    device = PDFPageAggregator(resources, laparams=LAParams())
    interpreter = PDFPageInterpreter(resources, device)
    try:
        for page in PDFPage.create_pages(doc):
            interpreter.process_page(page)
            layout = device.get_result()
            lines = []
            boxes = (el for el in layout if isinstance(el, LTTextBox))
            for b, box in enumerate(boxes):
                for ln in box:
                    text = squash(ln.get_text()) if isinstance(ln, LTTextLine) else ""
                    if text:
                        sizes = [round(c.size, 1) for c in ln if isinstance(c, LTChar)] or [0.0]
                        lines.append(Line(text, ln.x0, ln.y0, ln.x1, ln.y1, statistics.median(sizes), b))
            yield layout.height, lines
    except (PDFException, PSException, ValueError, KeyError, TypeError) as exc:
        raise CorpusError(f"{path} is not a readable PDF ({type(exc).__name__}: {exc})") from exc


def _info(doc: Any) -> dict[str, Any]:
    """Title, author and date from the PDF's document information dictionary."""
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    out: dict[str, Any] = {}
    for info in getattr(doc, "info", None) or []:
        for key, field in (("Title", "title"), ("Author", "author"), ("CreationDate", "date")):
            value = resolve1(info.get(key))
            if isinstance(value, bytes):
                value = decode_text(value)
            if isinstance(value, str) and value.strip() and field not in out:
                out[field] = _date(value) if field == "date" else value
    return out


def _date(value: str) -> Optional[str]:
    m = _PDF_DATE.match(value.strip())
    if not m:
        return None
    return "-".join(g for g in m.groups() if g)


class PdfConverter:
    """``.pdf``: text layer only; running heads, footers and page numbers dropped; pages kept."""

    name: str = "pdf"
    version: str = "pdf-1"
    suffixes: tuple[str, ...] = (".pdf",)

    def convert(self, data: bytes, path: Path) -> Converted:
        doc = _open(data, path)
        read = list(_pages(doc, path))
        pages = drop_running_lines([lines for _, lines in read], [height for height, _ in read])
        text, starts = assemble(paragraphs(pages), len(pages))
        converted = text.result(_info(doc), with_kinds=False, pages=starts)
        if not has_letters(converted.text):
            raise CorpusError(
                f"{path} has no text layer (a scanned PDF?); run OCR on it first (e.g. ocrmypdf) and add the result"
            )
        return converted
