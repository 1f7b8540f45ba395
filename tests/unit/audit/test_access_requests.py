"""Access reports by one-time reference (``ug access request``), written to their own root: the
store's access requests, ``governance_audit``'s params, the report's location and credentials, and
the command. On SQLite and PostgreSQL where the store is involved."""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake

from utterance_governance.cli import main as cli_main
from utterance_governance.io.store import AccessRequestRefused
from utterance_governance.io.store.access import is_reference
from utterance_governance.jobs import audit
from utterance_governance.jobs.context import InvalidParams, RunContext
from utterance_governance.settings import ConfigurationError, load_access_report_target, load_settings

DT = "landing/utterances/dt=2026-11-20"
PROD_KEY = "a-production-key-of-32-bytes-or-more"


def line(uid: str, customer: str, text: str) -> bytes:
    row = {"utterance_id": uid, "customer_id": customer, "captured_at": "2026-11-20T10:00:00Z",
           "locale": "en-US", "transcript": text, "response": "Done.", "asr_confidence": 0.9}  # fmt: skip
    return json.dumps(row).encode() + b"\n"


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-1", "cus-ana", "call the plumber at nine")
                             + line("u-2", "cus-ben", "play some jazz"))  # fmt: skip
    lake.publish()
    return lake


def register(lake: Lake, customer_id: str = "cus-ana") -> str:
    with lake.store() as store:
        return store.register_access_request(customer_id, "officer-ana")


def run_access(lake: Lake, params: dict, run_id: str = "manual__1", env: dict | None = None) -> dict:
    with lake._environment():
        settings = load_settings({**lake.env, **(env or {})})
        ctx = RunContext.from_dict(audit.prepare(run_id, params, settings))
        return audit.access_report(ctx)


# --- the store ---------------------------------------------------------------------------------
def test_a_reference_is_random_and_names_no_customer(store):
    refs = {store.register_access_request("cus-ana", "officer") for _ in range(20)}
    assert len(refs) == 20 and all(is_reference(r) and "cus-ana" not in r for r in refs)
    (some, *_) = refs
    request = store.access_request(some)
    assert request["status"] == "requested" and request["requested_by"] == "officer"
    assert "customer_id" not in request and all("customer_id" not in r for r in store.access_requests())


def test_a_reference_is_taken_once(store):
    ref = store.register_access_request("cus-ana", "officer")
    assert store.take_access_request(ref, "run-1") == "cus-ana"
    assert store.take_access_request(ref, "run-1") == "cus-ana"  # the same run's retry
    with pytest.raises(AccessRequestRefused, match="taken by run run-1"):
        store.take_access_request(ref, "run-2")
    store.complete_access_request(ref, "run-1", "file:///reports/x/access.json")
    done = store.access_request(ref)
    assert done["status"] == "done" and done["report_url"].endswith("access.json") and done["completed_at"]
    for run in ("run-1", "run-2"):
        with pytest.raises(AccessRequestRefused, match="already used"):
            store.take_access_request(ref, run)
    assert store.access_requests(open_only=True) == []


def test_a_failed_runs_request_is_released_for_a_new_run_and_only_by_that_run(store):
    ref = store.register_access_request("cus-ana", "officer")
    store.take_access_request(ref, "run-1")
    assert store.release_access_request(ref, "run-2") is False  # not run-2's to release
    assert store.access_request(ref)["status"] == "running"
    assert store.release_access_request(ref, "run-1") is True
    assert store.access_request(ref)["status"] == "requested" and store.access_request(ref)["run_id"] is None
    assert store.take_access_request(ref, "run-2") == "cus-ana"
    store.complete_access_request(ref, "run-2", "file:///reports/y/access.json")
    assert store.release_access_request(ref, "run-2") is False  # a spent reference stays spent
    assert store.access_request(ref)["status"] == "done"


