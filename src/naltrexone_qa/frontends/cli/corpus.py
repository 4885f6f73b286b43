"""``add``, ``remove`` and ``source``: bring your own documents, take them out, read what citations point into.

``add`` and ``remove`` change the corpus folder and the index together (a bad
file, or a failed build, changes neither); only new and changed documents are
converted and embedded. ``source DOC_ID`` prints a document's canonical text,
the text every citation's ``start``/``end`` index into.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import click

from .common import common_options, load_qa, make_settings, progress_bar, run_guarded


def _parts(settings: Any) -> tuple[Any, Any]:
    """The embedder and detector an index build needs (the model loads only if something is embedded)."""
    from ...disagree.registry import get_detector
    from ...embed.base import get_embedder

    embedder = get_embedder(settings)
    return embedder, get_detector(settings.detector, embedder=embedder)


def _summary(report: Any, as_json: bool) -> None:
    d = report.to_dict()
    if as_json:
        click.echo(json.dumps(d, ensure_ascii=False))
        return
    labels = (("Added", "added"), ("Replaced", "replaced"), ("Removed", "removed"), ("Already there", "unchanged"))
    for verb, key in labels:
        if d[key]:
            click.echo(f"{verb}: {', '.join(d[key])}")
    c = d["counts"]
    click.echo(
        f"Index updated: {c.get('documents', 0)} documents, {c.get('sentences', 0)} sentences, "
        f"{c.get('chunks', 0)} chunks; {d['converted']} file(s) converted, {d['embedded']} new text(s) embedded"
    )


@click.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print what was done as one JSON object.")
def add(files: tuple[str, ...], as_json: bool, **options: Any) -> None:
    """Copy FILES (.txt, .md, .html, .pdf, .docx) into the corpus and update the index.

    Only new or changed documents are converted and embedded. A file that
    cannot be used (encrypted or scanned PDF, a page without main content...)
    stops the command with nothing changed; unsupported, empty and duplicate
    files are skipped with a warning.
    """

    def go() -> Any:
        from ...index.update import add_documents

        settings = make_settings(**options)
        embedder, detector = _parts(settings)
        bars = progress_bar()
        try:
            return add_documents(settings, embedder, detector, [Path(f) for f in files], bars)
        finally:
            bars.close()

    _summary(run_guarded(go), as_json)


@click.command("remove")
@click.argument("doc_id")
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print what was done as one JSON object.")
def remove(doc_id: str, as_json: bool, **options: Any) -> None:
    """Take document DOC_ID (or its file name) out of the corpus and the index."""

    def go() -> Any:
        from ...index.update import remove_document

        settings = make_settings(**options)
        embedder, detector = _parts(settings)
        bars = progress_bar()
        try:
            return remove_document(settings, embedder, detector, doc_id, bars)
        finally:
            bars.close()

    _summary(run_guarded(go), as_json)


def _about(doc: Any) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "format": doc.format,
        "file": Path(doc.path).name,
        **{k: doc.metadata[k] for k in ("url", "author", "date") if doc.metadata.get(k)},
        "pages": len(doc.pages) or None,
        "chars": len(doc.text),
    }


@click.command("source")
@click.argument("doc_id", required=False)
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print the document (metadata, page starts, text) as JSON.")
def source(doc_id: Optional[str], as_json: bool, **options: Any) -> None:
    """Print DOC_ID's canonical text, exactly: every citation's text is source[start:end].

    Without DOC_ID, list the documents of the index.
    """

    def go() -> None:
        from ...errors import UsageError

        docs = load_qa(make_settings(**options)).documents
        if doc_id is None:
            rows = [_about(d) for d in docs.values()]
            if as_json:
                click.echo(json.dumps({"documents": rows}, ensure_ascii=False))
            for r in [] if as_json else rows:
                where = f"  {r['url']}" if r.get("url") else ""
                click.echo(f"{r['doc_id']}\t{r['format']}\t{r['title']}{where}")
            return
        doc = docs.get(doc_id)
        if doc is None:
            raise UsageError(f"no document {doc_id!r} in the index; the documents are: {', '.join(docs)}")
        if as_json:
            click.echo(json.dumps({**_about(doc), "page_starts": doc.pages, "text": doc.text}, ensure_ascii=False))
        else:
            sys.stdout.write(doc.text)
            sys.stdout.flush()

    run_guarded(go)


COMMANDS = [add, remove, source]
