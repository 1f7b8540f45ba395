"""Fail-safe settings (SPEC §2): production unless development is asked for or the lake and store are on
this machine, a real key of at least 32 bytes in production, the development key only for a lake and store on this machine, and no
implicit SQLite store for a lake on an object store."""

from __future__ import annotations

import pytest

from utterance_governance.cli import main as cli_main
from utterance_governance.settings import (
    DEV_PSEUDONYM_KEY,
    MIN_KEY_BYTES,
    ConfigurationError,
    load_settings,
)

GOOD_KEY = "Kq7-vR2xLp9sT4wZ" * 2  # 32 bytes, 16 distinct characters
PG = "postgresql+psycopg2://governance@db.internal:5432/governance"


@pytest.mark.parametrize(
    "where",
    [
        {"UG_DATA_ROOT": "s3://lake/ug", "UG_DATABASE_URL": PG},
        {"UG_DATABASE_URL": PG},  # a local lake, a store on a server
    ],
)
def test_production_is_the_default_when_ug_env_is_unset_and_data_leaves_the_machine(tmp_path, where):
    env = {"UG_DATA_ROOT": str(tmp_path), **where}
    settings = load_settings({**env, "UG_PSEUDONYM_KEY": GOOD_KEY})
    assert settings.env == "production" and settings.is_production
    with pytest.raises(ConfigurationError, match="UG_PSEUDONYM_KEY is required in production"):
        load_settings(env)  # no key: refused, never the dev key
    with pytest.raises(ConfigurationError, match="production needs at least 32"):
        load_settings({**env, "UG_PSEUDONYM_KEY": "short"})


def test_unset_ug_env_on_a_local_lake_and_store_is_spec_development_with_a_loud_warning(tmp_path, caplog):
    settings = load_settings({"UG_DATA_ROOT": str(tmp_path)})  # SPEC §2: the embedded defaults
    assert settings.env == "development" and not settings.is_production
    assert settings.pseudonym_key == DEV_PSEUDONYM_KEY.encode()
    assert "DEVELOPMENT pseudonym key" in caplog.text


def test_development_is_asked_for_explicitly_and_runs_locally_on_the_development_key(tmp_path, caplog):
    settings = load_settings({"UG_DATA_ROOT": str(tmp_path), "UG_ENV": "development"})
    assert settings.env == "development" and not settings.is_production
    assert settings.pseudonym_key == DEV_PSEUDONYM_KEY.encode()
    assert settings.database_url == f"sqlite:///{tmp_path}/governance.db"
    assert "DEVELOPMENT pseudonym key" in caplog.text


def test_a_short_development_key_is_warned_about_once_per_process(tmp_path, caplog):
    from utterance_governance import settings as module

    module._warn_short_key_once.cache_clear()
    env = {"UG_DATA_ROOT": str(tmp_path), "UG_ENV": "development", "UG_PSEUDONYM_KEY": "short"}
    for _ in range(3):  # a task loads its settings several times
        assert load_settings(env).pseudonym_key == b"short"
    assert caplog.text.count("shorter than 32 bytes: production would refuse it") == 1


@pytest.mark.parametrize("value", ["prod", "staging", "dev"])
def test_an_unknown_ug_env_is_refused(tmp_path, value):
    with pytest.raises(ConfigurationError, match="UG_ENV must be development or production"):
        load_settings({"UG_DATA_ROOT": str(tmp_path), "UG_ENV": value, "UG_PSEUDONYM_KEY": GOOD_KEY})


@pytest.mark.parametrize("key", ["k", "x" * (MIN_KEY_BYTES - 1), "é" * 15])  # 30 bytes in UTF-8
def test_production_refuses_a_pseudonym_key_shorter_than_32_bytes(tmp_path, key):
    with pytest.raises(ConfigurationError, match=f"production needs at least {MIN_KEY_BYTES}"):
        load_settings({"UG_DATA_ROOT": str(tmp_path), "UG_ENV": "production", "UG_PSEUDONYM_KEY": key})
    key = "éàüöß-ñç" * 2 + "0123456789"  # 32 bytes, 17 distinct characters: accepted
    assert (
        load_settings(
            {"UG_DATA_ROOT": str(tmp_path), "UG_ENV": "production", "UG_PSEUDONYM_KEY": key}
        ).pseudonym_key
        == key.encode()
    )


