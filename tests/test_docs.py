"""The README documents every command and its Python example runs."""

from __future__ import annotations

import re
from pathlib import Path

from corridor.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented() -> None:
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    for group in app.registered_groups:
        assert group.typer_instance is not None
        names += [f"{group.name} {c.name}" for c in group.typer_instance.registered_commands]
    assert len(names) >= 6
    for name in names:
        assert f"`corridor {name}" in README, name


def test_readme_opens_with_the_two_commands() -> None:
    first = README.index("make run")
    assert first < README.index("make test") < README.index("```python")


def test_python_example_runs(capsys) -> None:  # type: ignore[no-untyped-def]
    block = re.search(r"```python\n(.*?)```", README, re.S)
    assert block
    exec(compile(block.group(1), "README.md", "exec"), {})
    printed = capsys.readouterr().out.split()
    assert printed[0].startswith("0.963")
    assert printed[1].startswith("0.823")
