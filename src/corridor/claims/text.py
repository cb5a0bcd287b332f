"""Article text: HTML reduced to its main text (trafilatura), the date, and sentences."""

from __future__ import annotations

import re
from datetime import date

from corridor.exceptions import ClaimsError, require

#: Largest input handled, in characters (a 100-page report; checked in well under a minute).
MAX_CHARS = 500_000

_HTML = re.compile(r"<\s*(html|body|article|div|p|head)\b", re.I)
#: A sentence ends after ``.``, ``!`` or ``?`` (and a closing quote or bracket) before anything
#: that is not lower case or punctuation; after a full stop glued to a capital ("followed.As");
#: and at a blank line.
_SPLIT = re.compile(
    r"(?<=[.!?])[\"”’»)]?+\s++(?=[^a-zа-я,;:.])|(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])|\n\s*+\n"
)
_ABBREV = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|St|No|Nos|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
    r"U\.S|U\.K|U\.N|e\.g|i\.e|a\.m|p\.m|approx|vs|etc|Inc|Ltd|Co|Corp|Gov|Sen|Rep|Gen|est|ca|cf)\.$"
)
#: How much of a sentence's end the abbreviation check reads (keeps the splitter linear).
_ABBREV_TAIL = 12
#: A page's " date YYYY-MM-DD" stamp at the start of a line: not part of any sentence.
_DATE_STAMP = re.compile(r"(?m)^[ \t]*+date[ \t]++\d{4}-\d{2}-\d{2}\b[ \t]*+")
_BULLET = re.compile(r"\s*+[-*•‣▪–]\s")
#: A line that does not end its sentence: it ends in a comma, a hyphen, an opening bracket, a
#: small word ("the", "of", "and") or a month before a day or year on the next line.
_GOES_ON = re.compile(
    r"(?:[,;:(\[/&–—-]|\b(?:the|a|an|of|in|on|at|to|for|and|or|but|by|with|from|as|is|are|"
    r"was|were|be|been|that|which|who|its|their|his|her|this|these|than|into|per|about|over|"
    r"under|nearly|some|around|January|February|March|April|May|June|July|August|September|"
    r"October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec))$",
    re.I,
)
#: Share of line breaks followed by lower case above which a text counts as hard-wrapped.
_WRAPPED = 0.3


def article_text(raw: str) -> tuple[str, date | None]:
    """Return the article's main text and its publication date (when the HTML gives one).

    Plain text passes through unchanged. HTML is reduced by trafilatura to the article body,
    dropping navigation, related links, captions and footers.
    """
    if len(raw) > MAX_CHARS:
        msg = (
            f"input is over the limit of {MAX_CHARS / 1e6:g} million characters (a 100-page "
            "report). Pass the article itself, not a "
            "whole site or a PDF dump."
        )
        raise ClaimsError(msg)
    if not _HTML.search(raw[:5000]):
        return raw, None
    trafilatura = require("trafilatura", "claims", "reading an HTML article")
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
    r"""Split text into sentences.

    Parameters
    ----------
    text
        An article's text, as `article_text` returns it.

    Returns
    -------
    list of str
        The sentences, whitespace runs joined into one space. Numbers like 1.64 and
        abbreviations like U.S. stay whole; a line break ends a sentence (a headline has no
        full stop) unless the line clearly goes on, or the whole text is hard-wrapped.

    Notes
    -----
    A regular-expression splitter, not a library: on the real-news development set it keeps
    more sentences whole than syntok (which joins a headline to the first sentence, as it reads
    single line breaks as spaces), and every pattern here is linear in the text's length.

    Examples
    --------
    >>> sentences("Oil Exports Rise\nExports were 1.64 mb/d. The U.S. Navy watched.")
    ['Oil Exports Rise', 'Exports were 1.64 mb/d.', 'The U.S. Navy watched.']
    """
    parts: list[str] = []
    for block in _blocks(_DATE_STAMP.sub("\n", text)):
        merge = False
        for chunk in _SPLIT.split(block):
            if not chunk or not chunk.strip():
                continue
            chunk = " ".join(chunk.split())
            if merge and _ABBREV.search(parts[-1][-_ABBREV_TAIL:]):
                parts[-1] = f"{parts[-1]} {chunk}"
            else:
                parts.append(chunk)
            merge = True
    return [piece for part in parts for piece in pieces(part)]


#: The longest sentence read whole, in characters. Real sentences are far shorter; a longer run
#: (a table flattened into one line, a list of hundreds of figures) is read in pieces cut at a
#: clause or list break, so that reading each number costs the same however long the text.
MAX_SENTENCE = 800


def pieces(sentence: str, limit: int = MAX_SENTENCE) -> list[str]:
    """Cut a sentence longer than `limit` at its last "; " or ", " (else a space) before it.

    Examples
    --------
    >>> pieces("one, two, three", limit=8)
    ['one,', 'two,', 'three']
    >>> pieces("short sentence.")
    ['short sentence.']
    """
    out: list[str] = []
    while len(sentence) > limit:
        cut = max(sentence.rfind("; ", 0, limit), sentence.rfind(", ", 0, limit))
        if cut < limit // 2:
            cut = sentence.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit - 1
        out.append(sentence[: cut + 1].strip())
        sentence = sentence[cut + 1 :].lstrip()
    out.append(sentence)
    return out


def _blocks(text: str) -> list[str]:
    """Cut text at the line breaks that end a sentence; the other breaks become spaces."""
    lines = text.split("\n")
    starts = [ln.lstrip()[:1] for ln in lines[1:] if ln.strip()]
    lower = sum(c.islower() for c in starts)
    wrapped = len(starts) >= 4 and lower >= _WRAPPED * len(starts)
    blocks: list[list[str]] = [[]]
    for line in lines:
        stripped = line.strip()
        if not stripped:
            blocks.append([])
            continue
        prev = blocks[-1][-1] if blocks[-1] else None
        if prev is not None and not _goes_on(prev, stripped, wrapped=wrapped):
            blocks.append([])
        blocks[-1].append(stripped)
    return [" ".join(b) for b in blocks if b]


def _goes_on(prev: str, line: str, *, wrapped: bool) -> bool:
    """Tell whether ``line`` continues the sentence that ``prev`` (the line before) began."""
    if _BULLET.match(line):
        return False
    if wrapped or line[0].islower() or line[0] in ",;:)%":
        return True
    return bool(_GOES_ON.search(prev[-12:]))