def test_unknown_and_malformed_references_are_refused(store):
    with pytest.raises(AccessRequestRefused, match="not registered"):
        store.take_access_request("ar_" + "0" * 32, "run-1")
    for bad in ("cus-ana", "ar_xyz", None, 42):
        with pytest.raises(AccessRequestRefused, match="not a reference"):
            store.check_access_request(bad, "run-1")


# --- governance_audit's params and its access report --------------------------------------------
@pytest.mark.parametrize("env", ["production", "development"])
def test_a_raw_customer_id_is_refused_pointing_to_ug_access_request(lake, env):
    overrides = {"UG_ENV": env, "UG_PSEUDONYM_KEY": PROD_KEY} if env == "production" else {}
    with lake._environment(), pytest.raises(InvalidParams, match="ug access request") as refused:
        audit.prepare("manual__1", {"customer_id": "cus-ana"}, load_settings({**lake.env, **overrides}))
    assert "cus-ana" not in str(refused.value)
    assert (
        audit.prepare("manual__2", {"customer_id": None}, load_settings(lake.env))["extra"]["mode"] == "audit"
    )


def test_the_report_goes_to_its_own_root_and_the_reference_is_spent(lake):
    ref = register(lake)
    result = run_access(lake, {"access_request": ref})
    access = lake.access_storage
    assert result["utterances"] == 1 and result["json"] == access.url(f"{result['folder']}/access.json")
    assert not lake.storage.list_files("reports/access", ())  # nothing under the lake's reports/access/
    report = json.loads(access.read_bytes(f"{result['folder']}/access.json"))
    assert report["customer_id"] == "cus-ana" and [u["utterance_id"] for u in report["utterances"]] == ["u-1"]
    assert "cus-ana" not in json.dumps(result)  # what goes to XCom
    with lake.store() as store:
        request = store.access_request(ref)
        (run,) = [r for r in store.runs("governance_audit") if r["run_id"] == "manual__1"]
    assert request["status"] == "done" and request["report_url"] == result["json"]
    assert "cus-ana" not in json.dumps(run, default=str)
    with pytest.raises(InvalidParams, match="already used"):  # one-time: a second run is refused at prepare
        run_access(lake, {"access_request": ref}, run_id="manual__2")


def test_a_run_that_fails_before_its_report_leaves_the_reference_to_a_new_run(lake, monkeypatch):
    ref = register(lake)

    def failing(*args, **kwargs):
        raise OSError("the access reports' root is not writable")

    monkeypatch.setattr("utterance_governance.reports.access.write_access_report", failing)
    with pytest.raises(OSError, match="not writable"):
        run_access(lake, {"access_request": ref}, run_id="manual__1")
    with lake.store() as store:
        assert store.access_request(ref)["status"] == "requested"
    monkeypatch.undo()
    result = run_access(lake, {"access_request": ref}, run_id="manual__2")  # the same reference, a new run
    assert result["utterances"] == 1
    with lake.store() as store:
        request = store.access_request(ref)
    assert request["status"] == "done" and request["run_id"] == "manual__2"


def test_an_unknown_reference_is_refused_and_nothing_is_written(lake):
    with pytest.raises(InvalidParams, match="not registered"):
        run_access(lake, {"access_request": "ar_" + "1" * 32})
    with pytest.raises(InvalidParams, match="not a reference"):
        run_access(lake, {"access_request": "cus-ana"})  # an id where a reference belongs: not echoed
    assert not lake.access_storage.exists("reports") and not lake.storage.list_files("reports/access", ())


def test_no_customer_id_is_logged(lake, caplog):
    ref = register(lake)
    caplog.set_level("DEBUG")
    run_access(lake, {"access_request": ref})
    assert "access report" in caplog.text and "cus-ana" not in caplog.text


# --- where access reports go, and with which credentials ----------------------------------------
def test_a_local_lake_gets_a_folder_beside_it(tmp_path):
    target = load_access_report_target({"UG_DATA_ROOT": str(tmp_path / "data")})
    assert target.root == str(tmp_path / "data-access-reports") and target.storage_options() == {}


