"""A cache of loaded, validated packages, so a command need not re-read and re-check them.

Reading and validating a package takes about half a second (most of it parsing units); a
command that only looks something up (``corridor claims check``) is otherwise mostly that. The
cache keeps the `Network` of a valid package as a pickle in the user's own cache folder:
``$XDG_CACHE_HOME/corridor/packages`` (default ``~/.cache/corridor/packages``).

An entry is used only when its key matches exactly: the SHA-256 of every file in the package
folder (name and content), Corridor's version and its source files (name, size, mtime),
and the versions of Python, pandas and numpy. The key is stored as a text header read *before*
anything is unpickled, so an entry from another version or another package is never unpickled.
A damaged or unreadable entry is ignored and rewritten; entries are written to a temporary file
and renamed into place, so a reader never sees half of one.

Safety: unpickling runs code, so an entry is read only from the current user's cache folder
when that folder and the file belong to the user and neither is writable by group or others
(as ``ssh`` does with ``~/.ssh``); otherwise the cache is not used. A package with a file
modified in the last two seconds is not cached (its mtime could still change without its
size), nor one with a symbolic link in it (the key never reads a file outside the folder).
``CORRIDOR_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from corridor import cachedir

if TYPE_CHECKING:
    from corridor.network import Network

#: Bumped when the entry format changes.
FORMAT = b"corridor-package-cache 1\n"


def enabled() -> bool:
    """Return whether caching is on (`corridor.cachedir.enabled`)."""
    return cachedir.enabled()


def cache_dir() -> Path:
    """Return the folder of the cache entries (``$XDG_CACHE_HOME/corridor/packages``)."""
    return cachedir.root() / "packages"


def package_key(folder: Path) -> tuple[str, bool] | None:
    """Return the key of a package folder's entry and whether a file in it is freshly written.

    The key hashes every file's name and content, with the versions the entry depends on; None
    for a folder too large to cache (`cachedir.MAX_FILES`, `cachedir.MAX_BYTES`) or that cannot be
    read.
    """
    import numpy as np
    import pandas as pd

    from corridor import __version__

    h = hashlib.sha256()
    versions = (
        __version__,
        sys.version,
        pd.__version__,
        np.__version__,
        cachedir.source_fingerprint(),
    )
    h.update(repr(versions).encode())
    fresh = cachedir.hash_folder(h, folder)
    if fresh is None:
        return None
    return h.hexdigest(), fresh


def _entry(folder: Path) -> Path:
    return cachedir.entry(cache_dir(), folder, ".pickle")


def read(folder: Path, key: str) -> Network | None:
    """Return the cached `Network` of `folder` when its entry has this key; else None."""
    data = cachedir.read_private(_entry(folder), FORMAT + key.encode() + b"\n")
    if data is None:
        return None  # not private, another version or another package: never unpickled
    try:
        network = pickle.loads(data)  # the user's own private cache, see above
    except Exception:  # a damaged entry is ignored, then rewritten
        return None
    from corridor.network import Network

    return network if isinstance(network, Network) else None


def write(folder: Path, key: str, network: Network) -> None:
    """Store `network` as the entry of `folder` (atomically); any error leaves no entry."""
    try:
        data = FORMAT + key.encode() + b"\n" + pickle.dumps(network, pickle.HIGHEST_PROTOCOL)
    except Exception:  # a network that cannot be pickled is not cached
        return
    cachedir.write_private(cache_dir(), _entry(folder).name, data)
