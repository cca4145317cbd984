"""The persisted match index: a folder beside the database, `<database>.matchindex/`.

    CURRENT                 the name of the generation in use (replaced atomically)
    gen-<version>-<id>/     one full build
        meta.json           format, matcher version, registry version, every file's size and CRC-32
        state.json          the text model's vocabularies and the analyzer's learnt words
        <name>.npy          the index's numpy arrays (memory-mapped when loaded)
        openings.jsonl      the openings, one JSON object a line, by record number
        openings.offsets.npy where each line starts

A generation is written whole into a temporary folder, renamed into place, and only then named
in CURRENT, so a reader sees the old index or the new one, never half of one. `load` checks
everything it can before the index is used - format and matcher version, file sizes, checksums,
array shapes, and that every row points inside its arrays - and answers None, with a log line
saying why, for anything it does not trust; the caller builds the index again.

The matcher stays pure: it turns an index into arrays and back (to_arrays/from_arrays); the
files are this module's business."""
from __future__ import annotations

import fcntl
import json
import logging
import mmap
import os
import shutil
import time
import uuid
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from core.private import create_private_file, fsync_path

logger = logging.getLogger(__name__)

FORMAT = 1
CURRENT = "CURRENT"
OPENINGS = "openings.jsonl"
OFFSETS = "openings.offsets.npy"
STATE = "state.json"
META = "meta.json"
# Generations other than the current one are removed once this old (seconds): a process that
# read CURRENT just before it changed still finds its files.
KEEP_OLD_SECONDS = 600


class UnusableIndex(Exception):
    """The persisted index is damaged or does not fit together."""


def folder_of(db_file: str | os.PathLike) -> Path:
    return Path(f"{os.fspath(db_file)}.matchindex")


