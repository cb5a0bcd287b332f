"""The evidence a claims check reads, as plain Python data, and its cache.

A claims check reads little of a package: its names, a few table rows, its observations, and
the reconciled figures the claims ask for. `Facts` holds exactly that, so the check needs
neither pandas, SciPy, HiGHS nor pint once it has them: `Facts.of` takes them from a loaded
`Network` (each reconciled figure computed when first asked), `load_facts` reads them from the
user's cache (`corridor.cachedir`: ``claims/`` beside ``packages/``) and falls back to loading
the package, and `Facts.store` writes back the figures a check added.

A cache entry is used only when its key matches exactly: the SHA-256 of every file in the
package folder (name and content), Corridor's version and source files (name, size, mtime),
and the versions of Python, pandas, numpy, SciPy, highspy and pint, as for
`corridor.package.cache`. It is JSON behind a text header holding the key: nothing in it is
ever executed, and a damaged, foreign or malformed entry is ignored and rewritten. Entries are
private files (0600 in a 0700 folder, read only when no one else may write them), written to a
temporary file and renamed into place. ``CORRIDOR_NO_CACHE=1`` turns the cache off.

A figure the entry does not hold (a claim no earlier check asked about) is computed from the
package, loaded then, and added to the entry: a check gives the same answer with or without
the cache. Unit conversions use a table derived from pint when the entry was written
(`corridor.claims.conversions`); a unit outside it goes to pint.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import sys
import weakref
from collections.abc import Callable
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from corridor import cachedir
from corridor.exceptions import NoFlowsError, UnknownError
from corridor.schema import delivered_to

if TYPE_CHECKING:
    from corridor.network import Network

#: Bumped when the entry format changes.
FORMAT = b"corridor-claims-facts 1\n"
#: The distributions whose versions an entry depends on.
DEPENDENCIES = ("pandas", "numpy", "scipy", "highspy", "pint")


class Meta(NamedTuple):
    """The package's metadata a check reads (`corridor.network.PackageMeta`'s fields)."""

    exporter: str
    commodity: str
    first_year: int
    last_year: int
    focus_country: str | None
    focus_route: str | None

    @property
    def years(self) -> range:
        """Return the package's years, first to last."""
        return range(self.first_year, self.last_year + 1)


class Grade(NamedTuple):
    """The crude grade that converts barrels to tonnes, with its source id."""

    id: str
    barrels_per_tonne: float
    source: str


class Obs(NamedTuple):
    """One canonical observation (a row of ``Network.observations``); ``name`` is its id."""

    name: str
    measure: str
    scope: str
    exporter: str
    start: date
    end: date
    amount: float
    amount_low: float
    amount_high: float
    confidence: str
    origin: str
    source: str


#: The observations' columns `Obs` holds, after its id.
_OBS_COLUMNS = (
    "measure",
    "scope",
    "exporter",
    "start",
    "end",
    "amount",
    "amount_low",
    "amount_high",
    "confidence",
    "origin",
    "source",
)


class Est(NamedTuple):
    """A reconciled figure: `corridor.reconciliation.Estimate`'s fields a check reads."""

    value: float
    low: float
    high: float
    pinned: bool
    pinned_by: tuple[str, ...]


class Row(NamedTuple):
    """A row of the capacities or the supply table, reduced to what a check reads.

    Capacities: ``(route, node, exporter)`` as ``keys`` (None where empty), ``year``,
    ``capacity``, ``source``. Supply: ``(exporter, quantity, "")``, ``year``, ``volume``,
    ``source``.
    """

    keys: tuple[str | None, str | None, str | None]
    year: int
    value: float
    source: str


EstimateKey = tuple[str, str, int]
#: The figures asked of one year's reconciliation, in the order first asked: each (figure,
#: exporter) with its answer and the figures asked after it (`Facts.estimate`).
Tree = dict[tuple[str, str], tuple["Est | None", "Tree"]]
#: The most figures an entry keeps (`Tree` nodes over all years, about 300 bytes each, read
#: by every check); past it, new figures are computed and not kept.
MAX_FIGURES = 10_000


