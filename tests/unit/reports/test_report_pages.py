"""The pages people read: rendered from fake run records, checked for content, links and leaks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.policy import Policy
from utterance_governance.reports import charts, render, site
from utterance_governance.reports.deadlines import Deadline

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
RAW = ("cus-462aa79a0e51", "dev-9f1c2e", "my email is jo@example.com")

REPORT = {
    "run_id": "scheduled__2026-11-26T02:00:00+00:00",
    "dag_id": "utterances_publish",
    "dataset": "assistant-sft",
    "dry_run": False,
    "params": {"dt_from": "2026-11-20", "dt_to": None, "reprocess": False},
    "decided_at": "2026-11-26T02:00:05+00:00",
    # fields a page must never show, whatever a run record carries
    "privacy_ingest": {"consent_new": 3, "last_customer": RAW[0], "device": RAW[1]},
    "counts": {"published": 1165, "duplicate": 436, "opted_out": 84, "malformed": 41, "quality:low_asr_confidence": 33},
    "version": "v000003",
    "new_version": True,
    "published": {"rows": 3000, "new_rows": 1165, "sample": RAW[2]},
    "quality_gate": {
        "success": False,
        "rows": 1165,
        "evaluated": 21,
        "suite_name": "utterances_publish_gate",
        "failed": [
            {"check": "user_text_no_identifier", "column": "user_text_has_identifier", "unexpected_count": 2,
             "message": "2 rows hold an identifier", "sample_values": [RAW[2]], "sample_utterance_ids": ["u-1"]},
            {"check": "<script>alert(1)</script>", "column": None, "unexpected_count": None, "message": "x"},
        ],
        "docs_index": "/somewhere/reports/run/gx/index.html",
    },
}  # fmt: skip

HISTORY = [
    {"run_id": f"r{i}", "dag_id": "utterances_publish", "started_at": T0 + timedelta(days=i), "status": "success",
     "counts": {"published": 1000 + 50 * i, "duplicate": 400, "opted_out": 80 + i}}
    for i in range(5, -1, -1)
]  # newest first, as the store gives them  # fmt: skip
VERSIONS = [
    {"version": "v000001", "parent_version": None, "status": "superseded", "created_at": T0, "run_id": "r0",
     "counts": {"published": 1000}},
    {"version": "v000002", "parent_version": "v000001", "status": "revoked", "created_at": T0 + timedelta(days=1),
     "run_id": "privacy-1", "counts": {}},
    {"version": "v000003", "parent_version": "v000002", "status": "live", "created_at": T0 + timedelta(days=6),
     "run_id": REPORT["run_id"], "counts": {"published": 1165}},
]  # fmt: skip
DEADLINES = [
    Deadline("del-overdue-1", "all", "2026-10-01T00:00:00+00:00", "2026-10-31T00:00:00+00:00", -26.1, "overdue", None),
    Deadline("del-soon-2", "range", "2026-11-01T00:00:00+00:00", "2026-12-01T00:00:00+00:00", 4.9, "at_risk", "open"),
    Deadline("del-fine-3", "all", "2026-11-25T00:00:00+00:00", "2026-12-25T00:00:00+00:00", 29.0, "open", None),
]  # fmt: skip


@pytest.fixture(scope="module")
def page() -> str:
    return render.run_page(REPORT, history=HISTORY, versions=VERSIONS, deadlines=DEADLINES,
                           gx_docs_href="gx/index.html")  # fmt: skip


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_counts_by_reason_with_shares(page):
    text = text_of(page)
    assert "published 1,165 66.2%" in text  # 1165 of 1759
    assert "duplicate 436" in text and "quality:low_asr_confidence 33" in text
    assert "total 1,759" in text


def test_the_gate_links_its_data_docs_relatively(page):
    assert 'href="gx/index.html"' in page
    assert "/somewhere/" not in page  # the absolute docs path is not used
    assert "FAILED" in page and "user_text_no_identifier" in page
    no_docs = render.run_page(REPORT, gx_docs_href=None)
    assert "gx/index.html" not in no_docs and "No Data Docs" in no_docs


def test_a_chart_of_recent_runs_is_inline_svg(page):
    assert "<svg" in page and "<script" not in page
    assert "http://" not in page and "https://" not in page  # nothing loaded from anywhere
    # one bar per run, oldest on the left, each segment titled with its exact count
    assert page.count(" · published: ") == len(HISTORY)
    assert page.index("11-20 02:00") < page.index("11-25 02:00")
    assert "opted_out: 85" in page


def test_versions_and_the_deadline_table(page):
    text = text_of(page)
    assert "v000003" in text and "(this run)" in text and "revoked" in text
    assert "del-overdue-1" in text and "del-soon-2" in text and "none issued" in text
    assert "del-fine-3" not in text  # listed only when near or past its deadline
    assert "1 overdue" in text and "1 at risk" in text


def test_no_raw_identifier_or_text_reaches_the_page(page):
    for raw in RAW:
        assert raw not in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # autoescaped


def test_a_dry_run_says_so():
    html = render.run_page({**REPORT, "dry_run": True, "new_version": False, "version": None})
    assert "Dry run" in html and "nothing was published" in html


def test_an_empty_history_renders():
    html = render.run_page({"run_id": "r", "dag_id": "privacy_requests", "dataset": "d", "counts": {},
                            "summary": {"requests_completed": 2, "nested": {"x": 1}}})  # fmt: skip
    assert "Nothing counted" in html and "No counts recorded" in html and "requests_completed" in html
    assert "nested" not in html


def test_the_index_lists_recent_runs_and_never_links_access_reports():
    runs = [
        {"run_id": "audit-2", "dag_id": "governance_audit", "started_at": T0 + timedelta(days=2), "status": "failed",
         "counts": {"rows_checked": 3000, "finding:opted_out": 2}, "details": {}},
        {"run_id": "access-1", "dag_id": "governance_audit", "started_at": T0 + timedelta(days=1), "status": "success",
         "counts": {"access_utterances": 7}, "details": {"mode": "access"}},
        *HISTORY,
    ]  # fmt: skip
    links = {("governance_audit", "audit-2"): "audit-2/index.html", ("utterances_publish", "r5"): "r5/index.html",
             ("privacy_requests", "r4"): "elsewhere/index.html"}  # fmt: skip
    html = render.index_page(runs, links=links, dataset="assistant-sft", live_version="v000003")
    text = text_of(html)
    assert 'href="audit-2/index.html"' in html and 'href="r5/index.html"' in html
    # a run of another DAG under the same run id links its own page, not this one's
    assert "elsewhere/index.html" not in html
    assert "3,000 live rows re-read; 2 findings" in text
    assert "Latest governance audit" in text and "FAILED" in text
    assert "access report" in text and "reports/access/" in text and "access-1/" not in html


def test_the_audit_page_shows_findings_and_rules():
    audit = {
        "run_id": "a1", "dataset": "assistant-sft", "version": "v000003", "checked_at": "2026-11-26T06:00:00+00:00",
        "violations": 1, "incomplete": [], "shards_checked": 4, "rows_checked": 1165, "ledger_rows": 1165,
        "counts": {"deletion_requested": 1},
        "findings": [{"rule": "deletion_requested", "severity": "violation", "shard": "v000001/shards/part-00000.parquet",
                      "utterance_id": "utt-9", "message": "covered by deletion request del-1"}],
    }  # fmt: skip
    rules = [{"rule": "deletion_requested", "severity": "violation", "description": "d", "count": 1},
             {"rule": "opted_out", "severity": "violation", "description": "o", "count": 0}]  # fmt: skip
    html = render.audit_page(audit, rules=rules, history=[], deadlines=DEADLINES)
    text = text_of(html)
    assert "FAILED: 1 violation" in text and "utt-9" in text and "part-00000.parquet" in text
    assert "1,165" in text and "opted_out" in text
    passed = render.audit_page({**audit, "violations": 0, "findings": [], "counts": {}}, rules=rules)
    assert "PASSED" in passed


def test_stacked_bars_are_proportional():
    chart = charts.stacked_bars([("a", {"published": 300, "duplicate": 100}), ("b", {"published": 100})])
    (pub_a, dup_a), (pub_b,) = (bar.segments for bar in chart.bars)
    assert pub_a.height == pytest.approx(3 * pub_b.height) and pub_a.height == pytest.approx(3 * dup_a.height)
    assert [k for k, _ in chart.legend] == ["published", "duplicate"]
    assert charts.stacked_bars([("a", {})]).empty


def test_pages_are_written_beside_the_run_with_the_index(tmp_path):
    storage = Storage(str(tmp_path / "lake"))
    store = GovernanceStore(f"sqlite:///{tmp_path / 'g.db'}")
    store.create_schema()
    store.record_run(REPORT["run_id"], "utterances_publish", T0, T0, "success", REPORT["counts"],
                     {"report": "reports/run-key/report.json"})  # fmt: skip
    storage.write_bytes("reports/run-key/gx/index.html", b"<html></html>")
    path = site.write_run_page(storage, store, REPORT, run_key="run-key", policy=Policy(), now=T0)
    assert path == "reports/run-key/index.html"
    html = storage.read_bytes(path).decode()
    assert 'href="gx/index.html"' in html and 'href="../index.html"' in html
    index = storage.read_bytes("reports/index.html").decode()
    assert 'href="run-key/index.html"' in index
