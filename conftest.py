"""Make `corridor` available to the doctests in src/."""

from typing import Any

import pytest

import corridor

# Alembic's scripts run only inside Alembic; importing them for doctests would fail
collect_ignore = ["src/corridor/migrations"]


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace: dict[str, Any]) -> None:
    doctest_namespace["corridor"] = corridor
    import datetime

    doctest_namespace["datetime"] = datetime


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the package cache of the whole run (and its subprocesses) out of the user's."""
    import os

    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
