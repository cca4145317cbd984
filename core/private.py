"""Files that hold citizen data are private to the service's own user: the database (and the
WAL and shared-memory files SQLite makes beside it, which copy the database file's mode),
backups, access exports and the mail folder.

Two layers, so neither a careless umask nor a forgotten call leaks a file:
- every entry point (the CLI's main group, the web app factory) calls `restrict_umask()`, so
  whatever the process creates is owner-only, whatever umask it was started with;
- the code that creates those files asks for owner-only modes here explicitly, so library use
  (tests, another entry point) gets the same result.
A mode given to open/mkdir can only lose bits to the umask, never gain any, so these are safe
under any umask.
"""
from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
DIR_MODE = 0o700


def restrict_umask() -> int:
    """Make everything this process creates from now on owner-only; returns the old umask."""
    return os.umask(PRIVATE_UMASK)


def private_dir(path: str | Path) -> Path:
    """Create the folder (and missing parents) if needed; a folder created here is mode 700.
    An existing folder is left as the operator made it."""
    path = Path(path)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        os.chmod(path, DIR_MODE)
    return path


def create_private_file(path: str | Path) -> bool:
    """Create an empty owner-only file if none exists (True when created here)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    os.close(descriptor)
    return True


def temporary_beside(target: str | Path) -> Path:
    """A hidden name in the target's folder, so the final rename stays on one file system."""
    target = Path(target)
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def write_private(target: str | Path, data: bytes) -> Path:
    """Write `data` to `target` as a whole, owner-only file: written beside it, flushed to
    disk, then renamed over it, so a reader never sees half a file."""
    target = Path(target)
    temporary = temporary_beside(target)
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(descriptor, "wb") as stream:
            os.fchmod(stream.fileno(), FILE_MODE)  # an old temporary may have had other bits
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def fsync_path(path: str | Path) -> None:
    """Flush a file, or a folder's entries (after a rename into it), to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
