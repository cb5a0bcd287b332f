"""Write the bytecode of the modules Corridor's commands import (`make run` calls it once).

`make run` installs with ``--no-compile`` (byte-compiling every module of SciPy and pandas
would add about 140 MB that nothing reads), and where ``PYTHONDONTWRITEBYTECODE`` is set (as in
many containers and CI images) Python never writes bytecode as it runs: every command would
then compile typer, rich and the rest again at each start (``corridor --help`` 0.5 s instead
of 0.2 s). This imports what ``--help``, ``claims check`` and ``report`` import, with writing
bytecode on, and nothing more.
"""

from __future__ import annotations

import contextlib
import io
import sys

sys.dont_write_bytecode = False


def main() -> None:
    """Import the commands' modules and render the help, writing their bytecode."""
    from corridor.cli import app

    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        app(["--help"])
    import corridor.claims.check
    import corridor.claims.facts
    import corridor.report
    import corridor.views.build
    import corridor.views.charts
    import corridor.views.html
    import corridor.views.rich  # noqa: F401

    print("== compiled the modules Corridor's commands import")


if __name__ == "__main__":
    main()
