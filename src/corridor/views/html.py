"""Render a `View` as HTML through the Jinja templates in ``views/templates``.

The offline report files (`report_html`) and the dashboard pages (`page_html`) share the
templates and the stylesheet ``views/static/report.css``: the same view shows the same tables
in both. A report file inlines plotly.js and needs no network; a dashboard page loads it from
the server.
"""

from __future__ import annotations

import datetime
import json
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from corridor.views import format as fmt
from corridor.views.model import Figure, Table, View

#: The dashboard's navigation: (path, label).
NAV = [
    ("/", "Overview"),
    ("/ledger", "Ledger"),
    ("/compare", "Compare"),
    ("/scenario", "Scenario"),
    ("/risk", "Risk"),
    ("/claims", "Claims"),
    ("/runs", "Runs"),
    ("/sources", "Sources"),
    ("/docs", "API"),
]


@cache
def environment() -> Environment:
    """Return the Jinja environment over the view templates (autoescaped)."""
    env = Environment(
        loader=PackageLoader("corridor.views", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["cell"] = cell_html
    env.globals["figure"] = figure_html
    env.filters["pretty"] = pretty_json
    return env


def pretty_json(data: Any) -> str:
    """Return data as indented JSON for a ``<pre>`` (the template escapes it)."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


@cache
def stylesheet() -> str:
    """Return the CSS shared by reports and pages."""
    return files("corridor.views").joinpath("static", "report.css").read_text("utf-8")


def _sources_html(ids: str, href: str) -> Markup:
    links = [
        f'<a class="src" href="{escape(href)}{escape(i)}">[{escape(i)}]</a>'
        for i in dict.fromkeys(s.strip() for s in ids.split(","))
        if i
    ]
    return Markup(" ".join(links))


def cell_html(t: Table, row: int, col: int, href: str = "#src-") -> Markup:
    """Return one table cell as HTML: formatted by its column, escaped, sources linked."""
    c, value = t.columns[col], t.rows[row][col]
    if c.kind == "sources":
        return _sources_html(str(value or ""), href)
    shown = fmt.cell(value, c.kind, c.places)
    if (row, col) in t.links:
        href = t.links[(row, col)]
        title = "why this number"
        return Markup(
            f'<a class="explain" href="{escape(href)}" title="{title}">{escape(shown)}</a>'
        )
    if c.kind == "verdict":
        return Markup(f'<b class="{escape(shown)}">{escape(shown.replace("_", " "))}</b>')
    if col == 0 and row in t.marks:
        a, b = t.marks[row]
        return Markup(f"{escape(shown[:a])}<mark>{escape(shown[a:b])}</mark>{escape(shown[b:])}")
    return Markup("<br>".join(str(escape(line)) for line in shown.split("\n")))


def figure_html(f: Figure) -> Markup:
    """Return a figure as a ``div.figure`` (plotly.js is loaded by the page)."""
    inner = f.make().to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f.name,
        config={"displaylogo": False, "responsive": True},
    )
    return Markup(f'<div class="figure" data-figure="{escape(f.name)}">{inner}</div>')


def package_line(meta: Any) -> str:
    """Return the report's meta line: Corridor version, package, years, date."""
    import corridor

    return (
        f"Corridor {corridor.__version__} · package <b>{escape(meta.name)}</b> "
        f"({escape(meta.title)}, {meta.first_year}–{meta.last_year}) · generated "
        f"{datetime.date.today().isoformat()}"
    )


def report_html(view: View, meta: Any) -> str:
    """Return a view as one self-contained HTML file (plotly.js inlined; no network)."""
    from plotly.offline import get_plotlyjs

    return (
        environment()
        .get_template("report.html")
        .render(
            view=view,
            title=view.title,
            meta=Markup(package_line(meta)),
            css=Markup(stylesheet()),
            plotly_js=Markup(get_plotlyjs()),
        )
    )


def fragment_html(view: View) -> str:
    """Return a view's tables as an HTML fragment (a notebook cell; no figures)."""
    return environment().get_template("fragment.html").render(view=view)


def page_html(template: str, *, title: str, meta: Any, **context: Any) -> str:
    """Return a dashboard page: `template` (under ``templates/``) in the shared page frame."""
    line = Markup(f"package <b>{escape(meta.name)}</b> — {escape(meta.title)}")
    return (
        environment()
        .get_template(template)
        .render(
            title=title,
            meta=line,
            css=Markup(stylesheet()),
            plotly_src="/static/plotly.min.js",
            nav=NAV,
            **{"view": None, **context},
        )
    )
