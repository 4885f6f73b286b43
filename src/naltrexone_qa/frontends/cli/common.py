"""What every command shares: options, settings, error handling, progress.

Why here: the corpus/index/model/store/detector options, the way an error
becomes a message and an exit code, and the build progress bar were written
four times over; commands now import them from this one module (and nothing
from each other), so command modules never import the group that registers them.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, NoReturn, Optional, TypeVar

import click

from ...config import ENV, NESTED_ENV, Fusion, Mode, Settings
from ...disagree.registry import DETECTORS, check_detector_name
from ...errors import QAError, UsageError
from ...retrieve.registry import STORES

T = TypeVar("T")
log = logging.getLogger("naltrexone_qa")

MODES = tuple(m.value for m in Mode)
UNITS = {"embedding": "text", "reading": "file"}  # progress-bar units by build phase
FUSIONS = tuple(f.value for f in Fusion)


def fail(message: str, code: int = 1) -> NoReturn:
    """The one way a command stops on an error: a message on stderr and an exit code."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def run_guarded(fn: Callable[[], T]) -> T:
    """Run a command body; our errors, Ctrl-C and OS errors become a message and an exit code."""
    try:
        return fn()
    except QAError as exc:
        fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except OSError as exc:
        fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), 1)


def model_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--model",
        default=None,
        metavar="NAME",
        help=f"Sentence-transformers model name or path [env {ENV['model']}; default: all-MiniLM-L6-v2, bundled].",
    )(f)


def evals_file_option(name: str, dest: str, default: str, help_text: str) -> Callable[..., Any]:
    """An option naming one of the evaluation files (``evals/train.jsonl``, ``evals/dev.jsonl``...)."""
    return click.option(name, dest, default=default, show_default=True, type=click.Path(dir_okay=False), help=help_text)


