"""Errors that mean 'the input is wrong' (exit code 2), as opposed to a failure of the tool (1)."""

from __future__ import annotations

from pathlib import Path


def _clean(text, limit: int) -> str:
    """One printable line, cut to ``limit`` characters (a file name that is not UTF-8 is escaped)."""
    text = " ".join(str(text).split()).encode("utf-8", "backslashreplace").decode("utf-8")
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class InputError(Exception):
    """Bad input: names the file, the row or key, what was wrong and what is allowed.

    The CLI prints ``str(err)`` on one line and exits with code 2.
    """

    def __init__(self, source: str | Path | None, where: str | None, problem: str):
        self.source = _clean(str(source), 1000) if source is not None else None
        self.where = _clean(where, 500) if where is not None else None
        self.problem = _clean(problem, 1000)  # always one line, never a whole expanded input
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = []
        if self.source:
            parts.append(self.source)
        if self.where:
            parts.append(self.where)
        loc = ": ".join(parts)
        return f"{loc}: {self.problem}" if loc else self.problem

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class NotComputed(Exception):
    """A table cannot be computed from the inputs given (not an error: the table is skipped, and
    ``run``, ``check`` and the pack say why). The message is one plain sentence, for example
    "fewer than 20 surveyed homes: the quantile regression of costs is not estimated"."""
