"""The package's shape: layers, no cycles, small documented modules, no machine paths, no pickles."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "naltrexone_qa"
MODULES = sorted(PACKAGE.rglob("*.py"))


def test_import_layers_contract_is_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.skip("import-linter is not installed")
    out = subprocess.run([str(lint)], capture_output=True, text=True, cwd=PACKAGE.parents[1], timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 kept, 0 broken" in out.stdout


def test_no_import_cycles_even_through_lazy_imports():
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("naltrexone_qa")
    adj = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(adj[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for module in sorted(adj):
        if module not in state:
            visit(module, [])
    assert not cycles, [" -> ".join(c) for c in cycles]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_module_is_small_and_says_what_it_owns(path: Path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 310, "split modules above ~300 lines"
    if path.name != "__main__.py" and text.strip():
        assert ast.get_docstring(ast.parse(text)), "every module starts with a docstring"


def test_no_machine_paths_or_pickles_in_the_package():
    machine = re.compile(r"/(?:work|home|root|Users)/[\w.-]+/")
    for path in PACKAGE.rglob("*"):
        if path.is_dir() or path.suffix in (".pyc", ".npy", ".safetensors"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not machine.search(text), f"machine path in {path}"
        if path.suffix == ".py":
            assert "import pickle" not in text and "allow_pickle=True" not in text, path


def test_environment_is_read_only_in_config():
    reads = re.compile(r"os\.environ(?:\.get|\[)|os\.getenv")
    # NO_COLOR is a terminal convention read where output is drawn; OMP_NUM_THREADS the OpenMP one,
    # read where a model call sets torch's threads.
    allowed = {"config.py", "render/text.py", "threads.py"}
    for path in MODULES:
        rel = str(path.relative_to(PACKAGE))
        if rel in allowed:
            continue
        assert not reads.search(path.read_text(encoding="utf-8")), f"{rel} reads the environment"


def test_worker_processes_get_the_answerer_options(tmp_path: Path) -> None:
    """serve's workers rebuild their settings from to_env(): --no-rerank, --reranker and --fitted must survive."""
    from naltrexone_qa.config import Settings

    s = Settings.from_env(env={}, rerank=False, reranker_dir=tmp_path / "r", fitted=tmp_path / "f", milvus_uri="x.db")
    again = Settings.from_env(env=s.to_env())
    assert again.answer == s.answer and again.answer.rerank is False
    assert again.answer.reranker_dir == tmp_path / "r" and again.retrieval.milvus_uri == "x.db"
    assert Settings.from_env(env=Settings.from_env(env={}).to_env()).answer.rerank is True
    assert Settings.from_env(env={"NALTREXONE_QA_RERANK": "off"}).answer.rerank is False
