"""Runtime settings from the environment (SPEC §2), with embedded defaults.

One place reads the environment; everything else receives a ``Settings``. Airflow
variables and the ``governance_db`` connection override these in the DAG layer.

Fail safe: with a lake or a store that is not on this machine (``s3://``, a database server) a
deployment is ``production`` unless ``UG_ENV=development`` says otherwise, so a forgotten variable
gets the strict rules there. Unset on a local lake with its embedded SQLite store, ``UG_ENV`` is
``development``: SPEC §2's embedded defaults (the development key, with a loud warning). Production
needs its own pseudonym key of at least ``MIN_KEY_BYTES`` bytes. Development may run on the public
development key, but only on a lake and a store on this machine (a local path, a SQLite file): data
that leaves the machine is never keyed with a key anyone holding this code knows. A lake on an object
store needs ``UG_DATABASE_URL`` in every environment: an implicit SQLite file would be a store of
its own in every worker's working directory.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass

log = logging.getLogger(__name__)

DEV_PSEUDONYM_KEY = "ug-dev-key-NOT-FOR-PRODUCTION"
DEVELOPMENT, PRODUCTION = "development", "production"
ENVIRONMENTS = (DEVELOPMENT, PRODUCTION)
# HMAC-SHA256 keys shorter than its output can be searched for: a production key has 256 bits or more
MIN_KEY_BYTES = 32
MIN_KEY_DISTINCT = 10  # a key of one character repeated (or of spaces) is no secret


class ConfigurationError(RuntimeError):
    """The environment does not allow a safe run (e.g. production without a pseudonym key)."""


@dataclass(frozen=True)
class Settings:
    data_root: str
    database_url: str
    dataset: str
    pseudonym_key: bytes
    env: str
    policy_file: str | None = None

    @property
    def is_production(self) -> bool:
        return self.env != DEVELOPMENT


def _join(root: str, *parts: str) -> str:
    return "/".join([root.rstrip("/"), *parts])


def is_local_lake(data_root: str) -> bool:
    """A lake on this machine's file system (a path or a ``file://`` URL), not on an object store."""
    return "://" not in data_root or data_root.startswith("file://")


def is_embedded_store(database_url: str) -> bool:
    """A governance store in a SQLite file, not on a database server."""
    return database_url.split(":", 1)[0].split("+", 1)[0] == "sqlite"


def _local_path(url: str) -> str:
    """A ``file://`` URL as its path; anything else as it is."""
    return url.removeprefix("file://")


def default_database_url(data_root: str) -> str:
    """The embedded store of a local lake: ``governance.db`` inside it. A remote lake has none."""
    if not is_local_lake(data_root):
        raise ConfigurationError(
            f"UG_DATABASE_URL is required: the lake {data_root} is not on this machine, and a SQLite "
            "file beside each worker would give every worker a governance store of its own (what one "
            "publishes, the others' purges and audits would not know). Point UG_DATABASE_URL at the "
            "deployment's PostgreSQL database (or the governance_db Airflow connection)."
        )
    return f"sqlite:///{os.path.abspath(_join(_local_path(data_root), 'governance.db'))}"


def _environment(env, data_root: str, database_url: str) -> str:
    """``UG_ENV``; unset, development only for a lake and a store on this machine (SPEC §2's embedded
    defaults: the development key with a loud warning), production for anything else."""
    value = (env.get("UG_ENV") or "").strip().lower()
    if not value:
        local = is_local_lake(data_root) and is_embedded_store(database_url)
        return DEVELOPMENT if local else PRODUCTION
    if value not in ENVIRONMENTS:
        raise ConfigurationError(
            f"UG_ENV must be {' or '.join(ENVIRONMENTS)} (unset: development for a lake and store on this "
            f"machine, production otherwise), got {value!r}"
        )
    return value


def _refuse_unsafe_production(env, data_root: str, database_url: str) -> None:
    """What production never runs on: a lake nobody named (each process's own ``./data``), and a SQLite
    store beside a lake on an object store (each worker a store of its own, named or not)."""
    if not (env.get("UG_DATA_ROOT") or "").strip():
        raise ConfigurationError(
            "UG_DATA_ROOT is required in production: without it each process would use a ./data of its own "
            "working directory (set it to the lake, e.g. s3://lake/utterance-governance)"
        )
    if is_embedded_store(database_url) and not is_local_lake(data_root):
        raise ConfigurationError(
            f"UG_DATABASE_URL is a SQLite file, and the lake {data_root} is not on this machine: every worker "
            "would keep a governance store of its own (what one publishes, the others' purges and audits "
            "would not know). Point UG_DATABASE_URL at the deployment's PostgreSQL database."
        )


