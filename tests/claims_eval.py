"""Score claim extraction and verdicts on the labelled set (used by a test and `make bench`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

import corridor
from corridor.claims import check_claims

EVAL = Path(__file__).with_name("data") / "claims_eval.yaml"


@dataclass
class Score:
    """Precision and recall of extraction, and accuracy of verdicts on matched claims."""

    extracted: int
    expected: int
    matched: int
    verdicts_right: int
    misses: list[str]
    extras: list[str]
    wrong_verdicts: list[str]

    @property
    def precision(self) -> float:
        return self.matched / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def verdict_accuracy(self) -> float:
        return self.verdicts_right / self.matched if self.matched else 1.0


def _same(found: Any, want: dict[str, Any]) -> bool:
    return (
        abs(found.value - float(want["value"])) < 1e-9
        and found.metric == want["metric"]
        and (want.get("via") is None or found.via == want["via"])
    )


def score(n: corridor.Network | None = None) -> Score:
    n = n or corridor.load_package()
    items = yaml.safe_load(EVAL.read_text(encoding="utf-8"))
    extracted = expected = matched = right = 0
    misses, extras, wrong = [], [], []
    for item in items:
        when = item.get("date")
        when = when if isinstance(when, date) else (date.fromisoformat(when) if when else None)
        found = check_claims(item["text"], date=when, network=n)
        want = item["claims"]
        extracted += len(found)
        expected += len(want)
        used: set[int] = set()
        for w in want:
            k = next((i for i, f in enumerate(found) if i not in used and _same(f, w)), None)
            if k is None:
                misses.append(f"{item['text']} → {w}")
                continue
            used.add(k)
            matched += 1
            if found[k].verdict == w["verdict"]:
                right += 1
            else:
                wrong.append(f"{item['text']} → {found[k].verdict}, expected {w['verdict']}")
        extras += [
            f"{item['text']} → {f.metric} {f.value} {f.via}"
            for i, f in enumerate(found)
            if i not in used
        ]
    return Score(extracted, expected, matched, right, misses, extras, wrong)


if __name__ == "__main__":
    s = score()
    print(
        f"claims eval: {len(yaml.safe_load(EVAL.read_text()))} sentences, {s.expected} claims; "
        f"precision {s.precision:.3f}, recall {s.recall:.3f}, verdict accuracy "
        f"{s.verdict_accuracy:.3f} (targets: precision >= 0.95, recall >= 0.9)"
    )
    for label, rows in (
        ("missed", s.misses),
        ("extra", s.extras),
        ("wrong verdict", s.wrong_verdicts),
    ):
        for r in rows:
            print(f"  {label}: {r}")
