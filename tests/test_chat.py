"""The real chat REPL, driven in a pseudo-terminal, plus the session object directly.

The pexpect tests start ``naltrexone-qa chat --index <session index>`` so the
model loads in the child but nothing is rebuilt.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 120
# prompt_toolkit may draw the space after ">" as a cursor move.
PROMPT = r">(?: |\x08?\x1b\[\d*C)"


def spawn_chat(index_dir: Path, color: bool = False):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "TERM": "xterm",
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "HF_HUB_OFFLINE": "1",
        "COLUMNS": "200",
        "LINES": "50",
    }
    env.pop("NO_COLOR", None)
    if not color:
        env["NO_COLOR"] = "1"
    exe = str(Path(sys.executable).with_name("naltrexone-qa"))
    child = pexpect.spawn(
        exe,
        ["chat", "--corpus", str(REPO / "corpus"), "--index", str(index_dir)],
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(50, 200),
        cwd=str(REPO),
    )
    child.expect("not medical advice")
    child.expect(PROMPT)
    return child


@pytest.fixture(scope="module")
def chat_child(index_dir: Path):  # type: ignore[no-untyped-def]
    child = spawn_chat(index_dir)
    yield child
    if child.isalive():
        child.terminate(force=True)


def test_question_followup_sources_and_quit(chat_child) -> None:  # type: ignore[no-untyped-def]
    c = chat_child
    c.sendline("Can naltrexone be taken together with gabapentin?")
    c.expect("Sources")
    c.expect("naltrexone-gabapentin")
    c.expect("not medical advice")  # every answer carries the notice, not only the greeting
    c.expect(PROMPT)
    c.sendline("What side effects should I watch for?")
    c.expect(r"searched: What side effects should I watch for[^\r\n]*gabapentin")
    c.expect("Sources")
    c.expect(r"\[1\] [^\r\n]*naltrexone-gabapentin")
    c.expect(PROMPT)
    c.sendline("/sources 1")
    c.expect(r">>[\s\S]*?<<")  # the quote marked inside its passage (wrapped to the terminal)
    c.expect(PROMPT)
    c.sendline("/frobnicate")
    c.expect("Unknown command /frobnicate")
    c.expect(PROMPT)
    c.sendline("")
    c.expect(PROMPT)
    c.sendline("/history")
    c.expect("2. What side effects should I watch for?")
    c.expect(PROMPT)


def test_long_line_and_ctrl_c_do_not_crash(chat_child) -> None:  # type: ignore[no-untyped-def]
    c = chat_child
    c.send("naltrexone " * 909 + "\r")  # 9,999 characters, pasted in one go
    c.expect("the limit is 2,000")  # refused with the limit named, never cut silently
    c.expect(PROMPT)
    c.send("half a line")
    c.sendintr()  # Ctrl-C cancels the line, not the session
    c.sendline("/help")
    c.expect("/sources N")
    c.expect(PROMPT)
    c.sendline("/quit")
    c.expect(pexpect.EOF)
    c.wait()
    assert c.exitstatus == 0
    assert "Traceback" not in (c.before or "")


def test_ctrl_d_quits_cleanly(index_dir: Path) -> None:
    child = spawn_chat(index_dir, color=True)
    child.sendeof()
    child.expect(pexpect.EOF)
    child.wait()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")


class _Out(io.StringIO):
    def isatty(self) -> bool:
        return False


def test_session_handles_odd_input_without_raising(qa) -> None:  # type: ignore[no-untyped-def]
    from naltrexone_qa.frontends.chat import ChatSession

    out = _Out()
    s = ChatSession(qa, out)
    for line in [
        "",
        "   ",
        "/",
        "/sources",
        "/sources 1",
        "/sources x",
        "\x00\x1b[31m",
        "/" + "x" * 10_000,
        "?" * 10_000,
        "/reset now",
        "/history",
    ]:
        assert s.handle(line) is True
    assert s.handle("/QUIT") is False
    text = out.getvalue()
    assert "Unknown command" in text and "Traceback" not in text


def test_session_followup_and_reset(qa) -> None:  # type: ignore[no-untyped-def]
    from naltrexone_qa.frontends.chat import ChatSession

    out = _Out()
    s = ChatSession(qa, out)
    s.handle("Can naltrexone be taken together with gabapentin?")
    s.handle("What side effects should I watch for?")
    assert s.last is not None and "gabapentin" in (s.last.resolved_question or "")
    assert any(c.doc_id == "naltrexone-gabapentin" for c in s.last.citations)
    s.handle("/sources 1")
    assert ">>" in out.getvalue()
    s.handle("/reset")
    assert s.history == [] and s.last is None
    s.handle("What side effects should I watch for?")
    assert s.last is not None and s.last.resolved_question == s.last.question


def test_context_span_stays_in_section(qa) -> None:  # type: ignore[no-untyped-def]
    from naltrexone_qa.render.text import context_span, source_text

    sid = next(s.id for s in qa.sentences if s.answerable)
    c = qa.citation(sid, 1)
    lo, hi = context_span(c, qa.sentences)
    assert lo <= c.start < c.end <= hi
    doc = qa.documents[c.doc_id]
    assert f">>{c.text}<<" in source_text(c, doc.text, (lo, hi))
