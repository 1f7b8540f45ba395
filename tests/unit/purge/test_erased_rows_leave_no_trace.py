"""Two places an erased utterance's id stayed after its receipt said ``completed`` (review 11):

- F9: run pages are Jinja pages, autoescaped by markupsafe, which writes ``'`` as ``&#39;`` and ``"`` as
  ``&#34;``; the scrub looked for an id as ``html.escape`` writes it (``&#x27;``, ``&quot;``). An id holding a
  quote (``utt-o'brien-0001``) stayed on the audit's findings page.
- F8: on PostgreSQL the ledger's statistics (``pg_stats``: most common values and histogram bounds, values
  sampled from the table by ``ANALYZE``) kept the erased ids and speaker key, readable by any role that may
  read the ledger. The privacy run gathers them again once it purged."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import create_engine, text
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, receipt

from utterance_governance.jobs.audit import AuditFailed
from utterance_governance.privacy import speaker_keys
from utterance_governance.purge.traces import Scrubber


def _html_holding(lake, needles: list[str]) -> list[str]:
    root = Path(lake.root)
    return sorted(
        str(Path(d, n).relative_to(root))
        for d, _, names in os.walk(root)
        for n in names
        if n.endswith(".html") and any(x in Path(d, n).read_text(errors="replace") for x in needles)
    )


@pytest.mark.parametrize("uid", ["utt-o'brien-0001", 'utt-"q"-0001'], ids=["apostrophe", "quote"])
def test_an_audit_page_loses_a_deleted_id_holding_a_quote(lake, uid):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line(uid, "zed", "remind me to buy tulips")
                             + line("u-kept", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl", deletion("d1", "zed", scope="utterances", utterance_ids=[uid])
    )
    lake.take_in()  # the nightly publish's intake takes the request in; the daily audit runs before the purge
    with pytest.raises(AuditFailed):
        lake.audit()
    escaped = [uid.replace("'", "&#39;").replace('"', "&#34;")]
    assert _html_holding(lake, escaped)  # the findings page names it
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert _html_holding(lake, escaped) == []


@pytest.mark.parametrize(
    "page", ["&#39;", "&#x27;", "&apos;", "'"], ids=["markupsafe", "html-escape", "named", "as-is"]
)
def test_every_html_spelling_of_a_quote_is_scrubbed(page):
    scrub = Scrubber({"utt-o'brien-1"}, html=True)
    assert scrub(f"<td>utt-o{page}brien-1</td><td>utt-o{page}brien-10</td>") == (
        f"<td>[deleted]</td><td>utt-o{page}brien-10</td>"
    )


def _sampled(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT most_common_vals::text, histogram_bounds::text FROM pg_stats "
                    "WHERE schemaname = 'public' AND tablename IN ('ledger', 'ledger_speakers')"
                )
            ).fetchall()
    finally:
        engine.dispose()
    return " ".join(str(r) for r in rows)


def test_the_ledgers_statistics_keep_no_erased_value_on_postgresql(tmp_path, postgres_url):
    lake = Lake(str(tmp_path / "lake"), postgres_url)
    rows = b"".join(line(f"u-bob-{i}", "bob", f"what is the weather number {i}") for i in range(20))
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed-4417", "remind me zebracornflakes") + rows)
    lake.publish()
    engine = create_engine(postgres_url)  # as autovacuum's analyze, or the store's own after a bulk write
    with engine.begin() as conn:
        conn.execute(text("ANALYZE ledger"))
        conn.execute(text("ANALYZE ledger_speakers"))
    engine.dispose()
    key = speaker_keys(pa.array(["zed-4417"]), lake.key.encode()).to_pylist()[0]
    assert "u-zed-1" in _sampled(postgres_url) and key in _sampled(postgres_url)

    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert "u-bob-1" in _sampled(postgres_url)  # gathered again, from the rows that are left
    assert "u-zed-1" not in _sampled(postgres_url) and key not in _sampled(postgres_url)