def test_production_refuses_the_development_key_set_explicitly(tmp_path):
    with pytest.raises(ConfigurationError, match="public development key"):
        load_settings(
            {"UG_DATA_ROOT": str(tmp_path), "UG_ENV": "production", "UG_PSEUDONYM_KEY": DEV_PSEUDONYM_KEY}
        )


def test_the_development_key_is_refused_for_a_remote_lake_even_in_development():
    env = {"UG_ENV": "development", "UG_DATA_ROOT": "s3://lake/ug", "UG_DATABASE_URL": "sqlite:////tmp/g.db"}
    with pytest.raises(ConfigurationError, match=r"the lake s3://lake/ug is not on this machine"):
        load_settings(env)
    assert load_settings({**env, "UG_PSEUDONYM_KEY": "short-dev-key"}).pseudonym_key == b"short-dev-key"


def test_the_development_key_is_refused_for_a_server_store_even_in_development(tmp_path):
    env = {"UG_ENV": "development", "UG_DATA_ROOT": str(tmp_path), "UG_DATABASE_URL": PG}
    with pytest.raises(ConfigurationError, match=r"governance store \(a database server\) is not"):
        load_settings(env)


@pytest.mark.parametrize("ug_env", ["development", "production"])
def test_a_remote_lake_without_ug_database_url_refuses_to_start(ug_env):
    env = {"UG_ENV": ug_env, "UG_DATA_ROOT": "s3://lake/ug", "UG_PSEUDONYM_KEY": GOOD_KEY}
    with pytest.raises(ConfigurationError, match="UG_DATABASE_URL is required: the lake s3://lake/ug"):
        load_settings(env)
    assert load_settings({**env, "UG_DATABASE_URL": PG}).database_url == PG


def test_a_local_lake_keeps_its_embedded_store(tmp_path):
    settings = load_settings({"UG_DATA_ROOT": f"file://{tmp_path}", "UG_PSEUDONYM_KEY": GOOD_KEY})
    assert settings.database_url == f"sqlite:///{tmp_path}/governance.db"


def test_the_cli_says_why_it_refuses_a_remote_lake_without_a_store(monkeypatch, capsys):
    monkeypatch.setenv("UG_ENV", "production")
    monkeypatch.setenv("UG_DATA_ROOT", "s3://lake/ug")
    monkeypatch.setenv("UG_PSEUDONYM_KEY", GOOD_KEY)
    monkeypatch.delenv("UG_DATABASE_URL", raising=False)
    assert cli_main(["settings"]) == 2
    assert "UG_DATABASE_URL is required" in capsys.readouterr().err


def test_the_init_step_stops_on_a_refused_configuration_before_touching_anything(monkeypatch, capsys):
    from ug_airflow import init_deployment

    monkeypatch.setattr(init_deployment, "migrate_airflow_db", lambda: pytest.fail("must not migrate"))
    monkeypatch.delenv("UG_ENV", raising=False)  # unset, with a lake on s3://: production
    monkeypatch.setenv("UG_DATA_ROOT", "s3://lake/ug")
    monkeypatch.setenv("UG_DATABASE_URL", PG)
    monkeypatch.setenv("UG_PSEUDONYM_KEY", "k")
    assert init_deployment.main([]) == 2
    assert "production needs at least 32" in capsys.readouterr().err


