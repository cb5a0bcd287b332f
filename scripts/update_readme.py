"""Refresh the README's generated parts: command outputs and the package format section.

Blocks between ``<!-- output: ARGS -->`` and ``<!-- /output -->`` are replaced by the real
output of ``corridor ARGS``; the block between ``<!-- format -->`` and ``<!-- /format -->`` by
``corridor schema``. Run after changing the data, the schema or a view:
``.venv/bin/python scripts/update_readme.py``.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
CORRIDOR = [sys.executable, "-m", "corridor"]


def run(args: str) -> str:
    out = subprocess.run([*CORRIDOR, *shlex.split(args)], capture_output=True, text=True)
    text = out.stdout + out.stderr
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines())


def main() -> None:
    text = README.read_text(encoding="utf-8")
    text = re.sub(
        r"(<!-- output: ([^\n]+?) -->\n```text\n)(.*?)(^```\n<!-- /output -->)",
        lambda m: m.group(1) + run(m.group(2)) + "\n" + m.group(4),
        text,
        flags=re.S | re.M,
    )
    text = re.sub(
        r"(<!-- format -->\n)(.*?)(<!-- /format -->)",
        lambda m: m.group(1) + run("schema") + "\n" + m.group(3),
        text,
        flags=re.S,
    )
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
