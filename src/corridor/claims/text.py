"""Article text: HTML reduced to its main text (trafilatura), the date, and sentences."""

from __future__ import annotations

import re
from datetime import date

from corridor.exceptions import ClaimsError

#: Largest input handled, in characters (a 100-page report; checked in well under a minute).
MAX_CHARS = 500_000

_HTML = re.compile(r"<\s*(html|body|article|div|p|head)\b", re.I)
_SPLIT = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[^a-zа-я,;:.])|\n\s*\n|\n(?=\s*[-*•])")
_ABBREV = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|St|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
    r"U\.S|U\.K|e\.g|i\.e|approx|vs|etc|Inc|Ltd|Co)\.$"
)


def article_text(raw: str) -> tuple[str, date | None]:
    """Return the article's main text and its publication date (when the HTML gives one).

    Plain text passes through unchanged. HTML is reduced by trafilatura to the article body,
    dropping navigation, related links, captions and footers.
    """
    if len(raw) > MAX_CHARS:
        msg = (
            f"input is {len(raw) / 1e6:.1f} million characters; the limit is "
            f"{MAX_CHARS / 1e6:g} million (a 100-page report). Pass the article itself, not a "
            "whole site or a PDF dump."
        )
        raise ClaimsError(msg)
    if not _HTML.search(raw[:5000]):
        return raw, None
    import trafilatura

    text = trafilatura.extract(
        raw,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
    )
    meta = trafilatura.extract_metadata(raw)
    found = None
    if meta is not None and meta.date:
        try:
            found = date.fromisoformat(str(meta.date)[:10])
        except ValueError:
            found = None
    return text or "", found


def sentences(text: str) -> list[str]:
    """Split text into sentences (numbers like 1.64 and abbreviations like U.S. stay whole)."""
    parts: list[str] = []
    for chunk in _SPLIT.split(text):
        if not chunk or not chunk.strip():
            continue
        chunk = " ".join(chunk.split())
        if parts and _ABBREV.search(parts[-1]):
            parts[-1] = f"{parts[-1]} {chunk}"
        else:
            parts.append(chunk)
    return parts
