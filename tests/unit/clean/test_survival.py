"""The outside corpus (tests/data/redaction_corpus.jsonl, from presidio-evaluator's generator and
our own multilingual and spoken sentences): the share of identifier values that survive
redaction stays within the issue's targets, per type, and benign spoken numbers are kept."""

from __future__ import annotations

import pytest
from tests.unit.clean import survival


@pytest.fixture(scope="module")
def report() -> survival.SurvivalReport:
    return survival.measure()


@pytest.mark.parametrize("kind", sorted(survival.TARGETS))
def test_survival_within_target(report: survival.SurvivalReport, kind: str) -> None:
    assert report.values[kind] >= 40, f"the corpus holds too few {kind} values to measure"
    assert report.share(kind) <= survival.TARGETS[kind], (
        f"{kind}: {report.survived[kind]} of {report.values[kind]} values survive "
        f"({report.share(kind):.1%} > {survival.TARGETS[kind]:.0%}): {report.survivors[kind][:5]}"
    )


def test_benign_spoken_numbers_are_kept(report: survival.SurvivalReport) -> None:
    assert report.spoken_benign >= 100
    assert report.spoken_benign_kept / report.spoken_benign >= survival.SPOKEN_BENIGN_KEPT


def test_voice_assistant_benign_requests_are_unchanged() -> None:
    rows = [r for r in survival.load_corpus() if r["source"] == "ug" and r["benign"]]
    report = survival.measure(rows)
    assert report.benign_changed / report.benign <= 0.01


def test_survives_reads_partial_redaction() -> None:
    assert survival.survives("PHONE", "78 801 84 24", "call [PHONE] 84 24")
    assert not survival.survives("PHONE", "78 801 84 24", "call [PHONE]")
    assert survival.survives("NAME", "Erica Kapanen", "to Mrs. [NAME] Kapanen")
    assert not survival.survives("EMAIL", "jo@gustr.com", "mail [EMAIL] now")
    assert survival.survives("CARD", "4111 1111 1111 1111", "card [NUMBER] 41111111")
