"""Make `corridor` available to the doctests in src/."""

from typing import Any

import pytest

import corridor


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace: dict[str, Any]) -> None:
    doctest_namespace["corridor"] = corridor
    import datetime

    doctest_namespace["datetime"] = datetime
