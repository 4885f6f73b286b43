"""Errors a user can act on; the CLI turns them into a message and exit code."""


class QAError(Exception):
    """Base class: the message is shown to the user as is."""

    exit_code = 1


class CorpusError(QAError):
    """The corpus folder or one of its files cannot be used."""

    exit_code = 2


class IndexBuildError(QAError):
    """The index cannot be built or read."""


class ModelError(QAError):
    """The embedding model cannot be loaded."""

    exit_code = 2


class UsageError(QAError):
    """Bad input from the user (empty question and the like)."""

    exit_code = 2
