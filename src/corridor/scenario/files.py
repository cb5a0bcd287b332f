"""Scenario files: read and parse YAML, find a package's scenarios, move one to another year.

Errors name the file, the line, the bad value and the valid options; nothing is run until the
whole file is valid.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from corridor.exceptions import InvalidArgumentError, Problem, ScenarioError, UnknownError
from corridor.network import Network
from corridor.scenario.spec import CHANGE_TYPES, Scenario, line_of


def load_scenario(path: str | Path, network: Network | None = None) -> Scenario:
    """Read a scenario YAML file; validate it, and against `network` when given.

    Raises
    ------
    ScenarioError
        With every problem: file, line, field, the bad value and the valid options.
    """
    path = Path(path)
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problem = Problem(name, None, None, f"cannot read: {exc.strerror}")
        raise ScenarioError(name, [problem]) from None
    except UnicodeDecodeError as exc:
        problem = Problem(name, None, None, f"not UTF-8 text: {exc}")
        raise ScenarioError(name, [problem]) from None
    return parse_scenario(text, name, network)


class ScenarioLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a mapping that gives one key twice (naming its line).

    Plain YAML keeps the last of two equal keys, so a scenario with ``changes:`` twice would
    silently drop the first list.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Construct a mapping; raise `yaml.constructor.ConstructorError` at a repeated key."""
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                repeated = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the base class reports it
                continue
            if repeated:
                context = "while reading a mapping"
                problem = f"duplicate key {key!r}: each key may appear once in a mapping"
                raise yaml.constructor.ConstructorError(
                    context, node.start_mark, problem, key_node.start_mark
                )
        return super().construct_mapping(node, deep=deep)


def read_yaml(text: str, file: str = "<scenario>") -> tuple[Any, Any]:
    """Return a YAML document's data and its node tree (for line numbers).

    Raises
    ------
    ScenarioError
        For text that is not YAML, repeats a key in a mapping, nests too deeply or holds an
        integer Python will not read (over 4300 digits); with the line where known.
    """
    try:
        lines = yaml.compose(text, Loader=ScenarioLoader)
        data = yaml.load(text, Loader=ScenarioLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        what = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(file, [Problem(file, line, None, f"not valid YAML: {what}")]) from None
    except RecursionError:
        message = "not valid YAML: nested too deeply (a scenario is a few levels deep)"
        raise ScenarioError(file, [Problem(file, None, None, message)]) from None
    except ValueError as exc:  # a number over 4300 digits, or a date like 2025-02-30
        if "digits" in str(exc):
            message = "not valid YAML: a number has too many digits (at most 4300)"
        else:
            message = f"not a valid value: {exc} (dates are YYYY-MM-DD, a real day)"
        raise ScenarioError(file, [Problem(file, None, None, message)]) from None
    return data, lines


def parse_scenario(text: str, file: str = "<scenario>", network: Network | None = None) -> Scenario:
    """Parse scenario YAML text (see `load_scenario`)."""
    data, lines = read_yaml(text, file)
    if not isinstance(data, dict):
        raise ScenarioError(file, [Problem(file, 1, None, "must be a mapping with name, changes")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(file, [_problem(file, lines, e) for e in exc.errors()]) from None
    if network is not None:
        scenario.check_against(network, file, lines)
    return scenario


_MESSAGES = {
    "union_tag_invalid": f"unknown change type; known: {', '.join(CHANGE_TYPES)}",
    "union_tag_not_found": f"each change needs a type; known: {', '.join(CHANGE_TYPES)}",
    "extra_forbidden": "unknown field",
}


def _problem(file: str, lines: Any, err: Any) -> Problem:
    loc = tuple(err["loc"])
    # pydantic puts the union tag in the location of a tagged change: drop it
    path = tuple(p for p in loc if p not in CHANGE_TYPES)
    msg = _MESSAGES.get(err["type"], err["msg"])
    if err["type"] == "literal_error":
        msg = f"must be {err['ctx']['expected']}"
    value = err.get("input")
    shown = None if isinstance(value, dict | list) else str(value)
    if err["type"] == "extra_forbidden":
        shown = None
    return Problem(file, line_of(lines, path), ".".join(map(str, path)) or None, msg, shown)


def package_scenarios(n: Network) -> dict[str, Path]:
    """Return the scenario files shipped with a package (``scenarios/*.yaml``) by name.

    For merged packages (`corridor.package.merge`), every package's scenarios, in the order
    the packages were merged. A name used by two packages for the same text is one scenario.

    Raises
    ------
    ScenarioError
        When two merged packages give one scenario name to files that differ (naming both).
    """
    folders = [n.meta.path] if n.meta.path is not None else list(n.meta.paths)
    out: dict[str, Path] = {}
    for folder in (f / "scenarios" for f in folders):
        if not folder.is_dir():
            continue
        for f in sorted(folder.glob("*.y*ml")):
            text = _package_file(folder, f)
            data, _ = read_yaml(text, f.name)
            name = str((data.get("name") if isinstance(data, dict) else None) or f.stem)
            before = out.get(name)
            if before is not None and _package_file(before.parent, before) != text:
                problem = Problem(
                    str(f),
                    None,
                    "name",
                    f"scenario {name!r} is also defined, differently, in {before}; "
                    "rename one of them",
                    name,
                )
                raise ScenarioError(f.name, [problem])
            out.setdefault(name, f)
    return out


def _package_file(folder: Path, f: Path) -> str:
    """Return a package scenario's text; it must be UTF-8 and stay inside `folder`."""
    try:
        inside = f.resolve().is_relative_to(folder.resolve())
        text = f.read_text(encoding="utf-8") if inside else ""
    except OSError as exc:
        problem = Problem(str(f), None, None, f"cannot read: {exc.strerror}")
        raise ScenarioError(f.name, [problem]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f.name, [Problem(str(f), None, None, f"not UTF-8 text: {exc}")]
        ) from None
    if not inside:
        message = "links outside the package's scenarios folder; copy the file in instead"
        raise ScenarioError(f.name, [Problem(str(f), None, None, message)])
    return text


def find_scenario(n: Network, name_or_file: str) -> Scenario:
    """Load a package scenario by name, or a scenario file by path, checked against `n`.

    Raises
    ------
    UnknownError
        When `name_or_file` is neither a package scenario nor a YAML file.
    """
    known = package_scenarios(n)
    if name_or_file in known:
        return load_scenario(known[name_or_file], n)
    path = Path(name_or_file)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return load_scenario(path, n)
    msg = "scenario"
    raise UnknownError(msg, name_or_file, known, "Or give a path to a YAML file")


def _moved(d: date | None, delta: int) -> date | None:
    if d is None:
        return None
    if d.month == 2 and d.day == 29:
        return date(d.year + delta, 2, 28)
    return d.replace(year=d.year + delta)


def shift_years(s: Scenario, year: int) -> Scenario:
    """Return the scenario moved to `year`: its years and every change's dates shift with it.

    Raises
    ------
    InvalidArgumentError
        When the scenario runs over a date range or several years.
    """
    if s.start is not None or not s.years or len(s.years) != 1:
        msg = (
            f"scenario {s.name} runs over {'a date range' if s.start else 'several years'}; "
            "only a single-year scenario can be moved to another year"
        )
        raise InvalidArgumentError(msg)
    delta = year - s.years[0]
    changes = [
        c.model_copy(
            update={k: _moved(getattr(c, k), delta) for k in ("start", "end") if hasattr(c, k)}
        )
        for c in s.changes
    ]
    return s.model_copy(update={"years": [year], "changes": changes})
