"""Errors that mean 'the input is wrong' (exit code 2), as opposed to a failure of the tool (1)."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input: names the file, the row or key, what was wrong and what is allowed.

    The CLI prints ``str(err)`` on one line and exits with code 2.
    """

    def __init__(self, source: str | Path | None, where: str | None, problem: str):
        self.source = str(source) if source is not None else None
        self.where = where
        self.problem = " ".join(str(problem).split())  # always one line
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
