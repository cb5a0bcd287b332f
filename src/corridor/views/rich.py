"""Render a `View` for the terminal with rich: one table per `Table`, key figures as a line."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table as RichTable
from rich.text import Text

from corridor.views.model import Table, View

#: Terminal colours of the claim verdicts.
VERDICT_STYLE = {"supported": "green", "contradicted": "red", "not_checkable": "yellow"}


def render_table(t: Table, *, title: bool = True) -> RichTable:
    """Return one view table as a rich table (numbers right-aligned, verdicts coloured)."""
    out = RichTable(title=t.title if title else None, title_justify="left", header_style="bold")
    keep = [j for j, c in enumerate(t.columns) if c.terminal]
    formatted = t.formatted()
    for j in keep:
        c = t.columns[j]
        # a number column is as wide as its widest number (its header wraps); source ids, one
        # per line, are folded only past 26 characters
        widest = max([len(row[j]) for row in formatted] + [len(w) for w in c.label.split()])
        out.add_column(
            c.label,
            justify="right" if c.numeric else "left",
            no_wrap=c.name in ("route", "loss"),
            overflow="fold",
            max_width=max(widest, 7) if c.numeric else 26 if c.kind == "sources" else None,
        )
    for i, row in enumerate(formatted):
        cells: list[RenderableType] = list(row)
        for j, c in enumerate(t.columns):
            if c.kind == "sources":
                cells[j] = row[j].replace(", ", "\n")
            elif c.kind == "verdict":
                cells[j] = Text(row[j].replace("_", " "), style=VERDICT_STYLE.get(row[j], ""))
        if i in t.marks:
            first = Text(row[0])
            first.stylize("bold reverse", *t.marks[i])
            cells[0] = first
        out.add_row(*(cells[j] for j in keep))
    if t.caption:
        out.caption, out.caption_justify = t.caption, "left"
    return out


def render(view: View, *, sources: bool = False) -> Group:
    """Return a view as rich renderables: title, then each section's key, tables and notes."""
    parts: list[RenderableType] = [Text(view.title, style="bold")]
    if view.subtitle:
        parts.append(Text(view.subtitle, style="dim"))
    for s in (s for s in view.sections if s.terminal):
        if s.intro:
            parts.append(Text(s.intro))
        if s.key:
            parts.append(Text("  ·  ".join(f"{k}: {v}" for k, v in s.key)))
        parts += [render_table(t, title=t.title != view.title) for t in s.tables]
        parts += [Text(note, style="dim") for note in s.notes]
    if sources and view.sources:
        t = RichTable(title="Sources", title_justify="left", header_style="bold")
        for c in ("id", "publisher", "published", "title", "url"):
            t.add_column(c, overflow="fold")
        for src in view.sources:
            t.add_row(src.id, src.publisher, src.published, src.title, src.url)
        parts.append(t)
    return Group(*parts)