def test_an_object_store_root_has_its_own_credentials_never_the_lakes():
    lake = {
        "UG_DATA_ROOT": "s3://lake/ug",
        "AWS_ACCESS_KEY_ID": "ug-lake",
        "AWS_SECRET_ACCESS_KEY": "lake-secret",
    }
    own = {"UG_ACCESS_REPORT_ROOT": "s3://access-reports/ug", "UG_ACCESS_REPORT_KEY_ID": "ug-access-reports",
           "UG_ACCESS_REPORT_SECRET": "access-secret"}  # fmt: skip
    target = load_access_report_target({**lake, **own})
    assert target.root == "s3://access-reports/ug"
    assert target.storage_options() == {"key": "ug-access-reports", "secret": "access-secret"}
    assert "access-secret" not in repr(target)
    with pytest.raises(ConfigurationError, match="UG_ACCESS_REPORT_ROOT is required"):
        load_access_report_target(lake)
    with pytest.raises(ConfigurationError, match="credentials of their own"):
        load_access_report_target({**lake, "UG_ACCESS_REPORT_ROOT": "s3://access-reports/ug"})
    with pytest.raises(ConfigurationError, match="the lake's AWS_ACCESS_KEY_ID"):
        load_access_report_target({**lake, **own, "UG_ACCESS_REPORT_KEY_ID": "ug-lake"})
    for inside in ("s3://lake/ug", "s3://lake/ug/reports", "s3://lake/other"):
        with pytest.raises(ConfigurationError, match="overlaps"):
            load_access_report_target({**lake, **own, "UG_ACCESS_REPORT_ROOT": inside})


def test_a_root_inside_a_local_lake_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="overlaps"):
        load_access_report_target(
            {"UG_DATA_ROOT": str(tmp_path), "UG_ACCESS_REPORT_ROOT": str(tmp_path / "r")}
        )


# --- the command ---------------------------------------------------------------------------------
def test_ug_access_request_prints_a_reference_and_list_shows_no_customer_id(lake, monkeypatch, capsys):
    for name, value in lake.env.items():
        monkeypatch.setenv(name, value)
    assert cli_main(["access", "request", "--customer-id", "cus-ana", "--by", "officer-ana"]) == 0
    out, err = capsys.readouterr()
    ref = out.strip()
    assert is_reference(ref) and '{"access_request": "' + ref + '"}' in err and "cus-ana" not in out + err
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("cus-ben\n"))
    assert cli_main(["access", "request", "--customer-id", "-", "--by", "officer-ana"]) == 0
    ref_ben = capsys.readouterr().out.strip()
    with lake.store() as store:
        assert store.take_access_request(ref_ben, "r") == "cus-ben"
    assert cli_main(["access", "list"]) == 0
    listing = capsys.readouterr().out
    assert ref in listing and ref_ben in listing and "cus-" not in listing
    assert cli_main(["access", "request", "--customer-id", "cus\u200b-1", "--by", "x"]) == 2
    err = capsys.readouterr().err
    assert "refused" in err and "cus" not in err.replace("customer_id", "")


def test_the_governance_views_reader_role_cannot_read_access_requests(postgres_url):
    """deploy/postgres-init.sh gives governance_reader SELECT on every new table by default; revision
    0005 takes it back for access_requests (the customer ids), and only there."""
    import uuid

    from sqlalchemy import create_engine, text

    from utterance_governance.io.store import GovernanceStore

    reader = f"ug_test_reader_{uuid.uuid4().hex[:8]}"
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE ROLE "{reader}"'))
            conn.execute(
                text(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO "{reader}"')
            )
        store = GovernanceStore(postgres_url)
        store.migrate()
        store.dispose()
        with engine.connect() as conn:
            can = {t: conn.scalar(text(f"SELECT has_table_privilege('{reader}', '{t}', 'SELECT')"))
                   for t in ("access_requests", "ledger", "runs")}  # fmt: skip
        assert can == {"access_requests": False, "ledger": True, "runs": True}
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{reader}"'))
            conn.execute(text(f'DROP ROLE "{reader}"'))
        engine.dispose()
