"""Read and validate data packages, and build a `Network` from them.

A package is a folder with ``datapackage.json`` and one CSV per table (see `corridor.schema`).
Loading runs in three steps, one module each:

1. `corridor.package.read`: the descriptor, then every cell parsed by its column type;
2. `corridor.package.build`: the canonical columns (``capacity``, ``volume``, ``price``,
   ``cost``, ``amount``), then one DataFrame per table, the canonical observations (the
   observations table with the flows and supply migrated into it) and the `Network`;
3. `corridor.package.checks`: one ``check_for_*`` function per rule across rows and tables
   (duplicate keys, unknown references, flows above capacity, cycles …), run between the two.

Every problem is collected — missing tables or columns, duplicate keys, unknown references or
country codes, bad numbers, units and dates, flows above capacity, periods outside the declared
years — and all are raised together as one `PackageValidationError`. Nothing is returned unless
the whole package is valid, so no command ever sees half a package.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd

from corridor.exceptions import CorridorError, PackageValidationError, Problem, UnknownError
from corridor.network import Network
from corridor.package import cache
from corridor.package.build import add_canonical_columns, build_network
from corridor.package.checks import check_package
from corridor.package.read import DESCRIPTOR, read_descriptor, read_tables
from corridor.schema import tables

__all__ = [
    "DESCRIPTOR",
    "builtin_names",
    "builtin_packages",
    "builtin_path",
    "describe",
    "load_package",
    "package_summary",
    "resolve_package",
    "validate_package",
]

#: Tables whose rows are figures (each with a confidence and a basis), counted by `describe`.
FIGURE_TABLES = (
    "grades",
    "capacities",
    "flows",
    "supply",
    "events",
    "prices",
    "costs",
    "losses",
    "risks",
    "observations",
)


def builtin_path(name: str = "kazakhstan") -> Path:
    """Return the folder of a package shipped inside Corridor.

    Examples
    --------
    >>> (builtin_path() / "datapackage.json").is_file()
    True
    """
    return Path(str(files("corridor").joinpath("data", name)))


def builtin_names() -> list[str]:
    """Return the names of the packages shipped inside Corridor, sorted.

    Every folder of ``corridor/data`` with a ``datapackage.json`` is one.

    Examples
    --------
    >>> "kazakhstan" in builtin_names()
    True
    """
    data = Path(str(files("corridor").joinpath("data")))
    return sorted(p.name for p in data.iterdir() if (p / DESCRIPTOR).is_file())


def resolve_package(package: str | Path | None) -> Path | None:
    """Return the folder a ``--package`` value names: a path, or a built-in package's name.

    An existing folder or ``datapackage.json`` wins, and so does anything shaped like a path
    (``dir/name``, ``datapackage.json``); a bare name is a built-in package's
    (`builtin_names`); None stays None (the default package).

    Raises
    ------
    UnknownError
        When a bare name is neither an existing folder nor a built-in package; the message lists
        the built-in packages.

    Examples
    --------
    >>> resolve_package("kazakhstan") == builtin_path("kazakhstan")
    True
    """
    if package is None:
        return None
    path = Path(package)
    if path.exists() or len(path.parts) > 1 or path.suffix:
        return path  # a path: `load_package` says what is wrong with it
    names = builtin_names()
    if str(package) in names:
        return builtin_path(str(package))
    msg = (
        f"no package folder {str(package)!r} and no built-in package of that name; "
        f"built-in packages: {', '.join(names) or '(none)'}"
    )
    kind = "package"
    raise UnknownError(kind, str(package), names, message=msg)


def builtin_packages() -> list[dict[str, Any]]:
    """Describe every built-in package: name, title, exporters, commodities, years.

    Exporters and commodities are those with figures in the package (none for a package of
    all shippers' figures, such as the chokepoints); a package that does not load is listed
    from its descriptor, with its ``error``.

    Examples
    --------
    >>> [p["exporters"] for p in builtin_packages() if p["name"] == "kazakhstan"]
    [['KAZ', 'AZE', 'RUS']]
    """
    out = []
    for name in builtin_names():
        folder = builtin_path(name)
        entry: dict[str, Any] = {"name": name, "path": str(folder), "error": None}
        try:
            n = load_package(folder)
        except CorridorError as exc:
            descriptor, _ = read_descriptor(folder)
            meta = descriptor.meta
            title = meta.title if meta is not None else ""
            exporters = [meta.exporter] if meta is not None and meta.exporter else []
            commodities = [meta.commodity] if meta is not None else []
            years = {"first": meta.first_year, "last": meta.last_year} if meta is not None else None
            entry["error"] = str(exc).splitlines()[0]
        else:
            title, exporters = n.meta.title, [e for e in (n.meta.exporter, *n.exporters()) if e]
            used = {*n.routes.loc[list(set(n.flows["route"])), "commodity"], *n.supply["commodity"]}
            commodities = [n.meta.commodity, *sorted(str(c) for c in used)]
            years = {"first": n.meta.first_year, "last": n.meta.last_year}
        entry.update(
            title=title,
            exporters=list(dict.fromkeys(exporters)),
            commodities=list(dict.fromkeys(commodities)),
            years=years,
        )
        out.append(entry)
    return out


def _in_file_order(problems: list[Problem], parsed_files: list[str]) -> list[Problem]:
    """Sort problems file by file (descriptor, then tables in schema order), line by line.

    The sort is stable, so the problems of one line keep the order of the rules.
    """
    order = {file: i for i, file in enumerate([DESCRIPTOR, *parsed_files])}
    return sorted(problems, key=lambda p: (order.get(p.file, len(order)), p.line or 0))


def _read(folder: Path) -> tuple[Network | None, list[Problem]]:
    descriptor, problems = read_descriptor(folder)
    if not descriptor.paths and problems:
        return None, problems
    parsed, found = read_tables(folder, descriptor.paths)
    problems += found
    meta = descriptor.meta
    if meta is None:
        return None, problems
    try:
        problems += add_canonical_columns(parsed, meta.commodity)
        problems += check_package(parsed, meta)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError):
        if not problems:
            raise
        # a cell the cross-table checks rely on is empty or bad (an id, a node): the problems
        # found while reading name it, and are reported alone (issue 15: never a traceback)
    if problems:
        return None, _in_file_order(problems, [rows.file for rows in parsed.values()])
    return build_network(parsed, meta), []


def load_package(path: str | Path | None = None) -> Network:
    """Read, validate and return a data package as a `Network`.

    Parameters
    ----------
    path : str or Path, optional
        Package folder (or its ``datapackage.json``), or the name of a built-in package
        (`builtin_names`); None loads the built-in Kazakhstan package.

    Returns
    -------
    Network
        The package's tables, with the canonical columns added.

    Raises
    ------
    PackageValidationError
        With every problem found, each naming file, line, field, bad value and what was expected.

    Notes
    -----
    A valid package's `Network` is kept in the user's cache folder and read back while no
    file of the package (nor Corridor) has changed (`corridor.package.cache`;
    ``CORRIDOR_NO_CACHE=1`` turns it off).

    Examples
    --------
    >>> n = load_package()
    >>> n.meta.exporter, "cpc" in n.routes.index
    ('KAZ', True)
    """
    path = Path(path) if path is not None else builtin_path()
    if not path.exists() and str(path) in builtin_names():
        path = builtin_path(str(path))
    folder = path.parent if path.name == DESCRIPTOR else path
    key = cache.package_key(folder) if cache.enabled() and folder.is_dir() else None
    if key is not None and (hit := cache.read(folder, key[0])) is not None:
        return hit
    network, problems = _read(folder)
    if network is None:
        raise PackageValidationError(str(folder), problems)
    if key is not None and not key[1]:  # not a file written in the last seconds
        cache.write(folder, key[0], network)
    return network


def validate_package(path: str | Path | None = None) -> list[Problem]:
    """Return every problem in a package; an empty list means it is valid.

    Examples
    --------
    >>> validate_package()
    []
    """
    try:
        load_package(path)
    except PackageValidationError as exc:
        return exc.problems
    return []


def _shares(column: pd.Series, values: tuple[str, ...]) -> dict[str, float]:
    total = len(column)
    return {v: round(float((column == v).sum()) / total, 4) if total else 0.0 for v in values}


def describe(n: Network) -> dict[str, Any]:
    """Describe a loaded package: rows per table, years covered, sources, figures by confidence.

    A *figure* is a row of one of `FIGURE_TABLES` (each has a confidence and a basis).

    Examples
    --------
    >>> info = describe(load_package())
    >>> info["exporter"], info["rows"]["routes"] > 0
    ('KAZ', True)
    """
    frames = {name: getattr(n, name) for name in tables()}
    frames["observations"] = n.file_observations()  # not the flows and supply migrated into it
    figures = pd.concat([frames[t][["confidence", "basis"]] for t in FIGURE_TABLES])
    return {
        "package": n.meta.name,
        "title": n.meta.title,
        "exporter": n.meta.exporter,
        "commodity": n.meta.commodity,
        "years": {"first": n.meta.first_year, "last": n.meta.last_year},
        "years_with_flows": sorted({int(y) for y in n.flows["year"]}),
        "rows": {name: len(df) for name, df in frames.items()},
        "sources": len(n.sources),
        "figures": len(figures),
        "share_by_confidence": _shares(figures["confidence"], ("high", "medium", "low")),
        "share_by_basis": _shares(figures["basis"], ("reported", "derived", "estimate")),
    }


#: The former name of `describe`, kept for the CLI and the web service.
package_summary = describe
