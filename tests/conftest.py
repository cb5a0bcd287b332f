"""Fixtures: `toy` (a package small enough to work out by hand), `kazakhstan`, `cli`.

The toy's tables and the package writer are plain helpers in ``toy.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import corridor

from .toy import Rows, toy_tables, write_package


@pytest.fixture
def make_toy(tmp_path: Path) -> Callable[..., Path]:
    """Write the toy package after `edit(rows)` and return its folder."""

    def make(edit: Callable[[Rows], None] | None = None, **kw: Any) -> Path:
        rows = toy_tables()
        if edit:
            edit(rows)
        return write_package(tmp_path / "toy", rows, **kw)

    return make


@pytest.fixture
def toy(make_toy: Callable[..., Path]) -> corridor.Network:
    return corridor.load_package(make_toy())


@pytest.fixture(scope="session")
def kazakhstan() -> corridor.Network:
    return corridor.load_package()


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache folder (``XDG_CACHE_HOME``) for the test, caching on."""
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("CORRIDOR_NO_CACHE", raising=False)
    return home