class Facts:
    """What a claims check reads of one package, as plain data.

    Built by `Facts.of` from a loaded `Network`, or read by `load_facts` from the cache.
    `estimate` answers a reconciled figure from the figures held, else computes it with the
    package (`network`), loaded on first need.
    """

    def __init__(
        self,
        *,
        meta: Meta,
        grade: Grade | None,
        exporters: set[str],
        flow_exporters: set[str],
        complete: dict[str, list[int]],
        latest: dict[str, int],
        assets: list[tuple[str, str, str]],
        routes: dict[str, tuple[str, str]],
        nodes: dict[str, tuple[str, str]],
        capacities: list[Row],
        supply: list[Row],
        observations: list[Obs],
        tree: dict[int, Tree] | None,
        conversions: dict[str, tuple[str, dict[str, float]]],
        network: Callable[[], Network],
    ) -> None:
        self.meta = meta
        self.grade = grade
        self.exporters = exporters
        self.flow_exporters = flow_exporters
        self.complete = complete
        self.latest = latest
        self.assets = assets
        self.routes = routes
        self.nodes = nodes
        self.capacities = capacities
        self.supply = supply
        self.observations = observations
        self.sources = {o.name: o.source for o in observations}
        self.tree = tree
        self.estimates: dict[EstimateKey, Est | None] = {}  # this process's answers
        self._path: dict[int, list[tuple[str, str]]] = {}
        self._at: dict[int, Tree] = {}
        self._figures = sum(_size(t) for t in (tree or {}).values())
        self.conversions = conversions
        self._network = network
        #: Whether `estimate` computed a figure the cache entry does not hold yet.
        self.added = False

    # --- building -----------------------------------------------------------------------------

    @classmethod
    def of(cls, n: Network) -> Facts:
        """Return the facts of a loaded network; its reconciled figures computed when asked.

        One `Facts` a network (kept while the network lives), so figures computed for one
        check serve the next, as the reconciliation's own cache does.
        """
        found = _OF.get(n)
        if found is None:
            found = _OF[n] = cls._of(n)
        return found

    @classmethod
    def _of(cls, n: Network, load: Callable[[], Network] | None = None) -> Facts:
        """Return the facts of `n`; with `load` (what loaded it), facts for a new cache entry.

        Without `load` they refer to `n` weakly and keep no figures (`Facts.of`); with it they
        hold the network through `load` and keep the figures a check asks, to be stored.
        """
        from corridor.metrics import latest_year

        meta = n.meta
        obs = n.observations
        complete = _complete_years(n)
        caps, supply = n.capacities, n.supply
        ref = weakref.ref(n)  # not the network itself: `_OF` holds the facts while it lives
        return cls(
            meta=Meta(
                meta.exporter,
                meta.commodity,
                meta.first_year,
                meta.last_year,
                meta.focus_country,
                meta.focus_route,
            ),
            grade=_crude_grade(n),
            exporters=(
                set(n.flows["exporter"]) | set(n.supply["exporter"]) | set(obs["exporter"]) - {""}
            ),
            flow_exporters={str(e) for e in n.flows["exporter"]},
            complete=complete,
            latest={e: latest_year(n, e) for e in sorted(complete)},
            assets=_assets(n),
            routes={
                str(r): (str(a), str(b))
                for r, a, b in zip(
                    n.routes.index, n.routes["from_node"], n.routes["to_node"], strict=True
                )
            },
            nodes={
                str(i): (str(k), str(c))
                for i, k, c in zip(n.nodes.index, n.nodes["kind"], n.nodes["country"], strict=True)
            },
            capacities=[
                Row((_text(r), _text(nd), _text(e)), int(y), float(v), str(src))
                for r, nd, e, y, v, src in zip(
                    *(caps[c] for c in ("route", "node", "exporter", "year", "capacity", "source")),
                    strict=True,
                )
            ],
            supply=[
                Row((_text(e), _text(q), ""), int(y), float(v), str(src))
                for e, q, y, v, src in zip(
                    *(supply[c] for c in ("exporter", "quantity", "year", "volume", "source")),
                    strict=True,
                )
            ],
            observations=[
                Obs(
                    str(i),
                    str(m),
                    str(sc),
                    str(e),
                    st,
                    en,
                    float(a),
                    float(lo),
                    float(hi),
                    str(cf),
                    str(org),
                    str(src),
                )
                for i, m, sc, e, st, en, a, lo, hi, cf, org, src in zip(
                    obs.index, *(obs[c] for c in _OBS_COLUMNS), strict=True
                )
            ],
            tree=None if load is None else {},
            conversions={},
            network=(lambda: _alive(ref)) if load is None else load,
        )

    # --- what a check asks --------------------------------------------------------------------

    def network(self) -> Network:
        """Return the package as a `Network` (loaded on first need, by `load_facts`)."""
        return self._network()

    def estimate(self, figure: str, exporter: str, year: int) -> Est | None:
        """Return a reconciled figure of an exporter in one of the package's years, or None.

        None when the year has no flows of the exporter or the figure names something the
        package lacks; any other error (a malformed figure) is raised, as by the reconciliation.

        Notes
        -----
        A figure's interval comes from linear programs that HiGHS solves from the basis of the
        one before, so its last digits can depend on the figures asked before it in the process.
        Cached facts therefore keep each year's figures as a `Tree`, by the order they were
        first asked: a check reads a figure from the cache only after the same figures in the
        same order, and computes it otherwise after asking the reconciliation for those figures
        in that order (`_replayed`): the cache gives the same digits as a check without it.
        """
        key = (figure, exporter, year)
        if key in self.estimates:
            return self.estimates[key]
        if self.tree is None:  # a network loaded by the caller: its reconciliations as they are
            found = self._replayed(year, [], (figure, exporter))
        else:
            found = self._from_tree(year, (figure, exporter))
        self.estimates[key] = found
        return found

    def _from_tree(self, year: int, pair: tuple[str, str]) -> Est | None:
        assert self.tree is not None
        level = self._at.get(year)
        if level is None:
            level = self.tree.setdefault(year, {})
        path = self._path.setdefault(year, [])
        node = level.get(pair)
        if node is None:
            node = (self._replayed(year, path, pair), {})
            if self._figures < MAX_FIGURES:
                level[pair] = node
                self._figures += 1
                self.added = True
        path.append(pair)
        self._at[year] = node[1]
        return node[0]

    def _replayed(
        self, year: int, before: list[tuple[str, str]], pair: tuple[str, str]
    ) -> Est | None:
        """Compute a figure after asking the year's reconciliation for `before`, in order.

        The reconciliation keeps what it computed, so a figure it was asked already costs
        nothing: only those read from the cache are computed.
        """
        from corridor.reconciliation import reconcile

        try:
            rec = reconcile(self.network(), year=year)
            for f, e in before:
                with contextlib.suppress(NoFlowsError, UnknownError):
                    rec.estimate(f, e)
            est = rec.estimate(*pair)
        except (NoFlowsError, UnknownError):  # no flows that year; a country the package lacks
            return None
        pinned_by = tuple(str(i) for i in est.pinned_by)
        return Est(est.value, est.low, est.high, est.pinned, pinned_by)

    def in_force(
        self, year: int, *, route: str | None = None, node: str | None = None, exporter: str
    ) -> Row | None:
        """Return the capacity in force in `year` (`corridor.network.Network.in_force`'s rule).

        The latest row with ``year <= year`` matching the route (or node) and the exporter; of
        rows of the same year, the last in the table.
        """
        found: Row | None = None
        for row in self.capacities:
            r, nd, e = row.keys
            if row.year > year or e != exporter:
                continue
            if (route is not None and r != route) or (node is not None and nd != node):
                continue
            if found is None or row.year >= found.year:
                found = row
        return found

    def supply_row(self, exporter: str, year: int, quantity: str) -> Row | None:
        """Return the first supply row of an exporter, year and quantity, if any."""
        return next(
            (r for r in self.supply if r.keys[:2] == (exporter, quantity) and r.year == year),
            None,
        )

    def destination_country(self, exporter: str, node: str) -> str | None:
        """Return the country a path ending at `node` delivers to, or None when unknown.

        The rule is `corridor.schema.delivered_to`'s.
        """
        kind, country = self.nodes[node]
        return delivered_to(kind, country, exporter)

    # --- the cache entry ----------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """Return the facts as JSON-ready data (`from_json` reads it back)."""
        return {
            "meta": list(self.meta),
            "grade": None if self.grade is None else list(self.grade),
            "exporters": sorted(self.exporters),
            "flow_exporters": sorted(self.flow_exporters),
            "complete": self.complete,
            "latest": self.latest,
            "assets": [list(a) for a in self.assets],
            "routes": {k: list(v) for k, v in self.routes.items()},
            "nodes": {k: list(v) for k, v in self.nodes.items()},
            "capacities": [[list(r.keys), r.year, r.value, r.source] for r in self.capacities],
            "supply": [[list(r.keys), r.year, r.value, r.source] for r in self.supply],
            "observations": [
                [*o[:4], o.start.isoformat(), o.end.isoformat(), *o[6:]] for o in self.observations
            ],
            "tree": {str(y): _tree_json(t) for y, t in (self.tree or {}).items()},
            "conversions": {k: [kind, f] for k, (kind, f) in self.conversions.items()},
        }

    @classmethod
    def from_json(cls, d: dict[str, Any], network: Callable[[], Network]) -> Facts:
        """Return the facts `to_json` wrote; raises on malformed data (KeyError, TypeError …)."""
        grade = d["grade"]
        return cls(
            meta=Meta(*d["meta"]),
            grade=None if grade is None else Grade(str(grade[0]), float(grade[1]), str(grade[2])),
            exporters={str(e) for e in d["exporters"]},
            flow_exporters={str(e) for e in d["flow_exporters"]},
            complete={str(k): [int(y) for y in v] for k, v in d["complete"].items()},
            latest={str(k): int(v) for k, v in d["latest"].items()},
            assets=[(str(a), str(k), str(i)) for a, k, i in d["assets"]],
            routes={str(k): (str(a), str(b)) for k, (a, b) in d["routes"].items()},
            nodes={str(k): (str(a), str(b)) for k, (a, b) in d["nodes"].items()},
            capacities=[Row(tuple(k), int(y), float(v), str(s)) for k, y, v, s in d["capacities"]],
            supply=[Row(tuple(k), int(y), float(v), str(s)) for k, y, v, s in d["supply"]],
            observations=[_obs(o) for o in d["observations"]],
            tree={int(y): _tree(t) for y, t in d["tree"].items()},
            conversions={
                str(k): (str(kind), {str(u): float(x) for u, x in f.items()})
                for k, (kind, f) in d["conversions"].items()
            },
            network=network,
        )


