"""Refresh the generated parts of README.md and docs/*.md, or check that they are fresh.

Each generated part sits between two HTML comments (invisible on GitHub):

- ``<!-- output: ARGS -->`` ... ``<!-- /output -->``: a ```text block with what
  ``corridor ARGS`` prints. After a ``|`` come options: ``blocks=N`` keeps the first N
  paragraphs (blank-line separated); ``columns=a,b,c%`` reads CSV output and keeps those
  columns as an aligned table (``c%`` shows a fraction as a percentage); ``prompt`` starts
  the block with the command line, ``$ corridor ARGS``.
- ``<!-- keys: ARGS -->`` ... ``<!-- /keys -->``: the keys of the JSON that ``corridor ARGS``
  prints (its first line), nested keys after a colon.
- ``<!-- cli -->`` ... ``<!-- /cli -->``: the command reference, read from the typer app's own
  commands, arguments, options and help texts, so it follows the CLI as it is.
- ``<!-- format -->`` ... ``<!-- /format -->``: the package format,
  ``corridor.schema.format_markdown()``.

Commands run in this process (one import, warm caches) from the repository root. Run after
changing the data, the schema, a view or the CLI::

    .venv/bin/python scripts/update_readme.py           # rewrite what is stale
    .venv/bin/python scripts/update_readme.py --check   # list what is stale, exit 1 if any

Timings in outputs ("0.9 s") differ from run to run; the check ignores them.

A block whose command does not exist (yet: a page may be written before the command is merged)
is left as it is and listed as *pending*, by both modes; it does not make ``--check`` fail.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

OUTPUT = re.compile(
    r"(<!-- output: ([^\n]+?) -->\n```text\n)(.*?)(^```\n<!-- /output -->)", re.S | re.M
)
KEYS = re.compile(r"(<!-- keys: ([^\n]+?) -->\n)(.*?)(^<!-- /keys -->)", re.S | re.M)
CLI = re.compile(r"(<!-- cli -->\n)(.*?)(^<!-- /cli -->)", re.S | re.M)
FORMAT = re.compile(r"(<!-- format -->\n)(.*?)(^<!-- /format -->)", re.S | re.M)
# A usage error (unknown option, missing argument) by click/typer, not an error of Corridor's.
USAGE_ERROR = re.compile(r"^(?:Usage: |Error: |\S*─ Error ─)", re.M)
# Wall-clock times in outputs; the check compares outputs with these masked.
VOLATILE = re.compile(r"\b\d[\d,]*(?:\.\d+)? ?(?:s|ms|samples/s)\b")


def files() -> list[Path]:
    """The files this script maintains: the README and every Markdown file in docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@contextmanager
def in_root() -> Iterator[None]:
    """Run with the repository root as the working directory (commands use relative paths)."""
    old = Path.cwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(old)


class PendingError(LookupError):
    """A generated block names a command the CLI does not have (yet); the block is kept."""


def missing_command(args: str) -> str | None:
    """Return why ``corridor ARGS`` names no command of the CLI, or None when it does."""
    import typer

    from corridor.cli import app

    command: Any = typer.main.get_command(app)
    ctx = typer.Context(command, info_name="corridor")
    path = ""
    tokens = shlex.split(args)
    while tokens and hasattr(command, "list_commands"):
        token = tokens.pop(0)
        if token.startswith("-"):
            continue  # an option of the group, such as --debug
        sub = command.get_command(ctx, token)
        if sub is None:
            return f"`corridor {path}{token}` is not a command (yet)"
        ctx = typer.Context(sub, info_name=token, parent=ctx)
        command, path = sub, f"{path}{token} "
    return None


