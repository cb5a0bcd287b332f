"""Run the CLI: ``python -m corridor``."""

from corridor.cli import app

app(prog_name="corridor")