def _size(tree: Tree) -> int:
    return sum(1 + _size(below) for _, below in tree.values())


def _tree_json(tree: Tree) -> list[Any]:
    return [
        [f, e, None if est is None else [*est[:4], list(est.pinned_by)], _tree_json(below)]
        for (f, e), (est, below) in tree.items()
    ]


def _tree(data: list[Any]) -> Tree:
    """Read a `Tree` as `_tree_json` wrote it."""
    out: Tree = {}
    for f, e, est, below in data:
        value = None
        if est is not None:
            lo, hi = float(est[1]), float(est[2])
            value = Est(float(est[0]), lo, hi, bool(est[3]), tuple(str(i) for i in est[4]))
        out[str(f), str(e)] = (value, _tree(below))
    return out


def _alive(ref: weakref.ref[Network]) -> Network:
    """Return the network a weak reference holds (the caller holds it during a check)."""
    n = ref()
    assert n is not None, "the network of these facts is gone"
    return n


#: The facts of each live network (`Facts.of`).
_OF: weakref.WeakKeyDictionary[Network, Facts] = weakref.WeakKeyDictionary()


def _obs(o: list[Any]) -> Obs:
    """Read an observation as `Facts.to_json` wrote it."""
    name, measure, scope, exporter, start, end, amount, low, high, conf, origin, source = o
    return Obs(
        str(name),
        str(measure),
        str(scope),
        str(exporter),
        date.fromisoformat(start),
        date.fromisoformat(end),
        float(amount),
        float(low),
        float(high),
        str(conf),
        str(origin),
        str(source),
    )


