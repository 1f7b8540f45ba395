"""Survival of identifier values through redaction, on the outside corpus (tests/data/redaction_corpus.jsonl).

A labelled value *survives* when enough of it is still readable in the redacted sentence:

- NAME: any of its words of three letters or more (a first name left beside a redacted surname
  still names someone);
- every other type: any two consecutive tokens of the value (one, for a value of one token),
  tokens being its runs of letters or digits: ``[PHONE] 84 24`` is a survival of
  ``78 801 84 24``, ``gustr com`` of ``jo@gustr.com``; or, for a value with digits, any run of
  four of its digits still written in the sentence.

A benign sentence (no value of a redacted type) is *changed* when redaction touched it at all.

    python -m tests.unit.clean.survival      # prints the table docs/redaction.md quotes
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "data" / "redaction_corpus.jsonl"
REDACTED_TYPES = ("EMAIL", "PHONE", "CARD", "SSN", "IP", "IBAN", "NATIONAL_ID", "NAME", "ADDRESS")
# Issue targets: the share of values that may survive, per type.
TARGETS = {
    "EMAIL": 0.01, "CARD": 0.01, "SSN": 0.01, "IP": 0.01, "IBAN": 0.01, "NATIONAL_ID": 0.01,
    "PHONE": 0.03, "NAME": 0.30, "ADDRESS": 0.20,
}  # fmt: skip
SPOKEN_BENIGN_KEPT = 0.99

_TOKEN = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"[0-9]{4,}")


def load_corpus(path: Path = CORPUS) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def _holds_sequence(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def survives(kind: str, value: str, redacted: str) -> bool:
    """Whether ``value`` (of type ``kind``) can still be read in ``redacted``."""
    import unicodedata

    value = unicodedata.normalize("NFKC", value).replace("\u200b", "")
    out = _tokens(redacted)
    tokens = _tokens(value)
    if not tokens:
        return False
    if kind == "NAME":
        return any(len(t) >= 3 and t in out for t in tokens)
    width = min(2, len(tokens))
    if any(_holds_sequence(out, tokens[i : i + width]) for i in range(len(tokens) - width + 1)):
        return True
    digits = "".join(c for c in value if c.isdigit())
    return len(digits) >= 7 and any(run in digits for run in _DIGITS.findall(redacted))


@dataclass
class SurvivalReport:
    values: Counter  # type -> labelled values
    survived: Counter  # type -> values still readable
    benign: int
    benign_changed: int
    spoken_benign: int
    spoken_benign_kept: int
    seconds: float
    survivors: dict  # type -> a few (id, value) that survived, for debugging

    def share(self, kind: str) -> float:
        return self.survived[kind] / self.values[kind] if self.values[kind] else 0.0

    def table(self) -> str:
        lines = ["| type | values | survive | share | target |", "|---|---:|---:|---:|---:|"]
        for kind in sorted(self.values, key=lambda k: (k not in TARGETS, k)):
            target = f"≤ {TARGETS[kind]:.0%}" if kind in TARGETS else "not redacted"
            lines.append(
                f"| {kind} | {self.values[kind]} | {self.survived[kind]} | {self.share(kind):.1%} | {target} |"
            )
        lines.append(
            f"\nbenign sentences changed: {self.benign_changed} of {self.benign} "
            f"({self.benign_changed / max(self.benign, 1):.1%}); benign spoken numbers kept: "
            f"{self.spoken_benign_kept} of {self.spoken_benign} "
            f"({self.spoken_benign_kept / max(self.spoken_benign, 1):.1%}); {self.seconds:.2f} s"
        )
        return "\n".join(lines)


def measure(rows: list[dict] | None = None, source: str | None = None) -> SurvivalReport:
    """Redact the corpus (``clean.redact.redact_array`` with each row's locale) and count."""
    import pyarrow as pa

    from utterance_governance.clean.redact import redact_array

    rows = load_corpus() if rows is None else rows
    if source:
        rows = [r for r in rows if r["source"] == source]
    started = time.perf_counter()
    redacted = redact_array(
        pa.array([r["text"] for r in rows]), pa.array([r["locale"] for r in rows])
    ).to_pylist()
    seconds = time.perf_counter() - started
    values, survived = Counter(), Counter()
    examples: dict = {}
    benign = changed = spoken = kept = 0
    for row, out in zip(rows, redacted, strict=True):
        for span in row["spans"]:
            kind = span["type"]
            values[kind] += 1
            if survives(kind, span["value"], out):
                survived[kind] += 1
                examples.setdefault(kind, []).append((row["id"], span["value"], out))
        if row["benign"]:
            benign += 1
            changed += out != row["text"]
            if row.get("kind") == "spoken_benign":
                spoken += 1
                kept += out == row["text"]
    return SurvivalReport(values, survived, benign, changed, spoken, kept, seconds, examples)


if __name__ == "__main__":
    import sys

    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    report = measure(source=args[0] if args else None)
    print(report.table())
    if "-v" in sys.argv:
        for kind, found in report.survivors.items():
            print(kind, found[:10])
