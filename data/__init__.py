"""Storage and reference data. Every SQL statement of småjobs lives in this package."""
import sys as _sys


def _import_sqlite_utils_without_numerics() -> None:
    """sqlite-utils imports numpy (and pandas) when installed, only to map their scalar types to
    column types - values småjobs never stores. That import costs every command, `smajobs
    export` included, the start-up of numpy (issue 11: commands that do not match import no
    numerics). So sqlite-utils is imported first, here, with the two hidden; a later
    `import numpy` (the matcher) works as usual."""
    if "sqlite_utils" in _sys.modules:
        return
    hidden = [name for name in ("numpy", "pandas") if name not in _sys.modules]
    for name in hidden:
        _sys.modules[name] = None     # makes `import name` raise ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            del _sys.modules[name]


_import_sqlite_utils_without_numerics()
