"""A fast claims check (issue 16): the package's facts in the cache, and what the check imports.

Every test here uses its own cache folder (``XDG_CACHE_HOME`` in ``tmp_path``). The cached
facts must give the same answers as the package itself: the same figures, the same unit
conversions, the same verdicts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

import corridor
from corridor import units
from corridor.claims import check_article
from corridor.claims import facts as facts_module
from corridor.claims.conversions import UNITS, Units, conversion_table
from corridor.claims.facts import Facts, facts_key, load_facts
from corridor.package import load_package

from .toy import aged_copy

SRC = Path(__file__).resolve().parents[1] / "src"
DATE = date(2025, 6, 1)
#: Our own text (no third-party article): a route volume, a share, a capacity, a production
#: figure, barrels per day, a part-year figure and a country's deliveries.
TEXT = (
    "Kazakhstan shipped 54 million tonnes of oil via the Caspian Pipeline Consortium in 2024. "
    "About 80% of Kazakhstan's oil exports went through Russia in 2023. "
    "The BTC pipeline can carry 1.2 million barrels per day. "
    "Kazakhstan produced 90 million tons of oil in 2024. "
    "In the first quarter of 2024, Kazakhstan exported 17 million tonnes of crude. "
    "Kazakhstan delivered 10 million tonnes of oil to China in 2023.\n"
)
HEAVY = ("pandas", "scipy", "highspy", "pint", "numpy")


def entries(home: Path) -> list[Path]:
    return sorted((home / "corridor" / "claims").glob("*.json"))


class Loads:
    """A package loader that counts its calls (each is a full load, not a cache hit)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def __call__(self) -> corridor.Network:
        self.count += 1
        return load_package(self.folder)


def checked(folder: Path) -> tuple[dict[str, object], Loads]:
    """Check `TEXT` with the facts `load_facts` gives, store them; the check and the loader."""
    loads = Loads(folder)
    cached = load_facts(folder, loads)
    out = check_article(TEXT, n=cached.facts, date=DATE).to_dict()
    cached.store()
    return out, loads


def test_cached_facts_give_the_answers_of_the_package(cache_home: Path, tmp_path: Path) -> None:
    folder = aged_copy(tmp_path)
    n = load_package(folder)  # a network of its own: reconciled afresh, as a new process
    direct = check_article(TEXT, n=n, date=DATE).to_dict()
    assert len(direct["claims"]) >= 5  # the text's claims are found, so the check means something
    cold, first = checked(folder)
    assert first.count == 1
    assert len(entries(cache_home)) == 1
    assert entries(cache_home)[0].stat().st_mode & 0o777 == 0o600
    assert (cache_home / "corridor" / "claims").stat().st_mode & 0o777 == 0o700
    warm, second = checked(folder)
    assert second.count == 0  # every figure from the cache: the package is never loaded
    assert json.dumps(cold) == json.dumps(direct)  # every digit
    assert json.dumps(warm) == json.dumps(direct)