def _pseudonym_key(env, ug_env: str, data_root: str, database_url: str) -> bytes:
    key = env.get("UG_PSEUDONYM_KEY")
    if ug_env == PRODUCTION:
        if not key:
            raise ConfigurationError(
                "UG_PSEUDONYM_KEY is required in production (UG_ENV=production, or unset with a lake or store "
                "not on this machine): speaker "
                "pseudonyms keyed with the development key could be reversed by anyone holding this "
                "code. Generate one with `python -c 'import secrets; print(secrets.token_urlsafe(48))'`; "
                "for local development set UG_ENV=development."
            )
        if key == DEV_PSEUDONYM_KEY:
            raise ConfigurationError("UG_PSEUDONYM_KEY is the public development key: refused in production")
        if len(key.encode("utf-8")) < MIN_KEY_BYTES:
            raise ConfigurationError(
                f"UG_PSEUDONYM_KEY is {len(key.encode('utf-8'))} bytes; production needs at least "
                f"{MIN_KEY_BYTES} (a short key can be searched for, and every speaker_key with it). "
                "Rotate a deployment's short key with `ug rekey`."
            )
        if len(set(key)) < MIN_KEY_DISTINCT:
            raise ConfigurationError(
                f"UG_PSEUDONYM_KEY holds {len(set(key))} distinct characters; production needs at least "
                f"{MIN_KEY_DISTINCT} (a key of one character repeated, or of spaces, is guessed at once). "
                "Generate one with `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        return key.encode("utf-8")
    if key:
        if len(key.encode("utf-8")) < MIN_KEY_BYTES:
            _warn_short_key_once()
        return key.encode("utf-8")
    remote = [
        what
        for what, local in (
            (f"the lake {data_root}", is_local_lake(data_root)),
            ("the governance store (a database server)", is_embedded_store(database_url)),
        )
        if not local
    ]
    if remote:
        raise ConfigurationError(
            f"UG_PSEUDONYM_KEY is required: {' and '.join(remote)} {'is' if len(remote) == 1 else 'are'} "
            "not on this machine, and the development key is refused for data that leaves it, even with "
            "UG_ENV=development."
        )
    log.warning(
        "UG_PSEUDONYM_KEY is not set: using the DEVELOPMENT pseudonym key (UG_ENV=development, local "
        "lake and store). Never publish data made this way outside a test lake."
    )
    return DEV_PSEUDONYM_KEY.encode("utf-8")


@functools.cache
def _warn_short_key_once() -> None:
    """Once per process: a task loads its settings several times, a bench worker hundreds."""
    log.warning("UG_PSEUDONYM_KEY is shorter than %d bytes: production would refuse it", MIN_KEY_BYTES)


def _data_root(env) -> str:
    data_root = env.get("UG_DATA_ROOT") or "./data"
    return data_root if "://" in data_root else os.path.abspath(data_root)


def load_database_url(environ: dict[str, str] | None = None) -> str:
    """Only the governance store's URL (``ug migrate-store`` needs no pseudonym key)."""
    env = os.environ if environ is None else environ
    return env.get("UG_DATABASE_URL") or default_database_url(_data_root(env))


def load_settings(environ: dict[str, str] | None = None, *, pseudonym_key: bool = True) -> Settings:
    """The settings of ``environ`` (default: the process environment); ``ConfigurationError`` when unsafe.

    ``pseudonym_key=False``: for a component that never computes a speaker key (the api-server's
    governance view, a run's failure record in the dag-processor), which the deployment does not
    give the key (least privilege): its ``pseudonym_key`` is empty, and computing a speaker key or a
    key fingerprint with it raises (``privacy.keys``).
    """
    env = os.environ if environ is None else environ
    data_root = _data_root(env)
    database_url = load_database_url(env)
    ug_env = _environment(env, data_root, database_url)
    if ug_env == PRODUCTION:
        _refuse_unsafe_production(env, data_root, database_url)
    if not pseudonym_key:
        return Settings(data_root=data_root, database_url=database_url,
                        dataset=env.get("UG_DATASET") or "assistant-sft", pseudonym_key=b"",
                        env=ug_env, policy_file=env.get("UG_POLICY_FILE") or None)  # fmt: skip
    return Settings(
        data_root=data_root,
        database_url=database_url,
        dataset=env.get("UG_DATASET") or "assistant-sft",
        pseudonym_key=_pseudonym_key(env, ug_env, data_root, database_url),
        env=ug_env,
        policy_file=env.get("UG_POLICY_FILE") or None,
    )


# --- access reports: their own location and credentials ----------------------------------------
ACCESS_REPORT_SUFFIX = "-access-reports"


@dataclass(frozen=True)
class AccessReportTarget:
    """Where access reports are written: ``UG_ACCESS_REPORT_ROOT``, never the lake.

    On an object store with its own credentials (``UG_ACCESS_REPORT_KEY_ID`` /
    ``UG_ACCESS_REPORT_SECRET``, e.g. MinIO's ``ug-access-reports`` user on the ``access-reports``
    bucket); the lake's (``AWS_ACCESS_KEY_ID``, ...) are never used for it. A local lake's default is
    a folder beside it (``./data`` → ``./data-access-reports``)."""

    root: str
    key_id: str | None = None
    secret: str | None = None

    def storage_options(self) -> dict[str, str]:
        return {"key": self.key_id, "secret": self.secret} if self.key_id else {}

    def __repr__(self) -> str:  # the secret is never printed
        return f"AccessReportTarget(root={self.root!r}, key_id={self.key_id!r})"


def _under(root: str, parent: str) -> bool:
    root, parent = root.rstrip("/"), parent.rstrip("/")
    return root == parent or root.startswith(parent + "/")


def load_access_report_target(environ: dict[str, str] | None = None) -> AccessReportTarget:
    """The access reports' location of ``environ``; ``ConfigurationError`` when it would be the lake,
    inside it, or reached with the lake's credentials."""
    env = os.environ if environ is None else environ
    data_root = _data_root(env)
    root = (env.get("UG_ACCESS_REPORT_ROOT") or "").strip()
    if not root:
        if not is_local_lake(data_root):
            raise ConfigurationError(
                f"UG_ACCESS_REPORT_ROOT is required: the lake {data_root} is on an object store and access "
                "reports (a customer's own transcripts) go to a location of their own, with their own "
                "credentials (UG_ACCESS_REPORT_KEY_ID / UG_ACCESS_REPORT_SECRET), never the lake"
            )
        root = os.path.abspath(_local_path(data_root)).rstrip(os.sep) + ACCESS_REPORT_SUFFIX
    elif "://" not in root:
        root = os.path.abspath(root)
    local = is_local_lake(root)
    lake_path, own_path = _local_path(data_root), _local_path(root)
    same_bucket = (
        not local and not is_local_lake(data_root) and root.split("/")[:3] == data_root.split("/")[:3]
    )
    if same_bucket or _under(own_path, lake_path) or _under(lake_path, own_path):
        raise ConfigurationError(
            f"UG_ACCESS_REPORT_ROOT {root} is the lake or overlaps it ({data_root}): access reports are "
            "written apart from the lake, where the lake's users and credentials do not reach"
        )
    key_id = env.get("UG_ACCESS_REPORT_KEY_ID") or None
    secret = env.get("UG_ACCESS_REPORT_SECRET") or None
    if not local and not (key_id and secret):
        raise ConfigurationError(
            f"UG_ACCESS_REPORT_KEY_ID and UG_ACCESS_REPORT_SECRET are required for {root}: access reports "
            "are written with credentials of their own, never the lake's"
        )
    if key_id and key_id == env.get("AWS_ACCESS_KEY_ID"):
        raise ConfigurationError(
            "UG_ACCESS_REPORT_KEY_ID is the lake's AWS_ACCESS_KEY_ID: access reports need a user of their "
            "own (the deployment's ug-access-reports), which the lake's services do not hold"
        )
    return AccessReportTarget(root=root, key_id=key_id, secret=secret)
