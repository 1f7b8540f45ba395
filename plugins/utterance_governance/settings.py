"""Runtime settings from the environment (SPEC §2), with embedded defaults.

One place reads the environment; everything else receives a ``Settings``. Airflow
variables and the ``governance_db`` connection override these in the DAG layer.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

log = logging.getLogger(__name__)

DEV_PSEUDONYM_KEY = "ug-dev-key-NOT-FOR-PRODUCTION"


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
        return self.env == "production"


def _join(root: str, *parts: str) -> str:
    return "/".join([root.rstrip("/"), *parts])


def default_database_url(data_root: str) -> str:
    if "://" in data_root:  # an object-store lake keeps no SQLite file inside it
        return "sqlite:///governance.db"
    return f"sqlite:///{os.path.abspath(_join(data_root, 'governance.db'))}"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    data_root = env.get("UG_DATA_ROOT") or "./data"
    if "://" not in data_root:
        data_root = os.path.abspath(data_root)
    ug_env = env.get("UG_ENV", "development")
    key = env.get("UG_PSEUDONYM_KEY")
    if not key:
        if ug_env == "production":
            raise ConfigurationError(
                "UG_PSEUDONYM_KEY is required when UG_ENV=production: speaker pseudonyms keyed "
                "with the development key could be reversed by anyone holding this code."
            )
        log.warning(
            "UG_PSEUDONYM_KEY is not set: using the DEVELOPMENT pseudonym key. "
            "Never publish data made this way outside a test lake."
        )
        key = DEV_PSEUDONYM_KEY
    return Settings(
        data_root=data_root,
        database_url=env.get("UG_DATABASE_URL") or default_database_url(data_root),
        dataset=env.get("UG_DATASET") or "assistant-sft",
        pseudonym_key=key.encode("utf-8"),
        env=ug_env,
        policy_file=env.get("UG_POLICY_FILE") or None,
    )
