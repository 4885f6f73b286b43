"""The interactive chat: one loaded pipeline, a conversation, and slash commands.

The session object does the work and the loop only reads lines, so every
input path (prompt_toolkit on a terminal, plain lines from a pipe, tests) goes
through :meth:`ChatSession.handle`, which never lets a user's line raise.
Follow-ups are resolved by :mod:`~naltrexone_qa.answer.conversation` inside ``qa.ask``; the chat
only keeps the user turns.
"""

from __future__ import annotations

import logging
import sys
from typing import IO, Any, Callable, Optional

from ..answer.safety import NOTICE
from ..errors import QAError
from ..pipeline import QA
from ..render.text import about_line, context_span, render_answer, render_source, use_color
from ..types import Answer

log = logging.getLogger(__name__)

MAX_HISTORY = 8  # user turns kept; older topics only add noise to a follow-up
PROMPT = "> "
HELP = """Ask a question about naltrexone; answers are quoted from the articles, with [n] citations.
Follow-up questions ("is it addictive?") use the earlier turns; /reset starts a new topic.

  /sources N   the passage cited as [N] in the last answer, with the sentences around it
  /conflicts   where the articles disagree with each other
  /history     the questions of this conversation and what was searched
  /reset       forget the conversation
  /help        this help
  /quit        leave (or Ctrl-D); Ctrl-C cancels the current line"""


class ChatSession:
    """A conversation over one loaded :class:`QA`: turns, last answer, commands."""

    def __init__(self, qa: QA, out: Optional[IO[str]] = None) -> None:
        self.qa = qa
        self.out = out or sys.stdout
        self.turns: list[tuple[str, str]] = []  # (question, searched text)
        self.last: Optional[Answer] = None
        self.commands: dict[str, Callable[[str], bool]] = {
            "help": self.cmd_help,
            "sources": self.cmd_sources,
            "conflicts": self.cmd_conflicts,
            "reset": self.cmd_reset,
            "history": self.cmd_history,
            "quit": self.cmd_quit,
            "exit": self.cmd_quit,
        }

    @property
    def history(self) -> list[str]:
        """The user turns a follow-up is resolved against, oldest first."""
        return [q for q, _ in self.turns[-MAX_HISTORY:]]

    def say(self, text: str, style: str = "") -> None:
        """One message of ours; styled only when the output is a colour terminal."""
        if style and use_color(self.out):
            from rich.console import Console
            from rich.text import Text

            Console(file=self.out, highlight=False).print(Text(text, style=style))
        else:
            self.out.write(text + "\n")
        self.out.flush()

    def handle(self, line: str) -> bool:
        """Act on one line of input; False means the session should end."""
        try:
            text = line.strip()
            if not text:
                return True
            if text.startswith("/"):
                name, _, arg = text[1:].partition(" ")
                cmd = self.commands.get(name.lower())
                if cmd is None:
                    shown = name if len(name) <= 30 else name[:30] + "..."
                    self.say(f"Unknown command /{shown}. Type /help for the commands.", "yellow")
                    return True
                return cmd(arg.strip())
            self.ask(text)
        except QAError as exc:
            self.say(f"Error: {exc}", "red")
        except KeyboardInterrupt:
            self.say("(cancelled)", "dim")
        except Exception:  # a bug must not end the user's conversation
            log.exception("chat: unexpected error")
            self.say("Sorry, something went wrong with that line; the session continues.", "red")
        return True

    def ask(self, text: str) -> None:
        question = self.qa.clean(text)  # an over-long question is an error here as everywhere
        ans = self.qa.ask(question, history=self.history)
        self.turns.append((ans.question, ans.resolved_question or ans.question))
        self.last = ans
        render_answer(ans, self.out)  # with its not-medical-advice notice, as every answer everywhere
        if not ans.abstained:
            self.say("(/sources N shows a cited passage in context)", "dim")
        self.out.flush()

    def greet(self) -> None:
        """The one-line notice, then how to start."""
        self.say(NOTICE, "dim italic")
        self.say("Type a question, /help for commands, /quit to leave.", "dim")

    def cmd_help(self, arg: str) -> bool:
        self.say(HELP)
        return True

    def cmd_sources(self, arg: str) -> bool:
        if self.last is None or not self.last.citations:
            self.say("No cited answer yet: ask a question first.", "yellow")
            return True
        ns = [c.n for c in self.last.citations]
        if not arg.isdigit() or int(arg) not in ns:
            self.say(f"Usage: /sources N, where N is one of {', '.join(str(n) for n in ns)}.", "yellow")
            return True
        c = next(c for c in self.last.citations if c.n == int(arg))
        doc = self.qa.documents[c.doc_id]
        render_source(c, doc.text, context_span(c, self.qa.sentences), self.out, about=about_line(doc))
        self.out.flush()
        return True

    def cmd_conflicts(self, arg: str) -> bool:
        from ..disagree.conflict_map import group_by_topic
        from ..render.text import conflicts_lines, write_lines

        write_lines(conflicts_lines(group_by_topic(self.qa.conflicts())), self.out)
        self.out.flush()
        return True

    def cmd_reset(self, arg: str) -> bool:
        self.turns.clear()
        self.last = None
        self.say("Conversation forgotten; the next question starts a new topic.", "dim")
        return True

    def cmd_history(self, arg: str) -> bool:
        if not self.turns:
            self.say("No questions yet.", "dim")
            return True
        for i, (q, searched) in enumerate(self.turns, start=1):
            self.say(f"{i}. {q}")
            if searched != q:
                self.say(f"   searched: {searched}", "dim")
        return True

    def cmd_quit(self, arg: str) -> bool:
        return False


def run_loop(session: ChatSession, interactive: bool) -> None:
    """Read lines until /quit or end of input; Ctrl-C cancels only the current line."""
    if interactive:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import InMemoryHistory

        prompt: Any = PromptSession(history=InMemoryHistory())

        def read() -> str:
            return prompt.prompt(PROMPT)
    else:

        def read() -> str:
            if sys.stdin.isatty():  # a prompt only makes sense to someone typing
                session.out.write(PROMPT)
                session.out.flush()
            line = sys.stdin.readline()
            if not line:
                raise EOFError
            return line

    while True:
        try:
            line = read()
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        if not session.handle(line):
            break
    session.say("Goodbye.", "dim")
