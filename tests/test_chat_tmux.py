"""The chat in a real terminal multiplexer: a follow-up that keeps the topic, as a person would see it.

tmux runs ``naltrexone-qa chat`` in a detached session; keys are sent with
``send-keys`` and the screen is read with ``capture-pane``, so this checks what
is drawn on a terminal, not only what the program writes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def _wait_for(session: str, text: str, timeout: float = 180.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-J", "-S", "-300", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.5)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


def test_follow_up_in_tmux_carries_what_was_asked_about(index_dir: Path):
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is not installed (.ci/run installs it)")
        pytest.skip("tmux is not installed")
    session = f"nqa-{uuid.uuid4().hex[:8]}"
    exe = Path(sys.executable).with_name("naltrexone-qa")
    command = (
        f"env HF_HUB_OFFLINE=1 NO_COLOR=1 {exe} chat --corpus {REPO / 'corpus'} --index {index_dir}; "
        "echo CHAT-EXITED-$?; sleep 30"
    )
    _tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "50", command)
    try:
        _wait_for(session, "Type a question")
        _tmux("send-keys", "-t", session, "Tell me about the monthly naltrexone injection.", "Enter")
        _wait_for(session, "(/sources N shows")
        _tmux("send-keys", "-t", session, "How long does it last?", "Enter")
        screen = _wait_for(session, "searched:")
        after = screen[screen.index("searched:") :]
        searched = " ".join(after.split("\n\n")[0].split())  # the note, however the terminal wrapped it
        assert "naltrexone injection" in searched, searched  # the shot, not naltrexone in general
        _tmux("send-keys", "-t", session, "/quit", "Enter")
        _wait_for(session, "CHAT-EXITED-0")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
