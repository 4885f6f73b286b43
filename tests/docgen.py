"""Real documents made from the corpus articles, for the converter tests.

Each article's lines are classified the way the segmenter reads them (heading,
list item, running text) and written out as an HTML page wrapped in site
chrome (navigation, cookie banner, sidebar, footer, scripts), as Markdown with
front matter, headings, emphasis and links, as a PDF with running heads, page
numbers and words hyphenated at line ends (fpdf2), or as a .docx (python-docx).
The chrome strings are collected in CHROME so tests can check none is quoted.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Iterator

from naltrexone_qa.ingest.segment import classify_line, iter_lines

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

SITE = "Riverside Health Library"
PDF_HEADER = "Riverside Clinic \u2013 Patient Leaflet on Naltrexone"
PDF_FOOTER = "Riverside Clinic, confidential patient material"
CHROME = [
    SITE,
    "Home",
    "Conditions A to Z",
    "Find a clinic",
    "We use cookies to improve your experience",
    "Accept all cookies",
    "Related articles",
    "Ten tips for better sleep",
    "Subscribe to our newsletter",
    "All rights reserved",
    "Privacy policy",
    "trackPageView",
    PDF_HEADER,
    PDF_FOOTER,
    "Page 1 of",
]


def article(doc_id: str) -> str:
    return (CORPUS / f"{doc_id}.txt").read_text(encoding="utf-8")


def blocks(text: str) -> Iterator[tuple[str, str]]:
    """(kind, line) for each line of an article: heading, list (bullet removed), table row or text."""
    for s, e in iter_lines(text):
        line = text[s:e]
        kind = classify_line(line)
        if kind == "list":
            yield "list", re.sub(r"^\S+\s+", "", line)
        elif kind in ("heading", "question"):
            yield "heading", line
        else:
            yield kind, line


def html_page(doc_id: str, title: str, url: str) -> str:
    """An article as a web page with navigation, a cookie banner, a sidebar, a footer and scripts."""
    body = []
    items: list[str] = []
    rows: list[str] = []
    for kind, line in blocks(article(doc_id)):
        if kind == "list":
            items.append(f"<li>{html.escape(line)}</li>")
            continue
        if kind == "table":
            rows.append(f"<tr><td>{html.escape(line)}</td></tr>")
            continue
        if items:
            body.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if rows:
            body.append("<table>" + "".join(rows) + "</table>")
            rows = []
        tag = "h2" if kind == "heading" else "p"
        body.append(f"<{tag}>{html.escape(line)}</{tag}>")
    if items:
        body.append("<ul>" + "".join(items) + "</ul>")
    if rows:
        body.append("<table>" + "".join(rows) + "</table>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | {SITE}</title>
<meta name="author" content="Dr. Jane Doe"><meta property="article:published_time" content="2024-03-05">
<link rel="canonical" href="{url}"><meta property="og:title" content="{html.escape(title)}">
<style>.cookie {{ position: fixed; }}</style>
<script>window.dataLayer = []; function trackPageView() {{ dataLayer.push("view"); }}</script>
</head><body>
<header><div class="logo">{SITE}</div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/conditions">Conditions A to Z</a></li>
<li><a href="/clinics">Find a clinic</a></li></ul></nav></header>
<div id="cookie-banner" class="cookie consent">We use cookies to improve your experience.
<button>Accept all cookies</button></div>
<main><article><h1>{html.escape(title)}</h1>
{"".join(body)}
</article></main>
<aside class="sidebar"><h3>Related articles</h3><ul><li><a href="/sleep">Ten tips for better sleep</a></li></ul>
<form><label>Subscribe to our newsletter</label><input type="email"></form></aside>
<footer><p>&copy; 2024 {SITE}. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
<script>trackPageView();</script>
</body></html>
"""


def markdown_file(doc_id: str, title: str) -> str:
    """An article as Markdown: front matter, # headings, lists, **emphasis** and [links](...)."""
    out = [
        "---",
        f'title: "{title}"',
        "author: Clinic Wiki Team",
        "date: 2024-06-01",
        "url: https://wiki.example.org/naltrexone",
        "---",
        "",
        f"# {title}",
        "",
    ]
    previous = ""
    for kind, line in blocks(article(doc_id)):
        if kind == "heading":
            out += ["", f"## {line}", ""]
        elif kind == "list":
            out.append(f"- {_decorate(line)}")
        elif kind == "table":
            out += ["", f"| {line} |", "|---|"] if previous != "table" else [f"| {line} |"]
        else:
            out += ["", _decorate(line), ""]
        previous = kind
    return "\n".join(out) + "\n"


def _decorate(line: str) -> str:
    """Markup that must vanish in conversion: emphasis on one word, a link on another."""
    line = re.sub(r"\b(naltrexone)\b", r"**\1**", line, count=1, flags=re.IGNORECASE)
    line = re.sub(r"\b(opioid)\b", r"[\1](https://example.org/opioid)", line, count=1)
    return re.sub(r"\b(anxiety)\b", r"*\1*", line, count=1)