def test_a_component_given_no_key_gets_settings_without_one_and_cannot_compute_a_speaker_key():
    """Least privilege: the api-server and the dag-processor get no UG_PSEUDONYM_KEY in production;
    their settings load (no speaker key is computed there), and a speaker key with them is refused."""
    import pyarrow as pa

    from utterance_governance.privacy.keys import key_fingerprint, speaker_keys

    env = {"UG_ENV": "production", "UG_DATA_ROOT": "s3://lake/x", "UG_DATABASE_URL": "postgresql://g@db/g"}
    with pytest.raises(ConfigurationError, match="UG_PSEUDONYM_KEY is required"):
        load_settings(env)
    settings = load_settings(env, pseudonym_key=False)
    assert settings.pseudonym_key == b"" and settings.database_url == "postgresql://g@db/g"
    with pytest.raises(ValueError, match="no pseudonym key"):
        speaker_keys(pa.array(["cus-1"]), settings.pseudonym_key)
    with pytest.raises(ValueError, match="no pseudonym key"):
        key_fingerprint(settings.pseudonym_key)
    with pytest.raises(ConfigurationError, match="UG_ENV must be"):
        load_settings({**env, "UG_ENV": "prod"}, pseudonym_key=False)  # the rest is still checked


@pytest.mark.parametrize("key", ["a" * 32, " " * 40, "ab" * 20, "0123456789"[:9] * 4])
def test_production_refuses_a_key_of_few_distinct_characters(tmp_path, key):
    with pytest.raises(ConfigurationError, match="distinct characters"):
        load_settings({"UG_DATA_ROOT": str(tmp_path), "UG_ENV": "production", "UG_PSEUDONYM_KEY": key})


