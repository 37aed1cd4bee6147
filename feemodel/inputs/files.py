"""Reading an input file safely: a regular file only, never blocking, within a size limit.

A path that is not a regular file (a folder, a FIFO, a device) is refused before it is opened, and
the file is opened without blocking and checked again once open, so a FIFO swapped in between the
two checks cannot hang the tool. Every problem is an :class:`~feemodel.errors.InputError`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import InputError


def read_regular_file(path: Path, give: str, missing: str = "file not found", limit: int | None = None) -> bytes:
    """The bytes of ``path``. ``give`` names what is wanted ("a CSV file"), for the error message;
    ``missing`` is the message for a path that does not exist; ``limit`` caps the size in bytes."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(path, None, missing) from None
    except (OSError, ValueError) as exc:  # a NUL byte in the name, a name too long, no permission
        name = str(path) if len(str(path)) <= 120 else str(path)[:117] + "..."
        raise InputError(name, None, f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(path, None, f"is a folder, not a regular file; give {give}")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(path, None, f"is not a regular file (a pipe or device); give {give}")
    if limit is not None and st.st_size > limit:
        raise InputError(path, None, f"is {st.st_size:,} bytes; {give} is at most {limit:,} bytes")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise InputError(path, None, f"cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise InputError(path, None, f"is not a regular file (a pipe or device); give {give}")
        return fh.read() if limit is None else fh.read(limit + 1)
