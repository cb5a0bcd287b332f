"""The view model: what a result shows, independent of the terminal or the browser.

A `View` is a title and `Section`s; a section holds key figures, `Table`s, figures and notes.
A table's cells hold raw strings or numbers (never tuples); each `Col` says how to format its
cells (`corridor.views.format.cell`) and its unit. The rich renderer (`corridor.views.rich`)
and the HTML renderer (`corridor.views.html`) are the only code that turns a view into output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from corridor.views import format as fmt

if TYPE_CHECKING:
    import pandas as pd

    from corridor.reconciliation import Estimate

#: How a column's cells are formatted: share, number, USD, signed change, count, text,
#: comma-separated source ids (linked in HTML), a claim verdict (coloured), or an estimate
#: with its interval (`corridor.views.format.estimate`; the cell holds an `Estimate`).
Kind = Literal["pct", "num", "money", "gap", "int", "text", "sources", "verdict", "est"]
NUMERIC = frozenset({"pct", "num", "money", "gap", "int", "est"})
Cell: TypeAlias = "str | int | float | Estimate | None"


@dataclass(frozen=True)
class Col:
    """A table column: its name, how its cells are formatted, and their unit."""

    name: str
    kind: Kind = "text"
    unit: str = ""
    places: int = 2
    #: False for a column the terminal leaves out (too wide; shown in another table there).
    terminal: bool = True
    #: True for a column of long text (a note, a sentence) that HTML keeps readable.
    wide: bool = False

    @property
    def label(self) -> str:
        """The header: the name, and the unit in brackets when there is one."""
        return f"{self.name} [{self.unit}]" if self.unit else self.name

    @property
    def numeric(self) -> bool:
        """True when the cells are numbers (right-aligned)."""
        return self.kind in NUMERIC


@dataclass
class Table:
    """Rows of raw cells under typed columns; `marks` highlight a span of a row's first cell."""

    title: str
    columns: Sequence[Col]
    rows: list[list[Cell]] = field(default_factory=list)
    caption: str = ""
    id: str = ""
    marks: dict[int, tuple[int, int]] = field(default_factory=dict)
    #: (row, column) → where that cell's figure is explained; the HTML renderer links it.
    links: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        """The column headers."""
        return [c.label for c in self.columns]

    def formatted(self) -> list[list[str]]:
        """Return the rows as display strings, each cell formatted by its column."""
        return [
            [fmt.cell(v, c.kind, c.places) for v, c in zip(row, self.columns, strict=True)]
            for row in self.rows
        ]

    def to_frame(self) -> pd.DataFrame:
        """Return the raw rows as a DataFrame under the headers (cells: strings or numbers).

        An estimate column becomes three: its value, ``<label> low`` and ``<label> high``.
        """
        import pandas as pd

        labels: list[str] = []
        for c in self.columns:
            labels += (
                [c.label, f"{c.label} low", f"{c.label} high"] if c.kind == "est" else [c.label]
            )
        rows = []
        for row in self.rows:
            out: list[Any] = []
            for v, c in zip(row, self.columns, strict=True):
                if c.kind != "est":
                    out.append(v)
                elif v is None or isinstance(v, str | int | float):
                    out += [None, None, None]
                else:
                    value, low, high, _, _ = fmt.parts(v)
                    out += [value, low, high]
            rows.append(out)
        return pd.DataFrame(rows, columns=labels)


@dataclass(frozen=True)
class Figure:
    """A named figure, made only when a renderer draws it (plotly is imported lazily)."""

    name: str
    make: Callable[[], Any]


@dataclass(frozen=True)
class Source:
    """A source behind the figures shown: its id and, when known, where it comes from."""

    id: str
    publisher: str = ""
    title: str = ""
    published: str = ""
    url: str = ""
    note: str = ""


@dataclass
class Section:
    """A part of a view: key figures, tables, figures and notes, in that order."""

    title: str = ""
    intro: str = ""
    key: list[tuple[str, str]] = field(default_factory=list)
    #: Key figure label → where its evidence is explained (an anchor or a page); HTML links it.
    links: dict[str, str] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: False: the section is for the HTML pages only (link targets a terminal cannot follow).
    terminal: bool = True


@dataclass
class View:
    """What one result shows: a title, its sections and the sources behind it."""

    title: str
    sections: list[Section] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    subtitle: str = ""

    def tables(self) -> list[Table]:
        """Every table of the view, in order."""
        return [t for s in self.sections for t in s.tables]

    def table(self, title: str) -> Table:
        """Return the table whose title starts with `title`."""
        for t in self.tables():
            if t.title.startswith(title):
                return t
        msg = f"no table {title!r}; tables: {', '.join(t.title for t in self.tables())}"
        raise KeyError(msg)