def test_the_cached_entry_equals_freshly_built_facts(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = aged_copy(tmp_path)
    checked(folder)  # writes the entry, with the figures the text asks for
    (entry,) = entries(cache_home)
    written = entry.read_bytes()
    key = facts_key(folder)
    assert key is not None
    cached = facts_module.read(folder, key[0], Loads(folder))
    assert cached is not None
    assert cached.tree is not None
    assert sum(len(t) for t in cached.tree.values()) >= 2  # figures of more than one year
    header = facts_module.FORMAT + key[0].encode() + b"\n"
    assert written == header + json.dumps(cached.to_json(), separators=(",", ":")).encode()
    # built again from scratch (another cache folder, the package loaded afresh): the same
    other = tmp_path / "other"
    monkeypatch.setenv("XDG_CACHE_HOME", str(other))
    checked(folder)
    (again,) = entries(other)
    assert again.read_bytes() == written


def test_figures_cached_by_one_article_give_another_the_digits_of_an_uncached_check(
    cache_home: Path, tmp_path: Path
) -> None:
    folder = aged_copy(tmp_path)
    parts = TEXT.split(". ")
    first = ". ".join(reversed(parts[:4])) + "."  # some of the figures, in another order
    loads = Loads(folder)
    cached = load_facts(folder, loads)
    check_article(first, n=cached.facts, date=DATE)
    cached.store()
    n = load_package(folder)  # a network of its own: reconciled afresh, as a new process
    alone = check_article(TEXT, n=n, date=DATE).to_dict()
    after, _ = checked(folder)
    assert json.dumps(after) == json.dumps(alone)  # every digit, not only to a tolerance
    warm, loads = checked(folder)
    assert loads.count == 0
    assert json.dumps(warm) == json.dumps(alone)


def test_a_changed_package_file_invalidates_the_entry(cache_home: Path, tmp_path: Path) -> None:
    folder = aged_copy(tmp_path)
    checked(folder)
    before = facts_key(folder)
    descriptor = folder / "datapackage.json"
    data = json.loads(descriptor.read_text(encoding="utf-8"))
    data["title"] = data.get("title", "") + " (edited)"
    descriptor.write_text(json.dumps(data), encoding="utf-8")
    past = time.time() - 60
    os.utime(descriptor, (past, past))
    after = facts_key(folder)
    assert before is not None
    assert after is not None
    assert before[0] != after[0]
    _, loads = checked(folder)
    assert loads.count == 1  # read again from the package, not from the old entry


@pytest.mark.parametrize(
    "damage",
    [
        b"not json at all",
        b"corridor-claims-facts 1\nsomeone-elses-key\n{}",  # a foreign entry
        b"",  # an empty file
    ],
)
def test_a_damaged_or_foreign_entry_is_ignored_and_rewritten(
    cache_home: Path, tmp_path: Path, damage: bytes
) -> None:
    folder = aged_copy(tmp_path)
    direct, _ = checked(folder)
    (entry,) = entries(cache_home)
    entry.write_bytes(damage)
    again, loads = checked(folder)
    assert loads.count == 1  # the entry was not trusted
    assert again == direct
    assert entry.read_bytes().startswith(facts_module.FORMAT)  # rewritten whole
    _, loads = checked(folder)
    assert loads.count == 0


def test_an_entry_with_the_right_key_but_malformed_data_is_ignored(
    cache_home: Path, tmp_path: Path
) -> None:
    folder = aged_copy(tmp_path)
    direct, _ = checked(folder)
    (entry,) = entries(cache_home)
    key = facts_key(folder)
    assert key is not None
    header = facts_module.FORMAT + key[0].encode() + b"\n"
    entry.write_bytes(header + b'{"meta": [1, 2]}')
    again, loads = checked(folder)
    assert loads.count == 1
    assert again == direct


def test_an_entry_others_may_write_is_not_read(cache_home: Path, tmp_path: Path) -> None:
    folder = aged_copy(tmp_path)
    checked(folder)
    (entry,) = entries(cache_home)
    entry.chmod(0o666)
    _, loads = checked(folder)
    assert loads.count == 1


def test_no_cache_env_writes_nothing(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORRIDOR_NO_CACHE", "1")
    folder = aged_copy(tmp_path)
    checked(folder)
    _, loads = checked(folder)
    assert loads.count == 1
    assert entries(cache_home) == []


def test_the_conversion_table_converts_exactly_as_pint() -> None:
    table = Units(conversion_table())
    for unit in UNITS:
        assert table.needs_grade(unit) == units.needs_grade(unit)
        for value in (0.3, 1.0, 1.2, 7.77, 54.0, 1886.0, 1.4e6):
            for bpt in (None, 7.3, 7.55):
                for days in (1.0, 90.0, 91.0, 365.25):
                    want = _or_error(units.amount_in_mt, value, unit, days, bpt)
                    assert _or_error(table.amount_in_mt, value, unit, days, bpt) == want
                if table.is_rate(unit):
                    want = _or_error(units.to_canonical_rate, value, unit, bpt)
                    assert _or_error(table.to_canonical_rate, value, unit, bpt) == want


def _or_error(f: object, *args: object) -> object:
    try:
        return f(*args)  # type: ignore[operator]
    except corridor.CorridorError as exc:
        return str(exc)


def test_facts_read_capacities_and_destinations_as_the_network_does(
    kazakhstan: corridor.Network,
) -> None:
    n = kazakhstan
    facts = Facts.of(n)
    exporters = sorted(facts.exporters | {""})
    for year in (2018, *n.meta.years):
        for route in n.routes.index:
            for exporter in exporters:
                row = n.in_force(n.capacities, year, route=route, exporter=exporter)
                found = facts.in_force(year, route=str(route), exporter=exporter)
                assert (None if row is None else float(row["capacity"])) == (
                    None if found is None else found.value
                )
    for node in n.nodes.index:
        for exporter in exporters:
            assert facts.destination_country(exporter, str(node)) == n.destination_country(
                exporter, str(node)
            )


def run_cli(home: Path, article: Path, *args: str) -> tuple[str, list[str]]:
    """Run ``corridor claims check`` in a fresh interpreter; its output and the heavy modules."""
    script = (
        "import runpy, sys\n"
        f"sys.argv = ['corridor', 'claims', 'check', {str(article)!r}, *{list(args)!r}]\n"
        "try:\n"
        "    runpy.run_module('corridor', run_name='__main__', alter_sys=True)\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC), "XDG_CACHE_HOME": str(home), "COLUMNS": "120"}
    env.pop("CORRIDOR_NO_CACHE", None)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    heavy = done.stderr.rsplit("HEAVY=", 1)[1].strip()
    return done.stdout, [m for m in heavy.split(",") if m]


def test_a_warm_claims_check_imports_no_pandas_scipy_highspy_pint_or_numpy(
    tmp_path: Path,
) -> None:
    article = tmp_path / "article.txt"
    article.write_text(TEXT, encoding="utf-8")
    home = tmp_path / "xdg"
    cold_json, cold_heavy = run_cli(home, article, "--date", str(DATE), "--format", "json")
    assert "pandas" in cold_heavy  # the first check loads the package
    warm_json, warm_heavy = run_cli(home, article, "--date", str(DATE), "--format", "json")
    assert warm_heavy == []
    assert warm_json == cold_json
    assert len(json.loads(warm_json)["claims"]) >= 5
    table, table_heavy = run_cli(home, article, "--date", str(DATE))
    assert table_heavy == []
    assert "contradicted" in table or "supported" in table


def test_past_the_cap_figures_are_computed_and_not_kept(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(facts_module, "MAX_FIGURES", 2)
    folder = aged_copy(tmp_path)
    n = load_package(folder)
    direct = check_article(TEXT, n=n, date=DATE).to_dict()
    cold, _ = checked(folder)
    warm, loads = checked(folder)
    key = facts_key(folder)
    assert key is not None
    cached = facts_module.read(folder, key[0], Loads(folder))
    assert cached is not None
    assert cached.tree is not None
    assert sum(facts_module._size(t) for t in cached.tree.values()) == 2
    assert loads.count == 1  # the figures past the cap need the package
    assert json.dumps(cold) == json.dumps(direct)
    assert json.dumps(warm) == json.dumps(direct)
