"""Score the claim checker on a labelled set: extraction precision and recall, verdict accuracy.

A labelled set is a YAML list of texts, each with the claims a reader finds in it::

    - text: "More than 80% of Kazakhstan's oil is exported via Russia."
      date: 2026-03-01            # optional: the publication date
      claims:
        - {value: 80, metric: share_crossing, via: RUS, verdict: supported}
      set_aside:                  # optional: numbers read and set aside, with their kind
        - {value: 20, kind: plan}

A claim the checker finds *matches* a labelled one when the value and the metric agree (and the
via, where the label gives one); each label matches at most once. The project's set is
``tests/data/claims_eval.yaml``; ``make bench`` and a test score it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from corridor.claims.check import check_article
from corridor.claims.normalise import Claim
from corridor.network import Network


@dataclass(frozen=True)
class Score:
    """Precision and recall of extraction, and accuracy of verdicts on matched claims."""

    extracted: int
    expected: int
    matched: int
    verdicts_right: int
    misses: tuple[str, ...]
    extras: tuple[str, ...]
    wrong_verdicts: tuple[str, ...]
    aside_expected: int = 0
    aside_matched: int = 0

    @property
    def precision(self) -> float:
        """Return the share of the claims found that are labelled claims."""
        return self.matched / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        """Return the share of the labelled claims that were found."""
        return self.matched / self.expected if self.expected else 1.0

    @property
    def aside_recall(self) -> float:
        """Return the share of the labelled set-aside numbers set aside with the right kind."""
        return self.aside_matched / self.aside_expected if self.aside_expected else 1.0

    @property
    def verdict_accuracy(self) -> float:
        """Return the share of the matched claims with the labelled verdict."""
        return self.verdicts_right / self.matched if self.matched else 1.0

    def __str__(self) -> str:
        return (
            f"{self.expected} labelled claims, {self.extracted} found, {self.matched} matched: "
            f"precision {self.precision:.3f}, recall {self.recall:.3f}, "
            f"verdict accuracy {self.verdict_accuracy:.3f}, "
            f"set aside {self.aside_matched}/{self.aside_expected}"
        )

    def errors(self) -> list[str]:
        """Return one line per missed claim, extra claim and wrong verdict."""
        return [
            f"{label}: {row}"
            for label, rows in (
                ("missed", self.misses),
                ("extra", self.extras),
                ("wrong verdict", self.wrong_verdicts),
            )
            for row in rows
        ]


def read_labelled_set(path: Path) -> list[dict[str, Any]]:
    """Return the items of a labelled set (YAML), each with ``text``, ``claims``, ``date``."""
    items: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    for item in items:
        when = item.get("date")
        if isinstance(when, str):
            item["date"] = date.fromisoformat(when)
    return items


def score(n: Network, items: list[dict[str, Any]]) -> Score:
    """Check every text of a labelled set against `n` and score the claims found."""
    extracted = expected = matched = right = aside_expected = aside_matched = 0
    misses: list[str] = []
    extras: list[str] = []
    wrong: list[str] = []
    for item in items:
        checked = check_article(item["text"], n=n, date=item.get("date"))
        found = checked.claims
        want: list[dict[str, Any]] = item["claims"]
        for w in item.get("set_aside", []):
            aside_expected += 1
            hit = any(
                abs(a.value - float(w["value"])) < 1e-9 and a.kind == w["kind"]
                for a in checked.set_aside
            )
            aside_matched += hit
            if not hit:
                misses.append(f"{item['text']} → set aside as {w['kind']}: {w['value']}")
        extracted += len(found)
        expected += len(want)
        pairs = _match(found, want)
        for w, k in zip(want, pairs, strict=True):
            if k is None:
                misses.append(f"{item['text']} → {w}")
                continue
            matched += 1
            if found[k].verdict == w["verdict"]:
                right += 1
            else:
                wrong.append(f"{item['text']} → {found[k].verdict}, expected {w['verdict']}")
        extras += [
            f"{item['text']} → {f.metric} {f.value} {f.via}"
            for i, f in enumerate(found)
            if i not in pairs
        ]
    return Score(
        extracted,
        expected,
        matched,
        right,
        tuple(misses),
        tuple(extras),
        tuple(wrong),
        aside_expected,
        aside_matched,
    )


def _match(found: list[Claim], want: list[dict[str, Any]]) -> list[int | None]:
    """Return, for each labelled claim, the index of the claim found that matches it, if any."""
    used: set[int] = set()
    out: list[int | None] = []
    for w in want:
        k = next((i for i, f in enumerate(found) if i not in used and _same(f, w)), None)
        if k is not None:
            used.add(k)
        out.append(k)
    return out


def _same(found: Claim, want: dict[str, Any]) -> bool:
    return (
        abs(found.value - float(want["value"])) < 1e-9
        and found.metric == want["metric"]
        and (want.get("via") is None or found.via == want["via"])
    )
