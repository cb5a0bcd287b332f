"""The import contract: the layers of `corridor`, read from the source's import statements.

data → Network → scenario/solve → metrics → views → CLI/web. A module may import modules of
its own layer or of a lower one; never a higher one, never in a cycle, never a private name
of another module; and a package never exports a function named like one of its modules
(``import corridor.reroute`` once gave the function).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import corridor

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = SRC / "corridor"

#: Layer of each top-level part of the package, lowest first. A part missing here fails the
#: test below, so a new module has to be placed on purpose.
LAYERS: dict[str, int] = {
    "exceptions": 0,
    "cachedir": 0,
    "units": 0,
    "schema": 0,
    "display": 0,
    "evidence": 0,
    "network": 1,
    "package": 1,
    "solve": 2,
    "scenario": 2,
    "metrics": 2,
    "rerouting": 3,
    "reconciliation": 2,
    "risk": 4,
    "interdependence": 4,
    "compare": 4,
    "chokepoints": 2,
    "claims": 4,
    "store": 4,
    "report": 4,
    "views": 5,
    "web": 6,
    "cli": 7,
    "__main__": 7,
    "migrations": 7,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def part(module: str) -> str:
    """Return the top-level part of a ``corridor.…`` module (``corridor`` for the package)."""
    bits = module.split(".")
    return bits[1] if len(bits) > 1 else "corridor"


def layer(module: str) -> int:
    # the package itself re-exports the model lazily: it sits just under the views
    return 4 if module == "corridor" else LAYERS[part(module)]


def type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports(module: str) -> list[tuple[int, str, list[str]]]:
    """Return (line, imported module, names) for every runtime ``corridor`` import."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = type_checking_lines(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name, []) for a in node.names if a.name.startswith("corridor")]
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, target] if target else base)
            if target.startswith("corridor"):
                out.append((node.lineno, target, [a.name for a in node.names]))
    return out


def test_every_part_has_a_layer() -> None:
    missing = sorted({part(m) for m in MODULES} - {*LAYERS, "corridor"})
    assert missing == [], f"place these in LAYERS: {missing}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_higher_layer(module: str) -> None:
    bad = [
        f"line {line}: {target} (layer {layer(target)})"
        for line, target, _ in imports(module)
        if part(target) in LAYERS and layer(target) > layer(module)
    ]
    assert bad == [], f"{module} (layer {layer(module)}) imports upwards: {bad}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_name_crosses_a_module(module: str) -> None:
    bad = [
        f"line {line}: {name} from {target}"
        for line, target, names in imports(module)
        for name in names
        if name.startswith("_") and not name.startswith("__") and target != module
    ]
    assert bad == [], bad


def test_no_import_cycle_between_parts() -> None:
    graph: dict[str, set[str]] = {}
    for module in MODULES:
        for _, target, _ in imports(module):
            a, b = part(module), part(target)
            if a != b and "corridor" not in (a, b):
                graph.setdefault(a, set()).add(b)

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    cycles = sorted(p for p in graph if p in reach(p))
    assert cycles == [], f"parts in an import cycle: {cycles}"


def test_no_cycle_inside_web() -> None:
    web = [m for m in MODULES if m.startswith("corridor.web.")]
    edges = {(m, t) for m in web for _, t, _ in imports(m) if t in web and t != m}
    assert not {(a, b) for a, b in edges if (b, a) in edges}


def exported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return set(ast.literal_eval(node.value))
    return set()


@pytest.mark.parametrize(
    "package", sorted(m for m, p in MODULES.items() if p.name == "__init__.py")
)
def test_no_module_shares_its_name_with_an_export(package: str) -> None:
    folder = MODULES[package].parent
    submodules = {p.stem for p in folder.glob("*.py")} | {
        p.name for p in folder.iterdir() if (p / "__init__.py").exists()
    }
    assert exported(MODULES[package]) & (submodules - {"__init__"}) == set()


def test_public_api_is_exact() -> None:
    assert sorted(corridor.__all__) == [
        "Claim",
        "ClaimsError",
        "Conflict",
        "CorridorError",
        "Dependence",
        "Estimate",
        "Explanation",
        "InvalidArgumentError",
        "LedgerRow",
        "Network",
        "NoFlowsError",
        "PackageValidationError",
        "Problem",
        "ProblemsError",
        "Reconciliation",
        "Replay",
        "RerouteProblem",
        "RerouteResult",
        "Result",
        "RiskProblem",
        "RiskResult",
        "RiskSummary",
        "RunStoreError",
        "Scenario",
        "ScenarioError",
        "SolverError",
        "UnitError",
        "UnknownError",
        "YearMetrics",
        "apply_scenario",
        "check_article",
        "check_claims",
        "compute",
        "dependence",
        "flow_paths",
        "latest_year",
        "ledger",
        "load_package",
        "load_scenario",
        "reconcile",
        "reconcile_warnings",
        "replay",
        "reroute",
        "run_risk",
        "summary",
        "validate_package",
    ]


@pytest.mark.parametrize("name", corridor.__all__)
def test_every_public_name_resolves_lazily(name: str) -> None:
    assert getattr(corridor, name) is not None
    assert name in dir(corridor)
