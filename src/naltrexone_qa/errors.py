"""Errors a user can act on; every front end turns them into a message and an exit code.

Why one hierarchy: the command line, the chat, Slack and the evaluation harness
all meet the same problems (a bad corpus file, an unknown mode, a malformed
data file), and each must be reported the same way: the message as is, a
non-zero exit code, never a traceback.
"""


class QAError(Exception):
    """Base class: the message is shown to the user as is."""

    exit_code = 1


class CorpusError(QAError):
    """The corpus folder or one of its files cannot be used."""

    exit_code = 2


class IndexBuildError(QAError):
    """The index cannot be built or read."""


class ModelError(QAError):
    """The embedding model (or an adapter) cannot be loaded."""

    exit_code = 2


class UsageError(QAError):
    """Bad input from the user (empty question, unknown option value and the like)."""

    exit_code = 2


class DataError(UsageError):
    """A data file (Q&A set, pairs, benchmark) is malformed; the message names file and line."""


class TooLongError(UsageError):
    """Input over a configured size limit (the HTTP API answers 413 instead of 422)."""
