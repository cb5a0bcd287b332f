"""Several packages as one network: shared ids are one asset, a conflict is an error.

Packages that share nodes and routes (the Caspian tanker routes, BTC, CPC) are read together so
that one network carries every exporter's oil: a BTC outage then strands Kazakh, Azerbaijani and
Turkmen oil at once. A row with the same id in two packages (a node, a route, a source, an
observation …) must be the same row; a table of figures keyed by exporter, route and year
(flows, supply, capacities …) keeps a repeated row once, and a key given two different figures
is a conflict. Every conflict is reported, naming both packages' files, the id and the field
that differs, and nothing is merged.

Examples
--------
>>> from corridor.package import load_package
>>> n = merge_networks([load_package(), load_package()])
>>> n.meta.name, len(n.routes) == len(load_package().routes)
('kazakhstan+kazakhstan', True)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from corridor.exceptions import InvalidArgumentError, PackageValidationError, Problem
from corridor.network import Network, PackageMeta

#: The columns that make a figure's key in tables without ids: one figure per key.
KEYS: dict[str, tuple[str, ...]] = {
    "capacities": ("route", "node", "exporter", "year"),
    "flows": ("exporter", "route", "year"),
    "supply": ("exporter", "year", "quantity", "commodity"),
    "prices": ("year", "benchmark", "commodity", "grade"),
    "costs": ("route", "year", "grade"),
}


def load_merged(paths: Sequence[str | Path]) -> Network:
    """Load each package folder and return them as one network (`merge_networks`)."""
    from corridor.package import load_package

    return merge_networks([load_package(p) for p in paths])


def merge_networks(networks: Sequence[Network]) -> Network:
    """Return one network holding every package's tables (see the module docstring).

    Parameters
    ----------
    networks : sequence of Network
        Loaded packages of one commodity. The first one's focus and name lead, and the first
        exporter declared (a package of all shippers, such as the chokepoints, declares none);
        the years span them all.

    Returns
    -------
    Network
        One network; a single package is returned as it is.

    Raises
    ------
    InvalidArgumentError
        No package given, or packages of different commodities.
    PackageValidationError
        A shared id or key with two different definitions; every one is listed.
    """
    if not networks:
        msg = "give at least one package to merge"
        raise InvalidArgumentError(msg)
    if len(networks) == 1:
        return networks[0]
    commodities = {n.meta.commodity for n in networks}
    if len(commodities) > 1:
        msg = (
            f"packages of different commodities cannot be merged: {', '.join(sorted(commodities))}"
        )
        raise InvalidArgumentError(msg)
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    for name in networks[0].tables:
        frames = [(n, n.tables[name]) for n in networks]
        tables[name] = _merged(name, frames, problems)
    names = "+".join(n.meta.name for n in networks)
    if problems:
        raise PackageValidationError(names, problems)
    first = networks[0].meta
    meta = PackageMeta(
        name=names,
        title=" + ".join(n.meta.title for n in networks),
        exporter=next((n.meta.exporter for n in networks if n.meta.exporter), ""),
        commodity=first.commodity,
        first_year=min(n.meta.first_year for n in networks),
        last_year=max(n.meta.last_year for n in networks),
        path=None,
        focus_country=first.focus_country,
        focus_route=first.focus_route,
        paths=tuple(p for n in networks for p in _folders(n)),
    )
    return Network(meta, tables)


def _folders(n: Network) -> tuple[Path, ...]:
    """Return a network's package folders: its own, or those it was merged from."""
    return (n.meta.path,) if n.meta.path is not None else n.meta.paths


def _file(n: Network, table: str) -> str:
    where = n.meta.path if n.meta.path is not None else n.meta.name
    return f"{where}/{table}.csv"


def _merged(
    name: str, frames: list[tuple[Network, pd.DataFrame]], problems: list[Problem]
) -> pd.DataFrame:
    """Return one table from each package's, recording every conflicting row as a problem."""
    keyed = frames[0][1].index.name is not None
    key = KEYS.get(name)
    seen: dict[object, tuple[Network, pd.Series]] = {}
    kept: list[pd.DataFrame] = []
    for n, df in frames:
        rows = []
        for ident, row in df.iterrows():
            k: object = ident if keyed else _row_key(row, key)
            if k in seen:
                other, before = seen[k]
                field = _differs(before, row)
                if field is not None:
                    problems.append(
                        Problem(
                            _file(n, name),
                            None,
                            field,
                            f"{k} is defined differently in {_file(other, name)} "
                            f"({before[field]!r}); one definition per shared id",
                            str(row[field]),
                        )
                    )
                continue
            seen[k] = (n, row)
            rows.append(ident)
        kept.append(df.loc[rows])
    out = pd.concat(kept) if keyed else pd.concat(kept, ignore_index=True)
    if keyed:
        out.index.name = frames[0][1].index.name
    return out


def _row_key(row: pd.Series, key: tuple[str, ...] | None) -> object:
    """Return the key of a row of a table without ids: its key columns, else the whole row."""
    if key is None:
        return tuple(_plain(row[c]) for c in row.index)
    return tuple(_plain(row.get(c)) for c in key)


def _plain(x: object) -> object:
    """Return a hashable, NaN-free stand-in for a cell."""
    if isinstance(x, list | tuple):
        return tuple(_plain(v) for v in x)
    try:
        if pd.isna(x):  # NaN, None, NaT, pd.NA are all "no value"
            return None
    except (TypeError, ValueError):  # an array-like cell
        return x
    return x


#: Columns that say where a row was read (a file and line), not what it says.
PROVENANCE = frozenset({"origin"})


def _differs(a: pd.Series, b: pd.Series) -> str | None:
    """Return the first column in which two rows differ, or None when they are the same."""
    for col in a.index:
        if col in PROVENANCE:
            continue
        if _plain(a[col]) != _plain(b.get(col)):
            return str(col)
    return None