def test_production_refuses_a_lake_nobody_named_and_sqlite_beside_an_object_store(tmp_path, monkeypatch):
    """Accepted before: no UG_DATA_ROOT (each process's ./data), and an explicit SQLite store with an s3://
    lake (the implicit one was refused for that reason: every worker a store of its own)."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigurationError, match="UG_DATA_ROOT is required in production"):
        load_settings({"UG_ENV": "production", "UG_PSEUDONYM_KEY": GOOD_KEY, "UG_DATABASE_URL": PG})
    for url in ("sqlite:////tmp/g.db", "sqlite:///gov.db"):
        env = {"UG_DATA_ROOT": "s3://lake/ug", "UG_DATABASE_URL": url, "UG_PSEUDONYM_KEY": GOOD_KEY}
        with pytest.raises(ConfigurationError, match="is a SQLite file"):
            load_settings(env)
        with pytest.raises(ConfigurationError, match="is a SQLite file"):
            load_settings({**env, "UG_ENV": "production"}, pseudonym_key=False)
    # a single host's local lake and SQLite store stays a production it may run
    local = {"UG_DATA_ROOT": str(tmp_path), "UG_ENV": "production", "UG_PSEUDONYM_KEY": GOOD_KEY,
             "UG_DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}"}  # fmt: skip
    assert load_settings(local).is_production


# --- the policy's numbers ---------------------------------------------------------------------------


def _policy_file(tmp_path, **fields) -> str:
    import json

    path = tmp_path / "policy.json"
    path.write_text(json.dumps(fields))
    return str(path)


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"capture_clock_skew_s": -3 * 86400}, r"capture_clock_skew_s -259200: .*between 0 and 86400"),
        ({"capture_clock_skew_s": 8 * 86400}, r"capture_clock_skew_s 691200: .*between 0 and 86400"),
        ({"deletion_deadline_days": 0}, r"deletion_deadline_days 0: .*between 1 and 365"),
        ({"deletion_at_risk_days": -1}, r"deletion_at_risk_days -1: .*at least 0"),
        ({"deletion_deadline_days": 7, "deletion_at_risk_days": 8}, r"deletion_at_risk_days 8: .*at most"),
        ({"compaction_grace_hours": -48}, r"compaction_grace_hours -48: .*between 0 and"),
        ({"compaction_fanout": -1}, r"compaction_fanout -1: .*at least 0"),
        ({"shard_target_rows": 0}, r"shard_target_rows 0: .*at least 1"),
        ({"partition_bytes": -1}, r"partition_bytes -1: .*at least 1"),
        ({"min_transcript_chars": 50, "max_transcript_chars": 40}, r"max_transcript_chars 40: .*at least"),
        ({"max_response_chars": -1}, r"max_response_chars -1: .*at least 0"),
        ({"min_asr_confidence": 1.5}, r"min_asr_confidence 1.5: .*between 0 and 1"),
        ({"min_asr_confidence": float("nan")}, r"min_asr_confidence nan: .*between 0 and 1"),
    ],
)
def test_a_policy_number_out_of_its_range_is_refused_naming_it(tmp_path, fields, says):
    """A policy took any number (review 13, F6): a sign slipped into a policy file (``capture_clock_skew_s:
    -259200``) counted every opt-in from three days before it was recorded, and published the words an
    opt-in region's customer said before opting in; nothing refused it, and the audit judged by the same
    policy."""
    from utterance_governance.policy import load_policy

    with pytest.raises(ValueError, match=says):
        load_policy(_policy_file(tmp_path, **fields))


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"capture_clock_skew_s": "300"}, r"capture_clock_skew_s '300': .*an integer, not str"),
        ({"capture_clock_skew_s": 300.0}, r"capture_clock_skew_s 300.0: .*an integer, not float"),
        ({"deletion_deadline_days": True}, r"deletion_deadline_days True: .*an integer, not bool"),
        ({"shard_target_rows": [4]}, r"shard_target_rows \[4\]: .*an integer, not list"),
        ({"min_asr_confidence": "0.5"}, r"min_asr_confidence '0.5': .*a number, not str"),
        ({"min_asr_confidence": False}, r"min_asr_confidence False: .*a number, not bool"),
        ({"extra": []}, r"extra \[\]: .*an object"),
        ({"allowed_locales": "en-US"}, r"allowed_locales 'en-US': .*a list of strings"),
        ({"opt_in_regions": ["DE", 276]}, r"opt_in_regions \['DE', 276\]: .*a list of strings"),
    ],
)
def test_a_policy_value_of_the_wrong_type_is_refused_not_coerced(tmp_path, fields, says):
    """(review 13, F6) A string, a float or a boolean where the policy counts in whole units is refused, not
    read as the number it might mean."""
    from utterance_governance.policy import load_policy

    with pytest.raises(ValueError, match=says):
        load_policy(_policy_file(tmp_path, **fields))


def test_the_policies_the_project_runs_with_are_accepted(tmp_path):
    """(review 13, F6) The embedded policy and the values tests, benchmarks and the README use stay valid:
    a one-day deadline at risk from its start, a one-row shard target, fanout 0 (compaction off)."""
    from utterance_governance.policy import Policy, load_policy

    assert load_policy(None) == Policy()
    for fields in (
        {"deletion_deadline_days": 1, "deletion_at_risk_days": 1},
        {"partition_bytes": 200, "shard_target_rows": 1},
        {"capture_clock_skew_s": 0, "compaction_fanout": 0, "compaction_grace_hours": 0},
        {"capture_clock_skew_s": 86400, "compaction_fanout": 8, "compaction_grace_hours": 24},
        {"min_asr_confidence": 0, "min_transcript_chars": 0, "max_response_chars": 0},
        {"min_asr_confidence": 1, "max_transcript_chars": 2},
    ):
        policy = load_policy(_policy_file(tmp_path, **fields))
        assert {name: getattr(policy, name) for name in fields} == fields


def test_a_negative_clock_skew_never_publishes_what_was_said_before_the_opt_in(tmp_path):
    """(review 13, F6) The reproduction: with ``capture_clock_skew_s: -259200`` a ``de-DE`` utterance of the
    20th, before the opt-in recorded on the 21st, was published; the policy file is refused now."""
    from utterance_governance.policy import load_policy

    with pytest.raises(ValueError, match="capture_clock_skew_s -259200"):
        load_policy(_policy_file(tmp_path, capture_clock_skew_s=-3 * 86400))