def _text(x: object) -> str | None:
    """Return a table cell as text, None where it is empty (NaN)."""
    return None if x is None or x != x else str(x)


def _crude_grade(n: Network) -> Grade | None:
    """Return the grade the package prices its crude in (else its first grade), or None.

    Barrels in a claim convert to tonnes at this grade's barrels per tonne; the built-in
    package's is 7.3 (``kazakh-official``, source ``reuters-zonebourse-2024-07``). A package
    with no grade has no such figure, and a claim in barrels is not rated.
    """
    grade = next((str(g) for g in n.prices["grade"] if g), None) or next(
        (str(g) for g in n.grades.index), None
    )
    if grade is None:
        return None
    row = n.grades.loc[grade]
    return Grade(grade, float(row["barrels_per_tonne"]), str(row["source"]))


def _complete_years(n: Network) -> dict[str, list[int]]:
    """Return, per exporter, the years with route flows and total exports."""
    out: dict[str, list[int]] = {}
    totals = n.supply[n.supply["quantity"] == "exports"]
    for exporter in set(n.flows["exporter"]):
        have = set(totals.loc[totals["exporter"] == exporter, "year"])
        out[exporter] = sorted(y for y in n.years_with_flows(exporter) if y in have)
    return out


def _assets(n: Network) -> list[tuple[str, str, str]]:
    """Return every name a route or node is known by: (alias, "route" or "node", id)."""
    names: list[tuple[str, str, str]] = []
    for rid, r in n.routes.iterrows():
        for a in (*r["aliases"], r["name"]):
            names.append((str(a), "route", str(rid)))
    for nid, r in n.nodes.iterrows():
        if r["kind"] == "market":
            continue
        for a in (*r["aliases"], r["name"], f"port of {r['name']}"):
            names.append((str(a), "node", str(nid)))
    return names


