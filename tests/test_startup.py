"""Start fast (issue 16): the cache of loaded packages, and what the CLI imports at start.

Every test here uses its own cache folder (``XDG_CACHE_HOME`` in ``tmp_path``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import corridor
import corridor.package as package_module
from corridor.network import Network
from corridor.package import builtin_path, cache, load_package

from .toy import aged_copy

SRC = Path(__file__).resolve().parents[1] / "src"


def entries(home: Path) -> list[Path]:
    return sorted((home / "corridor" / "packages").glob("*.pickle"))


class Reads:
    """Counts the full reads of a package (`corridor.package._read`)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = package_module._read

        def counted(folder: Path) -> Any:
            self.count += 1
            return original(folder)

        monkeypatch.setattr(package_module, "_read", counted)


def same(a: Network, b: Network) -> None:
    assert a.meta == b.meta
    for name, frame in a.tables.items():
        pd.testing.assert_frame_equal(frame, b.tables[name])


def test_second_load_reads_the_cache_and_gives_the_same_network(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = aged_copy(tmp_path)
    reads = Reads(monkeypatch)
    first = load_package(folder)
    assert reads.count == 1
    assert len(entries(cache_home)) == 1
    second = load_package(folder)
    assert reads.count == 1  # from the cache
    assert second is not first
    same(first, second)
    mode = entries(cache_home)[0].stat().st_mode & 0o777
    assert mode == 0o600


def test_a_changed_file_of_the_same_size_is_read_again(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = aged_copy(tmp_path)
    load_package(folder)
    routes = folder / "routes.csv"
    text = routes.read_text(encoding="utf-8")
    stat = routes.stat()
    title = load_package(folder).meta.title
    descriptor = folder / "datapackage.json"
    changed = descriptor.read_text(encoding="utf-8").replace(title, title[::-1], 1)
    assert changed != descriptor.read_text(encoding="utf-8")
    descriptor.write_text(changed, encoding="utf-8")
    os.utime(descriptor, (stat.st_atime, stat.st_mtime))  # same size, same mtime: content differs
    reads = Reads(monkeypatch)
    assert load_package(folder).meta.title == title[::-1]
    assert reads.count == 1
    assert routes.read_text(encoding="utf-8") == text


def test_another_version_is_never_unpickled(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = aged_copy(tmp_path)
    load_package(folder)
    monkeypatch.setattr(corridor, "__version__", "999.0")

    def refuse(*args: object, **kw: object) -> object:
        msg = "unpickled an entry of another version"
        raise AssertionError(msg)

    monkeypatch.setattr(cache.pickle, "load", refuse)
    reads = Reads(monkeypatch)
    assert load_package(folder).meta.exporter == "KAZ"
    assert reads.count == 1


def test_a_damaged_entry_is_ignored_and_rewritten(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = aged_copy(tmp_path)
    load_package(folder)
    (entry,) = entries(cache_home)
    data = entry.read_bytes()
    entry.write_bytes(data[: len(data) // 2])  # key intact, pickle cut short
    reads = Reads(monkeypatch)
    assert load_package(folder).meta.exporter == "KAZ"
    assert reads.count == 1
    assert entry.read_bytes() == data  # rewritten whole
    load_package(folder)
    assert reads.count == 1


def test_no_cache_env_writes_nothing(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORRIDOR_NO_CACHE", "1")
    folder = aged_copy(tmp_path)
    reads = Reads(monkeypatch)
    load_package(folder)
    load_package(folder)
    assert reads.count == 2
    assert entries(cache_home) == []


def test_a_cache_folder_others_may_write_is_not_read(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = aged_copy(tmp_path)
    load_package(folder)
    (entry,) = entries(cache_home)
    entry.chmod(0o666)
    reads = Reads(monkeypatch)
    load_package(folder)
    assert reads.count == 1
    entry.chmod(0o600)
    entry.parent.chmod(0o777)
    load_package(folder)
    assert reads.count == 2
    entry.parent.chmod(0o700)
    load_package(folder)
    assert reads.count == 2  # private again: read from the cache


def test_freshly_written_packages_and_invalid_ones_are_not_cached(
    cache_home: Path, tmp_path: Path
) -> None:
    folder = shutil.copytree(builtin_path(), tmp_path / "fresh")
    (folder / "routes.csv").touch()
    load_package(folder)
    assert entries(cache_home) == []
    bad = aged_copy(tmp_path, "bad")
    (bad / "routes.csv").write_text("id\n", encoding="utf-8")
    with pytest.raises(corridor.PackageValidationError):
        load_package(bad)
    assert entries(cache_home) == []


def test_the_cli_imports_no_heavy_module_at_start() -> None:
    code = (
        "import sys, corridor.cli\n"
        "heavy = ('pandas', 'numpy', 'pint', 'scipy', 'plotly', 'highspy', 'pyarrow', 'dask')\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == ""


def test_a_cache_folder_that_cannot_be_made_is_not_an_error(tmp_path: Path) -> None:
    # XDG_CACHE_HOME under a file: neither the package cache nor pint's can make a folder there
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(blocker / "cache")}
    env.pop("CORRIDOR_NO_CACHE", None)
    code = "from corridor.units import registry; print(registry()('1 Mt/year').to('t/day').m > 0)"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-1500:]
    assert done.stdout.strip() == "True"


def test_compile_startup_writes_the_bytecode_of_the_help(tmp_path: Path) -> None:
    # `make run` calls it: with PYTHONDONTWRITEBYTECODE set, nothing else writes it
    prefix = tmp_path / "pyc"
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPYCACHEPREFIX": str(prefix),
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
    }
    script = Path(__file__).resolve().parents[1] / "scripts" / "compile_startup.py"
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    written = {p.name.split(".")[0] for p in prefix.rglob("*.pyc")}
    assert {"cli", "rich_utils", "console", "check", "facts"} <= written