@contextmanager
def build_lock(db_file: str) -> Iterator[None]:
    """Held while a process builds the index in full, so the worker processes of one
    `smajobs serve` build it once between them: the others wait, then load the one just saved.
    An advisory lock on a file beside the folder, released by the kernel if the process dies."""
    path = Path(f"{os.fspath(db_file)}.matchindex.lock")
    create_private_file(path)
    with path.open("rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- writing ---------------------------------------------------------------------------------

def save(db_file: str, index, version: int, registry_id: str) -> bool:
    """Persist a freshly built index at registry `version`. False (and nothing written) for an
    empty index or when the folder cannot be written; the index is then only kept in memory."""
    if not len(index):
        return False
    import matcher
    folder = folder_of(db_file)
    temporary = folder / f"tmp-{uuid.uuid4().hex}"
    try:
        temporary.mkdir(parents=True)
        arrays, state = index.to_arrays()
        files = {}
        for name, array in arrays.items():
            files[f"{name}.npy"] = _write_array(temporary / f"{name}.npy", array)
        offsets = _write_openings(temporary / OPENINGS, index.openings_by_record())
        files[OPENINGS] = _checksum(temporary / OPENINGS)
        files[OFFSETS] = _write_array(temporary / OFFSETS, offsets)
        files[STATE] = _write_bytes(temporary / STATE, json.dumps(state, ensure_ascii=False).encode())
        meta = {"format": FORMAT, "matcher_version": matcher.version(), "registry_id": registry_id,
                "registry_version": version,
                "rows": len(index), "records": len(offsets) - 1, "files": files}
        _write_bytes(temporary / META, json.dumps(meta, indent=1).encode())
        generation = folder / f"gen-{version}-{uuid.uuid4().hex[:8]}"
        temporary.rename(generation)
        _write_bytes(folder / f"{CURRENT}.{uuid.uuid4().hex}", generation.name.encode(), replace=folder / CURRENT)
        fsync_path(folder)
    except OSError as error:
        logger.warning("could not persist the match index in %s (%s); it is kept in memory only", folder, error)
        shutil.rmtree(temporary, ignore_errors=True)
        return False
    logger.info("match index persisted: %s (registry version %d, %d openings)", generation, version, len(index))
    _remove_old(folder)
    return True


def _write_array(path: Path, array) -> dict:
    import numpy as np
    with path.open("wb") as f:
        np.save(f, np.ascontiguousarray(array), allow_pickle=False)
        f.flush()
        os.fsync(f.fileno())
    return _checksum(path)


def _write_bytes(path: Path, data: bytes, replace: Path | None = None) -> dict:
    with path.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    if replace is not None:
        os.replace(path, replace)
        return {}
    return _checksum(path)


def _write_openings(path: Path, openings):
    """One JSON line per opening; returns where each line starts (and the end) as an array."""
    import numpy as np
    offsets = [0]
    with path.open("wb") as f:
        for opening in openings:
            line = json.dumps(opening_record(opening), ensure_ascii=False).encode() + b"\n"
            f.write(line)
            offsets.append(offsets[-1] + len(line))
        f.flush()
        os.fsync(f.fileno())
    return np.array(offsets, dtype=np.int64)


def opening_record(opening) -> dict:
    """An Opening as JSON-able fields; Opening(**record) makes it again."""
    record = {}
    for name, value in vars(opening).items():
        if isinstance(value, frozenset):
            value = sorted(value)
        elif isinstance(value, tuple):
            value = list(value)
        record[name] = value
    return record


def _remove_old(folder: Path) -> None:
    current = _current_name(folder)
    cutoff = time.time() - KEEP_OLD_SECONDS
    for path in folder.iterdir():
        if path.name == current or not path.name.startswith(("gen-", "tmp-", f"{CURRENT}.")):
            continue
        try:
            if path.stat().st_mtime < cutoff:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        except OSError:
            pass    # another process removed it first


# --- reading ---------------------------------------------------------------------------------

def load(db_file: str, registry_id: str, registry_version: int):
    """(index, registry version) of the persisted index, or None when there is none or it is
    not to be trusted (logged): damaged, made by another matcher version, or for another
    database (another registry id, or a version ahead of the database's own)."""
    folder = folder_of(db_file)
    current = _current_name(folder)
    if current is None:
        return None
    generation = folder / current
    try:
        meta = json.loads((generation / META).read_bytes())
        if not _current_format(meta, generation):
            return None
        if meta.get("registry_id") != registry_id or int(meta["registry_version"]) > registry_version:
            logger.info("match index %s belongs to another database; building it again", generation)
            return None
        return _load_generation(generation, meta), int(meta["registry_version"])
    except (OSError, ValueError, KeyError, TypeError, UnusableIndex) as error:
        logger.warning("match index %s is damaged (%s: %s); building it again", generation,
                       type(error).__name__, error)
        return None


def _current_name(folder: Path) -> str | None:
    try:
        name = (folder / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError) as error:
        logger.warning("match index pointer %s is unreadable (%s); building it again", folder / CURRENT, error)
        return None
    if not name.startswith("gen-") or "/" in name:
        logger.warning("match index pointer %s is damaged; building it again", folder / CURRENT)
        return None
    return name


def _current_format(meta: dict, generation: Path) -> bool:
    import matcher
    if meta.get("format") != FORMAT or meta.get("matcher_version") != matcher.version():
        logger.info("match index %s was made by another version of the matcher (%s); building it again",
                    generation, meta.get("matcher_version"))
        return False
    return True


def _load_generation(generation: Path, meta: dict):
    from matcher.index import ROW_ARRAYS, MatchIndex
    files = meta["files"]
    for name, expected in files.items():
        _verify(generation / name, expected)
    arrays = {name[:-len(".npy")]: _load_array(generation / name)
              for name in files if name.endswith(".npy") and name != OFFSETS}
    state = json.loads((generation / STATE).read_bytes())
    openings = StoredOpenings(generation / OPENINGS, _load_array(generation / OFFSETS))
    _check_shapes(arrays, meta, len(openings), ROW_ARRAYS)
    return MatchIndex.from_arrays(arrays, state, openings)


def _verify(path: Path, expected: dict) -> None:
    actual = _checksum(path)
    if actual != expected:
        raise UnusableIndex(f"{path.name}: size or checksum differs from meta.json")


def _checksum(path: Path) -> dict:
    size = path.stat().st_size
    crc = 0
    with path.open("rb") as f:
        if size:
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as view:
                crc = zlib.crc32(view)
    return {"size": size, "crc32": crc}


def _load_array(path: Path):
    import numpy as np
    # A plain ndarray view of the same mapped pages: numpy.memmap's Python-level __getitem__
    # costs microseconds on every scalar read, and a match reads hundreds of them.
    return np.load(path, mmap_mode="r", allow_pickle=False).view(np.ndarray)


def _check_shapes(arrays: dict, meta: dict, n_records: int, row_arrays: tuple[str, ...]) -> None:
    """Every array the right length, and every index into another array inside it, so a
    damaged file that slipped past the checksums still cannot send a query out of bounds."""
    import numpy as np
    rows = int(meta["rows"])
    if n_records != int(meta["records"]):
        raise UnusableIndex("the number of openings differs from meta.json")
    for name in row_arrays:
        if arrays[name].shape != (rows,):
            raise UnusableIndex(f"{name} has {arrays[name].shape} rows, not {rows}")
    indptr, indices = arrays["text_indptr"], arrays["text_indices"]
    n_text_rows = len(indptr) - 1
    if (len(indptr) == 0 or indptr[0] != 0 or indptr[-1] != len(indices) or len(arrays["text_data"]) != len(indices)
            or np.any(np.diff(indptr) < 0)):
        raise UnusableIndex("the text matrix does not fit together")
    if rows and (arrays["text_row"].min() < 0 or arrays["text_row"].max() >= n_text_rows
                 or arrays["record"].min() < 0 or arrays["record"].max() >= n_records):
        raise UnusableIndex("a row points outside the text matrix or the openings")


class StoredOpenings:
    """The persisted openings, read one at a time when a match needs one (the top N of a
    query), so loading an index does not make 100,000 Opening objects."""

    def __init__(self, path: Path, offsets):
        self._offsets = offsets
        with path.open("rb") as f:
            self._view = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if path.stat().st_size else b""
        self._cache: dict[int, object] = {}

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, record: int):
        opening = self._cache.get(record)
        if opening is None:
            from matcher import Opening
            start, end = int(self._offsets[record]), int(self._offsets[record + 1])
            opening = self._cache[record] = Opening(**json.loads(self._view[start:end]))
        return opening