def corridor(args: str) -> str:
    """Return what ``corridor ARGS`` prints (stdout and stderr), lines right-stripped.

    Raise `PendingError` when ARGS names no command of the CLI (the block is left as it is).
    """
    import typer.testing

    from corridor.cli import app

    why = missing_command(args)
    if why is not None:
        raise PendingError(why)
    with in_root():
        result = typer.testing.CliRunner().invoke(app, shlex.split(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        msg = f"corridor {args} raised {result.exception!r}"
        raise RuntimeError(msg) from result.exception
    if USAGE_ERROR.search(result.output):
        msg = f"corridor {args}: the command line is wrong:\n{result.output}"
        raise RuntimeError(msg)
    return "\n".join(line.rstrip() for line in result.output.rstrip().splitlines())


def split_options(spec: str) -> tuple[str, dict[str, str]]:
    """Split ``ARGS | key=value key=value`` into the arguments and the options."""
    args, _, rest = spec.partition(" | ")
    options = dict((*item.split("=", 1), "")[:2] for item in rest.split())
    return args.strip(), options


def csv_columns(text: str, columns: list[str]) -> str:
    """Return CSV output as an aligned text table of some of its columns."""
    rows = list(csv.DictReader(io.StringIO(text)))
    names = [c.rstrip("%") for c in columns]
    cells = [names]
    for row in rows:
        cells.append(
            [
                f"{float(row[n]):.1%}" if c.endswith("%") else row[n]
                for c, n in zip(columns, names, strict=True)
            ]
        )
    numeric = [all(_is_number(r[i]) for r in cells[1:]) for i in range(len(names))]
    widths = [max(len(r[i]) for r in cells) for i in range(len(names))]
    lines = [
        "  ".join(
            v.rjust(w) if num else v.ljust(w) for v, w, num in zip(r, widths, numeric, strict=True)
        )
        for r in cells
    ]
    return "\n".join(line.rstrip() for line in lines)


def _is_number(value: str) -> bool:
    try:
        float(value.rstrip("%"))
    except ValueError:
        return False
    return True


def output(spec: str) -> str:
    """Return the text of an ``output`` block: the command's output, filtered by the options."""
    args, options = split_options(spec)
    text = corridor(args)
    if "blocks" in options:
        text = "\n\n".join(re.split(r"\n\s*\n", text)[: int(options["blocks"])])
    if "columns" in options:
        text = csv_columns(text, options["columns"].split(","))
    if "prompt" in options:
        text = f"$ corridor {args}\n{text}"
    return text


def keys(spec: str) -> str:
    """Return the keys of the JSON a command prints (first line), as a Markdown list."""
    first = corridor(spec).splitlines()[0]
    data = json.loads(first)
    return "".join(f"- {line}\n" for line in _key_lines(data))


def _key_lines(data: dict[str, Any]) -> list[str]:
    lines = []
    for key, value in data.items():
        suffix = "[]" if isinstance(value, list) else ""
        inner = _fields(value)
        if inner:
            nested = ", ".join(f"`{k}`" + _braced(v) for k, v in inner.items())
            lines.append(f"`{key}`{suffix}: {nested}")
        else:
            lines.append(f"`{key}`{suffix}" + _map_hint(value))
    return lines


def _braced(value: Any) -> str:
    inner = _fields(value)
    return " {" + ", ".join(f"`{k}`" for k in inner) + "}" if inner else ""


def _fields(value: Any) -> dict[str, Any]:
    """The named fields inside a value: a record, or the first record of a list of records.

    A dict whose values are all numbers is a map (route id -> share), not a record.
    """
    if isinstance(value, list) and value and isinstance(value[0], dict):
        value = value[0]
    if not isinstance(value, dict) or not value or _is_map(value):
        return {}
    return value


def _is_map(value: dict[str, Any]) -> bool:
    if all(re.fullmatch(r"[A-Z]{3}", k) for k in value):
        return True  # keyed by country
    return all(isinstance(v, int | float) or v is None for v in value.values())


def _map_hint(value: Any) -> str:
    return " (id: number)" if isinstance(value, dict) and value and _is_map(value) else ""


def cli_reference() -> str:
    """Return the command reference in Markdown, read from the typer app by introspection."""
    import typer

    from corridor.cli import app

    group = typer.main.get_command(app)
    ctx = typer.Context(group, info_name="corridor")
    out = [_global_options(group, ctx)]
    for name, command, sub in _walk(group, ctx):
        out.append(_command_section(name, command, sub))
    return "\n".join(out)


def _walk(group: Any, ctx: Any) -> Iterator[tuple[str, Any, Any]]:
    """Yield (path, command, context) for every leaf command, in the app's own order."""
    import typer

    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub = typer.Context(command, info_name=name, parent=ctx)
        if hasattr(command, "list_commands"):
            yield from _walk(command, sub)
        else:
            yield sub.command_path, command, sub


def _global_options(group: Any, ctx: Any) -> str:
    rows = [_option_row(p, ctx) for p in group.get_params(ctx) if _shown(p)]
    head = f"{_clean(group.help)}\n\nOptions before the command:\n\n"
    return head + _table(["option", "what it does"], rows) + "\n"


def _command_section(path: str, command: Any, ctx: Any) -> str:
    params = [p for p in command.get_params(ctx) if _shown(p)]
    args = [p for p in params if p.param_type_name == "argument"]
    options = [p for p in params if p.param_type_name == "option"]
    usage = " ".join(
        [path, *(p.name.upper() if p.required else f"[{p.name.upper()}]" for p in args)]
    )
    usage += " [OPTIONS]" if options else ""
    parts = [f"### `{path.removeprefix('corridor ')}`", "", "```console", usage, "```", ""]
    parts += [_clean(command.help), ""]
    rows = [
        [f"`{p.name.upper()}`", _escape(p.help or "") + (" [required]" if p.required else "")]
        for p in args
    ]
    rows += [_option_row(p, ctx) for p in options]
    if rows:
        parts += [_table(["argument or option", "what it does"], rows), ""]
    return "\n".join(parts)


def _shown(param: Any) -> bool:
    return not getattr(param, "hidden", False) and param.name != "help"


def _option_row(param: Any, ctx: Any) -> list[str]:
    record = param.get_help_record(ctx)
    names, help_text = record if record else (", ".join(param.opts), "")
    return [f"`{_escape(names)}`", _escape(help_text)]


def _clean(text: str | None) -> str:
    import inspect

    return inspect.cleandoc(text or "").replace("\b\n", "")


def _escape(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("|", "\\|").strip()


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def package_format() -> str:
    """Return the package format, from the schema that drives validation."""
    from corridor.schema import format_markdown

    return "\n".join(_escape_cell_pipes(line) for line in format_markdown().split("\n"))


def _escape_cell_pipes(line: str) -> str:
    """Escape each ``|`` inside a table cell (``enum (a|b)``); it would split the cell.

    A separator is a ``|`` that starts the line or has a space (or the line's end) on both sides.
    """
    if not line.startswith("| "):
        return line
    out = []
    for i, char in enumerate(line):
        if char == "|" and i > 0 and line[i - 1] != "\\":
            after = line[i + 1] if i + 1 < len(line) else " "
            if not (line[i - 1] == " " and after == " "):
                out.append("\\")
        out.append(char)
    return "".join(out)


def _kept_if_pending(
    make: Callable[[re.Match[str]], str], pending: list[str]
) -> Callable[[re.Match[str]], str]:
    """Wrap a block maker: a block whose command does not exist is kept and noted in pending."""

    def fill(m: re.Match[str]) -> str:
        try:
            return make(m)
        except PendingError as e:
            pending.append(str(e))
            return m.group(0)

    return fill


def refresh(text: str, pending: list[str] | None = None) -> str:
    """Return the text with every generated part regenerated.

    A block whose command does not exist is left as it is; why is appended to ``pending``.
    """
    notes: list[str] = [] if pending is None else pending
    fill: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
        (OUTPUT, lambda m: m.group(1) + output(m.group(2)) + "\n" + m.group(4)),
        (KEYS, lambda m: m.group(1) + keys(m.group(2)) + m.group(4)),
        (CLI, lambda m: m.group(1) + cli_reference() + "\n" + m.group(3)),
        (FORMAT, lambda m: m.group(1) + package_format() + m.group(3)),
    ]
    for pattern, make in fill:
        text = pattern.sub(_kept_if_pending(make, notes), text)
    return text


def stale(
    paths: list[Path] | None = None, *, write: bool = False, pending: list[str] | None = None
) -> list[Path]:
    """Return the files whose generated parts are out of date; rewrite them with ``write``.

    Blocks whose command does not exist are kept; ``page: why`` is appended to ``pending``.
    """
    out = []
    for path in paths or files():
        old = path.read_text(encoding="utf-8")
        notes: list[str] = []
        new = refresh(old, notes)
        if pending is not None:
            pending += [f"{path.relative_to(ROOT)}: {note}" for note in notes]
        if VOLATILE.sub("<time>", new) != VOLATILE.sub("<time>", old):
            out.append(path)
            if write:
                path.write_text(new, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    """Refresh the generated parts (or, with ``--check``, list the stale files); exit status."""
    argv = sys.argv[1:] if argv is None else argv
    check = "--check" in argv
    paths = [ROOT / a for a in argv if not a.startswith("--")] or None
    pending: list[str] = []
    found = stale(paths, write=not check, pending=pending)
    for note in pending:
        print(f"pending, left as it is: {note}", file=sys.stderr)
    for path in found:
        verb = "stale" if check else "refreshed"
        print(f"{verb}: {path.relative_to(ROOT)}", file=sys.stderr)
    return 1 if check and found else 0


if __name__ == "__main__":
    sys.exit(main())