def _check_detector(ctx: click.Context, param: click.Parameter, value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    try:
        return check_detector_name(value)
    except UsageError as e:
        raise click.BadParameter(str(e)) from None


def detector_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """--detector NAME: rules, learned, rules+learned, nli, or stance:DIR (a model from ``train stance``)."""
    return click.option(
        "--detector",
        default=None,
        callback=_check_detector,
        metavar="[" + "|".join(n for n in DETECTORS if n != "stance") + "|stance:DIR]",
        help=f"Disagreement detector for the conflict map [env {ENV['detector']}; default: rules].",
    )(f)


def reranker_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--reranker DIR``: another relevance adapter than the shipped one."""
    folder = click.Path(exists=True, file_okay=False, path_type=Path)
    text = "Reranker adapter folder to use instead of the shipped one (from `train reranker --out`)."
    return click.option("--reranker", "reranker_dir", default=None, type=folder, metavar="DIR", help=text)(f)


def scorer_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--fitted`` and ``--reranker``: the answerer's trained files, for commands that answer and for benchmarks."""
    folder = click.Path(exists=True, file_okay=False, path_type=Path)
    text = "Fitted ranker and abstention records to use instead of the shipped ones (from `calibrate --out`)."
    return reranker_option(click.option("--fitted", default=None, type=folder, metavar="DIR", help=text)(f))


def common_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The corpus, index, model, store and detector options (also settable by environment); the answerer's files."""
    f = scorer_options(f)
    f = click.option(
        "--no-rerank",
        "rerank",
        flag_value=False,
        default=None,
        help="Answer without the learned reranker (the fitted ranker's other signals only).",
    )(f)
    f = detector_option(f)
    f = click.option(
        "--store",
        default=None,
        type=click.Choice(list(STORES)),
        help=f"Vector store [env {ENV['store']}; default: faiss].",
    )(f)
    f = click.option(
        "--milvus-uri",
        default=None,
        metavar="URI",
        help="With --store milvus: a file path (Milvus Lite, started locally) or http://host:19530 (a Milvus server) "
        f"[env {NESTED_ENV[('retrieval', 'milvus_uri')]}; default: <index>/milvus.db].",
    )(f)
    f = model_option(f)
    f = click.option(
        "--index",
        "index_dir",
        default=None,
        type=click.Path(file_okay=False),
        help=f"Index folder [env {ENV['index_dir']}; default: ./index].",
    )(f)
    f = click.option(
        "--corpus",
        "corpus_dir",
        default=None,
        type=click.Path(file_okay=False),
        help=f"Folder of documents (.txt .md .html .pdf .docx) [env {ENV['corpus_dir']}; default: ./corpus].",
    )(f)
    return f


def make_settings(**options: Any) -> Settings:
    """Settings from the environment with the given command-line options on top."""
    return Settings.from_env(**options)


class ProgressBars:
    """A tqdm bar per build phase, on stderr.

    Open bars are redrawn every ``refresh_every`` seconds from a background thread,
    so their elapsed time keeps moving while one step takes long (the model loading
    before the first batch, one batch on a busy machine): never a frozen line. Only
    the embedding bar shows a rate (it counts texts actually encoded); files read
    or reused come too fast for a rate to mean anything.
    """

    def __init__(self, refresh_every: float = 0.5) -> None:
        self.refresh_every = refresh_every
        self.bars: dict[str, Any] = {}
        self._ticker: Optional[threading.Thread] = None
        self._guard = threading.Lock()

    def __call__(self, phase: str, done: int, total: int) -> None:
        from tqdm import tqdm

        bar = self.bars.get(phase)
        if bar is None:
            fmt = None if phase == "embedding" else "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}]"
            unit = UNITS.get(phase, "step")
            bar = self.bars[phase] = tqdm(total=total, desc=phase, unit=unit, file=sys.stderr, bar_format=fmt)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()
            return
        with self._guard:
            if self._ticker is None:
                self._ticker = threading.Thread(target=self._redraw, name="progress-redraw", daemon=True)
                self._ticker.start()

    def _live(self) -> list[Any]:
        return [b for b in self.bars.values() if not b.disable and b.n < (b.total or 0)]

    def _redraw(self) -> None:
        while True:
            time.sleep(self.refresh_every)
            with self._guard:
                live = self._live()
                if not live:
                    self._ticker = None
                    return
            for bar in live:
                bar.refresh()

    def close(self) -> None:
        """Close the bars left open (a build that failed), so a message after them starts on its own line."""
        with self._guard:
            live = self._live()
        for bar in live:
            bar.close()


def progress_bar(refresh_every: float = 0.5) -> ProgressBars:
    return ProgressBars(refresh_every)


def notice(message: str) -> None:
    """A one-line note on stderr about a wait or a change (stdout stays clean for --json)."""
    click.echo(message, err=True)


def load_qa(
    settings: Settings, rebuild: bool = False, progress: bool = False, spinner: bool = True, warm: bool = True
) -> Any:
    """The pipeline for ``settings`` (built first if needed), saying so on stderr whenever it makes people wait.

    Index builds are always announced with their reason; on a terminal every build
    shows a progress bar and the model load a spinner (``spinner=False`` when the
    caller shows its own, as the chat does). ``warm=False`` leaves the models unloaded until
    first used, for commands that only need the index.
    """
    from ...errors import CorpusError
    from ...pipeline import QA

    if not settings.corpus_dir.exists():
        where = "" if settings.corpus_dir.is_absolute() else f" (looked up from {Path.cwd()})"
        raise CorpusError(
            f"corpus folder {settings.corpus_dir} does not exist{where}; run from the project folder, "
            f"or pass --corpus DIR, or set {ENV['corpus_dir']} (and --index / {ENV['index_dir']})"
        )
    interactive = sys.stderr.isatty()
    bar = progress_bar() if progress or interactive else None
    status: list[Any] = []

    def tell(message: str) -> None:
        if message.startswith("Building"):
            notice(message)
        elif interactive and spinner and not status:
            from rich.console import Console

            status.append(Console(stderr=True, highlight=False).status(message.rstrip(".")))
            status[0].start()
        elif interactive and spinner is False:
            notice(message)

    try:
        return QA.load(settings, rebuild=rebuild, progress=bar, notify=tell, warm=warm)
    finally:
        for shown in status:
            shown.stop()
        if bar is not None:
            bar.close()


def configure_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    # FAISS's loader tries optional CPU builds and logs each miss; they are harmless, so never shown.
    logging.getLogger("faiss.loader").setLevel(logging.ERROR)


def mode_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--mode",
        type=click.Choice(MODES),
        default="hybrid",
        show_default=True,
        help="Retrieval: both ranked lists fused, or one alone (for comparisons).",
    )(f)


def fusion_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--fusion",
        type=click.Choice(FUSIONS),
        default="rrf",
        show_default=True,
        help="How hybrid mode fuses: reciprocal rank fusion or weighted normalised scores.",
    )(f)


def server_options(default_port: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--host, --port and --api-key-file, shared by ``serve`` and ``slack --http``."""

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        f = click.option(
            "--api-key-file",
            type=click.Path(dir_okay=False),
            default=None,
            help="File holding the API key [env NALTREXONE_QA_API_KEY_FILE, or the key in NALTREXONE_QA_API_KEY].",
        )(f)
        f = click.option(
            "--port",
            type=click.IntRange(1, 65535),
            default=None,
            help=f"Port [env NALTREXONE_QA_PORT; default: {default_port}].",
        )(f)
        f = click.option(
            "--host",
            default=None,
            help="Address to listen on [env NALTREXONE_QA_HOST; default: 127.0.0.1, this machine only].",
        )(f)
        return f

    return decorate