def leaflet_pdf(doc_ids: list[str], title: str = "Naltrexone leaflet collection") -> tuple[bytes, dict[str, int]]:
    """Articles as one PDF (running head and foot, page numbers, hyphenated line ends) and each one's first page."""
    from fpdf import FPDF

    class Leaflet(FPDF):
        def header(self) -> None:
            self.set_font("helvetica", "I", 8)
            self.cell(0, 6, PDF_HEADER, align="C", new_x="LMARGIN", new_y="NEXT")
            self.ln(4)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("helvetica", "I", 8)
            self.cell(0, 4, PDF_FOOTER, align="C", new_x="LMARGIN", new_y="NEXT")
            self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Leaflet(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_title(title)
    pdf.set_author("Riverside Clinic")
    pdf.set_auto_page_break(True, margin=20)
    first_pages = {}
    for doc_id in doc_ids:
        pdf.add_page()
        first_pages[doc_id] = pdf.page_no()
        for kind, line in blocks(article(doc_id)):
            if kind == "heading":
                pdf.set_font("helvetica", "B", 13)
                pdf.ln(2)
                pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
                continue
            pdf.set_font("helvetica", "", 11)
            prefix = "\u2022 " if kind == "list" else ""
            for wrapped in _wrap(pdf, prefix + line, pdf.epw):
                pdf.cell(0, 5, wrapped, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output()), first_pages


def scanned_pdf() -> bytes:
    """A PDF page holding only a picture (drawn shapes), no text layer: what a scanner makes."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(40)
    for i in range(12):
        pdf.rect(20, 20 + 12 * i, 150 - 5 * i, 4, style="F")
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    """A PDF that opens only with a password."""
    from fpdf import FPDF
    from fpdf.enums import EncryptionMethod

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.cell(0, 6, "Naltrexone is an opioid antagonist.")
    pdf.set_encryption(owner_password="owner-secret", user_password="secret", encryption_method=EncryptionMethod.RC4)
    return bytes(pdf.output())


def _wrap(pdf: object, text: str, width: float) -> list[str]:
    """Greedy line filling; a long plain word that does not fit is split with a hyphen."""
    fits = pdf.get_string_width  # type: ignore[attr-defined]
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if fits(candidate) <= width:
            current = candidate
            continue
        if current and len(word) >= 9 and word.isalpha():
            for cut in range(len(word) - 3, 3, -1):
                head = f"{current} {word[:cut]}-"
                if fits(head) <= width:
                    lines.append(head)
                    current = word[cut:]
                    break
            else:
                lines.append(current)
                current = word
            continue
        if current:
            lines.append(current)
        current = word
    if current:
        lines.append(current)
    return lines


def docx_bytes(doc_id: str, title: str) -> bytes:
    """An article as a Word document with a Title, Heading 2 headings and bulleted lists."""
    import io

    import docx

    d = docx.Document()
    d.core_properties.title = title
    d.core_properties.author = "Clinic Staff"
    d.add_paragraph(title, style="Title")
    for kind, line in blocks(article(doc_id)):
        if kind == "heading":
            d.add_heading(line, level=2)
        elif kind == "list":
            d.add_paragraph(line, style="List Bullet")
        elif kind == "table":
            d.add_table(rows=1, cols=1).cell(0, 0).text = line
        else:
            d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def squash(text: str) -> str:
    """Whitespace folded, so a sentence can be found in an article however its lines were wrapped."""
    return " ".join(text.replace("\u00a0", " ").split())


# The mixed corpus of the format tests: two web pages, a wiki page, and a leaflet of three articles.
PDF_ARTICLES = ["naltrexone-effects-uses-risks", "naltrexone-opiate-addiction", "naltrexone-anxiety"]
PAGES = {
    "gabapentin-page": ("naltrexone-gabapentin", "https://health.example.org/naltrexone-gabapentin"),
    "benzodiazepines-page": ("naltrexone-benzodiazepines", "https://health.example.org/naltrexone-benzodiazepines"),
}
MARKDOWN = ("anxiety-wiki", "naltrexone-anxiety")
TITLES = {
    "naltrexone-gabapentin": "Can You Take Naltrexone and Gabapentin Together?",
    "naltrexone-benzodiazepines": "Naltrexone and Benzodiazepines",
    "naltrexone-anxiety": "Naltrexone in Anxiety Management",
}


def mixed_corpus(folder: Path) -> dict[str, int]:
    """Write the mixed corpus into ``folder``; returns the leaflet's first page of each article."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, (source, url) in PAGES.items():
        (folder / f"{doc_id}.html").write_text(html_page(source, TITLES[source], url), encoding="utf-8")
    md_id, source = MARKDOWN
    (folder / f"{md_id}.md").write_text(markdown_file(source, TITLES[source]), encoding="utf-8")
    data, first_pages = leaflet_pdf(PDF_ARTICLES)
    (folder / "leaflet.pdf").write_bytes(data)
    return first_pages


def article_text() -> str:
    """All five articles, whitespace folded: a quote of ours must be found in here."""
    return "\n".join(squash(p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.txt")))
