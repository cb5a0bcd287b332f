"""Where Corridor keeps what it caches for the user, and the switch that turns caching off.

``$XDG_CACHE_HOME/corridor`` (default ``~/.cache/corridor``): loaded packages
(`corridor.package.cache`), each package's claims evidence (`corridor.claims.facts`) and
pint's parsed unit definitions (`corridor.units.registry`). ``CORRIDOR_NO_CACHE=1`` turns them
all off.

The helpers the caches share live here, importing nothing heavy, so a cache can be checked
without pandas: `files` (a folder's files in a fixed order), `source_fingerprint` (Corridor's
own files), `private` (a path only this user may write) and `write_private` (an atomic write
of a private file).
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import time
from functools import cache
from pathlib import Path

#: Corridor's own folder (the ``corridor`` package), fingerprinted by `source_fingerprint`.
SOURCE = Path(__file__).resolve().parent


def enabled() -> bool:
    """Return False when ``CORRIDOR_NO_CACHE`` is set to anything but ``""`` or ``0``."""
    return os.environ.get("CORRIDOR_NO_CACHE", "") in ("", "0")


def root() -> Path:
    """Return ``$XDG_CACHE_HOME/corridor`` (when absolute), else ``~/.cache/corridor``."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    return (
        Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    ) / "corridor"


def files(folder: Path, limit: int) -> list[Path] | None:
    """Return the files under `folder` in a fixed order; None past `limit` files.

    Hidden files and folders and ``__pycache__`` are left out.
    """
    out: list[Path] = []
    for here, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        out += [Path(here) / name for name in sorted(names) if not name.startswith(".")]
        if len(out) > limit:
            return None
    return out


@cache
def source_fingerprint() -> str:
    """Fingerprint Corridor's own files (names, sizes, mtimes), once a process."""
    h = hashlib.sha256()
    for path in files(SOURCE, limit=100_000) or []:
        if path.suffix in (".py", ".json", ".csv", ".txt"):
            st = path.stat()
            h.update(f"{path.relative_to(SOURCE)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def private(path: Path) -> bool:
    """Return True when `path` belongs to this user and no one else may write it."""
    try:
        st = path.lstat()
    except OSError:
        return False
    owner = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return owner and not stat.S_ISLNK(st.st_mode) and not st.st_mode & 0o022


def write_private(directory: Path, name: str, data: bytes) -> None:
    """Write `data` as ``directory/name`` (mode 0600, folders 0700), atomically.

    Nothing is written unless `directory` and its parent are private (`private`); any error
    leaves no file (a cache that cannot be written is no cache).
    """
    tmp = None
    try:
        directory.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        directory.mkdir(exist_ok=True, mode=0o700)
        if not (private(directory.parent) and private(directory)):
            return
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")  # mode 0600
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, directory / name)
        tmp = None
    except Exception:  # a cache that cannot be written is no cache
        pass
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def entry(directory: Path, folder: Path, suffix: str) -> Path:
    """Return the path of the cache entry of package `folder` in `directory`."""
    name = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:32]
    return directory / f"{name}{suffix}"


def read_private(path: Path, header: bytes) -> bytes | None:
    """Return what follows `header` in the cache entry `path`; None where it may not be used.

    None when the entry, its folder or theirs is not private (`private`), when it does not start
    with `header` (another version, another package: its data is never used), or cannot be read.
    """
    if not all(map(private, (path.parent.parent, path.parent, path))):
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data[len(header) :] if data.startswith(header) else None


#: Seconds after its last change that a file counts as freshly written (`hash_folder`).
FRESH_SECONDS = 2.0
#: A folder with more files or bytes than these is not cached (hashing it would cost more than
#: it saves; ``corridor validate /`` must not read the whole disk).
MAX_FILES = 2_000
MAX_BYTES = 64 * 2**20


def hash_folder(
    h: hashlib._Hash, folder: Path, *, max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES
) -> bool | None:
    """Feed every file of `folder` (name and content) to `h`.

    Return True when a file was modified in the last `FRESH_SECONDS` (its
    mtime could still change without its size). None for a folder with more than `max_files`
    files or `max_bytes` bytes, a symbolic link or anything but plain files in it (the hash
    never reads a file outside the folder), or one that cannot be read.
    """
    fresh, size, now = False, 0, time.time()
    try:
        found = files(folder, max_files)
        if found is None:
            return None
        for path in found:
            st = path.lstat()  # a symbolic link is not followed: such a folder is not hashed
            size += st.st_size
            if size > max_bytes or not stat.S_ISREG(st.st_mode):
                return None
            fresh = fresh or now - st.st_mtime < FRESH_SECONDS
            data = path.read_bytes()
            h.update(f"{path.relative_to(folder)}\0{len(data)}\0".encode())
            h.update(data)
    except OSError:
        return None
    return fresh