# --- the cache -----------------------------------------------------------------------------------


def cache_dir() -> Path:
    """Return the folder of the entries (``$XDG_CACHE_HOME/corridor/claims``)."""
    return cachedir.root() / "claims"


def facts_key(folder: Path) -> tuple[str, bool] | None:
    """Return the key of a package folder's entry and whether a file in it is freshly written.

    The package's files (names and content), Corridor's version and source, and the versions
    of Python and of `DEPENDENCIES`, hashed without importing them; None for a folder too large
    to cache or that cannot be read.
    """
    from corridor import __version__

    versions = [__version__, sys.version, cachedir.source_fingerprint()]
    for dist in DEPENDENCIES:
        try:
            versions.append(metadata.version(dist))
        except metadata.PackageNotFoundError:
            versions.append("")
    h = hashlib.sha256(FORMAT)
    h.update(repr(versions).encode())
    fresh = cachedir.hash_folder(h, folder)
    return None if fresh is None else (h.hexdigest(), fresh)


def _entry(folder: Path) -> Path:
    return cachedir.entry(cache_dir(), folder, ".json")


def read(folder: Path, key: str, network: Callable[[], Network]) -> Facts | None:
    """Return the cached facts of `folder` when its entry has this key; else None.

    An entry that is not private, of another key, damaged or malformed is not used.
    """
    data = cachedir.read_private(_entry(folder), FORMAT + key.encode() + b"\n")
    if data is None:
        return None
    try:
        return Facts.from_json(json.loads(data), network)
    except Exception:  # a damaged or malformed entry is ignored, then rewritten
        return None


def write(folder: Path, key: str, facts: Facts) -> None:
    """Store `facts` as the entry of `folder` (privately, atomically); errors leave no entry."""
    from corridor.claims.conversions import conversion_table

    if not facts.conversions:
        facts.conversions = conversion_table()
    body = json.dumps(facts.to_json(), separators=(",", ":")).encode()
    cachedir.write_private(cache_dir(), _entry(folder).name, FORMAT + key.encode() + b"\n" + body)


class Cached(NamedTuple):
    """Facts with where they are cached: `store` writes back the figures a check added."""

    facts: Facts
    folder: Path | None
    key: str | None

    def store(self) -> None:
        """Write the entry when the facts are new or gained figures (and may be cached)."""
        if self.folder is not None and self.key is not None and self.facts.added:
            write(self.folder, self.key, self.facts)
            self.facts.added = False


def package_folder(package: Path | None) -> Path | None:
    """Return the folder of a ``--package`` value when it is one plain package, else None.

    The default package, a built-in package's name, or a folder (or its ``datapackage.json``);
    None for several packages joined by commas, or a name that names nothing: those are loaded
    as usual (`corridor.package.load_package`), which says what is wrong.
    """
    from importlib.resources import files

    data = Path(str(files("corridor").joinpath("data")))
    if package is None:
        return data / "kazakhstan"
    text = str(package)
    path = Path(package)
    if "," in text:
        return None
    if not (path.exists() or len(path.parts) > 1 or path.suffix):
        path = data / text  # a bare name: a built-in package's
        if not (path / "datapackage.json").is_file():
            return None
    folder = path.parent if path.name == "datapackage.json" else path
    return folder if (folder / "datapackage.json").is_file() else None


def load_facts(package: Path | None, load: Callable[[], Network]) -> Cached:
    """Return the facts of a package: from the cache when it holds them, else from `load`.

    `load` loads the package as a `Network` (and raises what is wrong with it); it is called
    only when the cache cannot answer: no entry, a changed package, a figure not held yet.
    """
    load = functools.cache(load)  # called once at most: later calls return the same network
    folder = package_folder(package) if cachedir.enabled() else None
    key = facts_key(folder) if folder is not None else None
    if folder is not None and key is not None:
        hit = read(folder, key[0], load)
        if hit is not None:
            return Cached(hit, folder, None if key[1] else key[0])
    facts = Facts._of(load(), load)
    facts.added = True  # a new entry
    if folder is None or key is None or key[1]:  # not a file written in the last seconds
        return Cached(facts, None, None)
    return Cached(facts, folder, key[0])
