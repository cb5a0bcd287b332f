"""Where Corridor keeps what it caches for the user, and the switch that turns caching off.

``$XDG_CACHE_HOME/corridor`` (default ``~/.cache/corridor``): loaded packages
(`corridor.package.cache`) and pint's parsed unit definitions (`corridor.units.registry`).
``CORRIDOR_NO_CACHE=1`` turns both off.
"""

from __future__ import annotations

import os
from pathlib import Path


def enabled() -> bool:
    """Return False when ``CORRIDOR_NO_CACHE`` is set to anything but ``""`` or ``0``."""
    return os.environ.get("CORRIDOR_NO_CACHE", "") in ("", "0")


def root() -> Path:
    """Return ``$XDG_CACHE_HOME/corridor`` (when absolute), else ``~/.cache/corridor``."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    return (
        Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    ) / "corridor"
