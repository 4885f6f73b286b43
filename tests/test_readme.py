"""The README is true line by line: its commands exist, parse, and the ones that can run offline run.

Every ``naltrexone-qa`` command the README shows (in code blocks, in inline code, in the command
table) is checked to parse: the subcommand exists and every option it uses is one of that
subcommand's options. Every command line in the README's code blocks is either run here or listed
in ``NOT_RUN`` with the reason and where else it is covered; a new command in the README fails
``test_every_code_block_command_is_run_or_listed`` until it is one or the other, so nothing is
skipped silently.

The runs use the commands exactly as written, in a fresh working folder holding a copy of the
corpus (the quick start's layout), with the environment choosing the hash embedder and the NumPy
store so the fast tier stays fast. The slow test runs the "Sample output" commands with the real
model and compares what they print with what the README shows, line by line.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

import docgen
from naltrexone_qa.frontends.cli import cli
from naltrexone_qa.slack_settings import SLACK_DOCS

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
PROGRAM = "naltrexone-qa"
FAST_ENV = {"NALTREXONE_QA_MODEL": "hash:64", "NALTREXONE_QA_STORE": "numpy", "HF_HUB_OFFLINE": "1"}

# Command lines from the README's code blocks that this file does not run, and why (each is a
# prefix of the command as written). Parsing is still checked for the naltrexone-qa ones.
NOT_RUN = {
    "python3 -m venv .venv": "installation: timed by the newcomer check (a fresh clone, the quick start)",
    ". .venv/bin/activate": "installation: the newcomer check",
    "pip install ": "installation needs the package registries: the newcomer check (and .ci/run) runs it",
    "python -m pytest": "the test suite itself (.ci/run runs both tiers)",
    "export SLACK_": "Slack tokens: the Slack tests use a local mock Web API (tests/test_slack_app.py)",
    "naltrexone-qa slack": "needs Slack tokens: tests/test_slack_app.py runs `slack --http` against a mock",
    "naltrexone-qa serve": "a long-running server: tests/test_serve_process.py starts it",
    "curl ": "needs the server running: tests/test_http_api.py and tests/test_serve_process.py",
}
# Inline commands (outside code blocks) run here too, besides the code blocks' ones.
RUN_INLINE = ["naltrexone-qa conflicts", "naltrexone-qa conflicts --json", "naltrexone-qa source"]


# ------------------------------------------------------------------ reading the README
def code_blocks() -> list[tuple[str, int, str]]:
    """(language, first line number, body) of every fenced block."""
    out, lines, i = [], README.splitlines(), 0
    while i < len(lines):
        m = re.match(r"^```(\w*)\s*$", lines[i])
        if m:
            start, body = i + 1, []
            i += 1
            while not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            out.append((m.group(1), start + 1, "\n".join(body)))
        i += 1
    return out


def shell_commands() -> list[tuple[int, str]]:
    """(line, command) of every command in the shell blocks, and of every ``$ `` line in text blocks."""
    out: list[tuple[int, str]] = []
    for lang, start, body in code_blocks():
        lines = body.splitlines()
        if lang in ("bash", "sh"):
            joined: list[tuple[int, str]] = []
            for n, line in enumerate(lines):
                if joined and joined[-1][1].endswith("\\"):
                    joined[-1] = (joined[-1][0], joined[-1][1][:-1] + " " + line.strip())
                else:
                    joined.append((start + n, line))
            for n, line in joined:
                line = re.sub(r"\s+#\s.*$", "", line).strip()
                if line and not line.startswith("#"):
                    out.extend((n, part.strip()) for part in line.split("&&"))
        elif lang == "text":
            out.extend((start + n, line[2:]) for n, line in enumerate(lines) if line.startswith("$ "))
    return out


def inline_commands() -> list[str]:
    """Inline code spans that are naltrexone-qa commands (the command table's included)."""
    spans = re.findall(r"(?<!`)`([^`\n]+)`(?!`)", README)
    return [s.replace("\\|", "|") for s in spans if s.startswith(PROGRAM + " ")]


def sample_outputs() -> list[tuple[str, list[str]]]:
    """The "Sample output" block: each ``$`` command with the lines it is shown to print."""
    block = next(body for lang, _, body in code_blocks() if lang == "text" and body.startswith(f"$ {PROGRAM} ask"))
    out: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        else:
            out[-1][1].append(line)
    for _, lines in out:
        while lines and not lines[-1]:
            lines.pop()
    return out


# ------------------------------------------------------------------ parse checks
def resolve(command: str) -> tuple[click.Command, list[str]]:
    """The click command a README command line names, and the options it uses."""
    words = command.replace("[", " ").replace("]", " ").replace("|", " ").split()
    assert words[0] == PROGRAM, command
    group: click.Command = cli
    rest = words[1:]
    while rest and isinstance(group, click.Group):
        if rest[0].startswith("-"):
            rest = rest[1:]  # the group's own options (-v, -vv) come before the subcommand
            continue
        sub = group.get_command(click.Context(group), rest[0])
        assert sub is not None, f"{command!r}: no command {rest[0]!r}"
        group, rest = sub, rest[1:]
    used = [w.split("=")[0] for w in rest if re.match(r"^--?[a-z]", w)]
    return group, used


def options_of(command: click.Command) -> set[str]:
    names = {"--help", "-h"}
    for param in command.params:
        names.update(param.opts)
        names.update(param.secondary_opts)
    return names


def test_every_readme_command_parses():
    """Each naltrexone-qa command shown anywhere in the README exists, with the options it shows."""
    commands = [c for _, c in shell_commands() if c.startswith(PROGRAM)] + inline_commands()
    assert len(commands) > 30
    for command in commands:
        target, used = resolve(command)
        unknown = [o for o in used if o not in options_of(target) and o not in ("-v", "-vv")]
        assert not unknown, f"README shows {command!r}, but {target.name} has no {unknown}"
        assert CliRunner().invoke(target, ["--help"]).exit_code == 0


def test_every_code_block_command_is_run_or_listed():
    """No command is skipped silently: it is run by this file, or NOT_RUN names why and where it is covered."""
    run_here = {c for c, _ in sample_outputs()} | set(fast_commands())
    for line, command in shell_commands():
        assert command in run_here or any(command.startswith(p) for p in NOT_RUN), (
            f"README line {line}: {command!r} is neither run by tests/test_readme.py nor listed in NOT_RUN"
        )


def test_readme_links_point_to_sections_that_exist():
    """In-page links, and the Slack section the error messages and the manifest point to."""
    slugs = set()
    for heading in re.findall(r"^#{1,6} (.+)$", README, flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        slugs.add(slug)
    for anchor in re.findall(r"\]\(#([^)]+)\)", README):
        assert anchor in slugs, f"README links to #{anchor}, which is no heading"
    for pointer in (SLACK_DOCS, (REPO / "slack" / "manifest.yml").read_text(encoding="utf-8")):
        for anchor in re.findall(r"README\.md#([\w-]+)", pointer):
            assert anchor in slugs, f"{pointer[:60]!r} points to README.md#{anchor}, which is no heading"
    assert "docs/slack.md" not in README and not (REPO / "docs").exists()


def test_configuration_table_names_every_variable_the_code_reads():
    from naltrexone_qa.config import BENCHMARKS_ENV, ENV

    for var in [*ENV.values(), BENCHMARKS_ENV]:
        assert f"`{var}`" in README, f"{var} is not in the README"


# ------------------------------------------------------------------ running them
def fast_commands() -> list[str]:
    """The code blocks' naltrexone-qa commands run by ``test_code_block_commands_run``, in README order."""
    out = []
    for _, command in shell_commands():
        if command.startswith(PROGRAM) and not any(command.startswith(p) for p in NOT_RUN):
            out.append(command)
    return out


def python_blocks() -> list[str]:
    return [body for lang, _, body in code_blocks() if lang == "python"]


def own_documents(folder: Path) -> None:
    """The files the "Your own documents" block adds (leaflet.pdf, saved-page.html, wiki/dosing.md)."""
    pdf, _ = docgen.leaflet_pdf(["naltrexone-gabapentin"], title="Clinic leaflet")
    (folder / "leaflet.pdf").write_bytes(pdf)
    page = docgen.html_page("naltrexone-benzodiazepines", "Naltrexone and benzodiazepines", "https://example.org/b")
    (folder / "saved-page.html").write_text(page, encoding="utf-8")
    (folder / "wiki").mkdir()
    (folder / "wiki" / "dosing.md").write_text(docgen.markdown_file("naltrexone-opiate-addiction", "Dosing"), "utf-8")


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder laid out as after the quick start: corpus/ (three articles), evals/ (a small set)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    meta = json.loads((REPO / "corpus" / "metadata.json").read_text(encoding="utf-8"))
    keep = ["naltrexone-anxiety", "naltrexone-effects-uses-risks"]  # the rest come in through `add`
    for doc_id in keep:
        shutil.copy(REPO / "corpus" / f"{doc_id}.txt", corpus)
    (corpus / "metadata.json").write_text(json.dumps({k: v for k, v in meta.items() if k in keep}), encoding="utf-8")
    (tmp_path / "evals").mkdir()
    for name in ("dev.jsonl", "test.jsonl"):
        lines = (REPO / "evals" / name).read_text(encoding="utf-8").splitlines()
        (tmp_path / "evals" / name).write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    shutil.copy(REPO / "evals" / "conflict_pairs.jsonl", tmp_path / "evals")
    own_documents(tmp_path)
    monkeypatch.chdir(tmp_path)
    for k, v in FAST_ENV.items():
        monkeypatch.setenv(k, v)
    for k in ("NALTREXONE_QA_CORPUS", "NALTREXONE_QA_INDEX"):
        monkeypatch.delenv(k, raising=False)
    return tmp_path


def run(command: str) -> Any:
    args = shlex.split(command)
    assert args[0] == PROGRAM
    return CliRunner().invoke(cli, args[1:], catch_exceptions=False)


def test_code_block_commands_run(project: Path):
    """Each naltrexone-qa command of the code blocks, as written, in README order; then the inline ones."""
    commands = fast_commands()
    assert any(c.startswith(f"{PROGRAM} add ") for c in commands) and any(" index" in c for c in commands)
    for command in commands + RUN_INLINE:
        res = run(command)
        assert res.exit_code == 0, f"{command!r} exited {res.exit_code}: {res.output[-1500:]}"
        if command.startswith(f"{PROGRAM} add "):
            assert "leaflet" in res.output and "dosing" in res.output
        if command.startswith(f"{PROGRAM} source leaflet"):
            assert "gabapentin" in res.stdout.lower()
        if command.startswith(f"{PROGRAM} ask "):
            assert "not medical advice" in res.stdout
    assert not (project / "corpus" / "leaflet.pdf").exists()  # the block ends by removing it again


def test_eval_runs_on_a_small_set(project: Path):
    """`naltrexone-qa eval --mode all --report evals/report`, on four items of each split."""
    (command,) = [c for c in inline_commands() if c.startswith(f"{PROGRAM} eval --mode all --report")]
    res = run(command)
    assert res.exit_code == 0, res.output[-1500:]
    assert {p.name for p in (project / "evals" / "report").iterdir()} >= {"report.md", "metrics.json", "chart.png"}


def test_python_api_block_runs(project: Path, tmp_path: Path):
    """The "Python API" block, with its example index folder moved under the test's own folder."""
    (block,) = [b for b in python_blocks() if "QA.load" in b]
    shutil.copytree(project / "corpus", project / "my-corpus")
    code = block.replace('"/tmp/my-index"', repr(str(tmp_path / "my-index")))
    scope: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), scope)
    assert scope["a"].to_dict()["question"] == "Is naltrexone addictive?"


@pytest.mark.slow
def test_sample_output_is_what_the_commands_print(index_dir: Path):
    """The real model: each "Sample output" command prints the README's lines ("..." elides)."""
    script = Path(sys.executable).with_name(PROGRAM)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NALTREXONE_QA_INDEX": str(index_dir)}
    env.pop("NO_COLOR", None)
    for command, shown in sample_outputs():
        args = shlex.split(command)
        out = subprocess.run([str(script), *args[1:]], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-1500:]
        printed = out.stdout.rstrip("\n").splitlines()
        for n, want in enumerate(shown):
            if want == "...":
                break  # the rest is left out in the README
            got = printed[n] if n < len(printed) else "<nothing>"
            if "..." in want:
                pattern = ".*".join(re.escape(part) for part in want.split("..."))
                assert re.fullmatch(pattern, got), f"{command!r} line {n + 1}:\n{got}\nREADME:\n{want}"
            else:
                assert got == want, f"{command!r} line {n + 1}:\n{got}\nREADME:\n{want}"
        else:
            assert len(printed) == len(shown), f"{command!r} printed more than the README shows"
