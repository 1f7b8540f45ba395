"""``python -m ug_airflow.init_deployment``: prepare a deployment before its Airflow components start.

The ``airflow-init`` service of ``docker-compose.yaml`` runs it, and so does the real-stack test
(``tests/stack``) with the same command. Idempotent: safe on every ``docker compose up``.

1. ``airflow db migrate`` — the Airflow metadata database;
2. the governance store's tables (``UG_DATABASE_URL``), migrated in place when older;
3. the lake's root (``UG_DATA_ROOT``): on an object store, its bucket;
4. the simple auth manager's password file, from ``UG_AIRFLOW_ADMIN_PASSWORD``: each configured
   user gets that password, so the api-server neither generates one nor prints it to its log.

Settings are checked first: with ``UG_ENV=production`` a missing ``UG_PSEUDONYM_KEY`` stops the
deployment here. It prints each step, never a secret.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time


def migrate_airflow_db() -> None:
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True)


def create_governance_schema(database_url: str) -> str:
    from sqlalchemy.engine import make_url

    from utterance_governance.io.store import GovernanceStore

    store = GovernanceStore(database_url)
    try:
        store.create_schema(migrate=True)  # a store of an older schema version is brought up to date
    finally:
        store.dispose()
    return make_url(database_url).render_as_string(hide_password=True)


def ensure_lake(data_root: str) -> str:
    from utterance_governance.io.storage import Storage

    storage = Storage(data_root)
    storage.ensure_root()
    return storage.url("")


def write_auth_passwords(password: str | None) -> str:
    """Give every user of the simple auth manager ``password``; what was done, as a sentence."""
    from airflow.configuration import conf

    manager = conf.get("core", "auth_manager")
    if not manager.endswith("SimpleAuthManager"):
        return f"auth manager {manager}: no password file to write"
    if not password:
        return "UG_AIRFLOW_ADMIN_PASSWORD is not set: the api-server generates passwords (see its log)"
    from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager

    users = [user.username for user in SimpleAuthManager.get_users()]
    path = SimpleAuthManager.get_generated_password_file()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(dict.fromkeys(users, password)) + "\n")
    os.replace(tmp, path)
    return f"simple auth manager: password set for {', '.join(users) or 'no users'} in {path}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ug_airflow.init_deployment", description=__doc__)
    parser.parse_args(argv)
    from utterance_governance.settings import load_settings

    started = time.monotonic()

    def say(message: str) -> None:
        print(f"init [{time.monotonic() - started:5.1f}s] {message}", flush=True)

    settings = load_settings()  # production without a pseudonym key stops here
    say(f"settings checked (env={settings.env}, dataset={settings.dataset})")
    migrate_airflow_db()
    say("airflow metadata database migrated")
    say(f"governance store ready at {create_governance_schema(settings.database_url)}")
    say(f"lake root ready at {ensure_lake(settings.data_root)}")
    say(write_auth_passwords(os.environ.get("UG_AIRFLOW_ADMIN_PASSWORD")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
