"""An access report is two files: ``access.json`` (what a purge judges) and ``access.html`` (the page made
from it). A range or listed deletion rewrites both; a worker killed between the two writes must not leave a
page showing a deleted transcript that no JSON accounts for. The page is written first and the JSON last,
a page names the digest of the JSON it shows, and every search makes a page again from its JSON when they
differ (a report left so by an older release), and removes a folder whose JSON is missing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.unit.purge.test_every_copy_edges import deletion, files_holding, line, receipt

from utterance_governance.io.storage import Storage
from utterance_governance.reports.access import page_from_json, page_shows

GONE = "remind me zebracornflakes"
RANGE = {"from": "2026-11-18T00:00:00Z", "to": "2026-11-18T23:59:59Z"}


class Killed(BaseException):
    """The worker dies (out of memory, evicted): no handler runs."""


def _reported(lake) -> str:
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-18/a.jsonl",
        line("u-zed-old", "zed-4417", GONE, captured_at="2026-11-18T10:00:00Z"),
    )
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/b.jsonl", line("u-zed-new", "zed-4417", "what is the weather")
    )
    lake.publish()
    lake.access_report("zed-4417")
    root = lake.access_storage.root_url.removeprefix("file://")
    assert len(files_holding(root, GONE)) == 2  # json and page
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417", "range", **RANGE))
    return root


@pytest.mark.parametrize("killed_at", ["access.html", "access.json"])
def test_a_worker_killed_between_the_reports_json_and_its_page_leaves_no_deleted_words_in_the_page(
    lake, monkeypatch, killed_at
):
    root = _reported(lake)
    write = Storage.write_bytes

    def killed(self, rel, data):
        if rel.endswith(killed_at) and "reports/access/" in rel:
            raise Killed
        return write(self, rel, data)

    with monkeypatch.context() as m:
        m.setattr(Storage, "write_bytes", killed)
        with pytest.raises(Killed):
            lake.privacy(check_deadlines=False)
    lake.privacy(check_deadlines=False)  # the next hourly run
    # (the killed run's in-flight mark may hold the receipt open a while; the words are gone either way)
    assert receipt(lake, "d1")["status"] in ("completed", "in_progress")
    assert files_holding(root, GONE) == []
    assert len(files_holding(root, "what is the weather")) == 2  # the other utterance stays, in both


def test_a_page_an_older_release_left_beside_a_rewritten_json_is_made_again_from_the_json(lake):
    root = _reported(lake)
    (path,) = [p for p in files_holding(root, GONE) if p.endswith("access.json")]
    folder = Path(path).parent
    page = (folder / "access.html").read_bytes()
    assert page_shows(page, Path(path).read_bytes())
    # what an older release left when killed between its two writes: the JSON without the utterance, the
    # page (naming no JSON) with it
    report = json.loads(Path(path).read_text())
    report["utterances"] = [u for u in report["utterances"] if u["utterance_id"] != "u-zed-old"]
    Path(path).write_text(json.dumps(report, indent=2))
    (folder / "access.html").write_text(page.decode().replace("<!-- access.json sha256", "<!-- x"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert files_holding(root, GONE) == []
    data = Path(path).read_bytes()
    assert page_shows((folder / "access.html").read_bytes(), data)
    assert (folder / "access.html").read_bytes().split(b"<footer>")[0] == page_from_json(data).split(
        b"<footer>"
    )[0]


def test_a_report_folder_whose_json_is_missing_goes_whole(lake):
    root = _reported(lake)
    (path,) = [p for p in files_holding(root, GONE) if p.endswith("access.json")]
    os.remove(path)  # a report whose worker was killed after its page
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert files_holding(root, GONE) == [] and not Path(path).parent.exists()
