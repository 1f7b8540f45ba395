"""``python -m ug_airflow.init_deployment``: prepare a deployment before its Airflow components start.

The ``airflow-init`` service of ``docker-compose.yaml`` runs it, and so does the real-stack test
(``tests/stack``) with the same command. Idempotent: safe on every ``docker compose up``.

1. ``airflow db migrate`` — the Airflow metadata database;
2. the governance store (``UG_DATABASE_URL``) brought to this code's head revision by Alembic
   (``ug migrate-store``; ``utterance_governance.io.migrations``): created when new, upgraded when
   older, refused when newer than this code. The tasks only check it is at head;
3. the lake's root (``UG_DATA_ROOT``): on an object store, its bucket;
4. who may log in: with the FAB auth manager (the production stack), FAB's tables (migrated by
   ``airflow db migrate`` with Airflow's: the auth manager's DB manager), its built-in roles, the
   roles ``DataEngineer``, ``PrivacyOfficer`` and ``GovernanceViewer`` with exactly their permissions
   (``ug_airflow.roles``) and the user ``admin`` with ``UG_AIRFLOW_ADMIN_PASSWORD``; people get their
   own accounts from an admin (``airflow users create --role DataEngineer ...``). With the simple
   auth manager (a checkout), its password file: each configured user gets that password, so the
   api-server neither generates one nor prints it to its log.

Settings are checked first (``utterance_governance.settings``: production unless ``UG_ENV=development``
or a local lake and store, a pseudonym key of 32 bytes or more, ``UG_DATABASE_URL`` for a lake on ``s3://``): a refused one
stops the deployment here, exit status 2, saying why. It prints each step, never a secret.
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


def migrate_governance_store(database_url: str) -> str:
    """``ug migrate-store``: the store at its head revision; what was done, as a sentence."""
    from utterance_governance.io import migrations
    from utterance_governance.io.store import GovernanceStore

    store = GovernanceStore(database_url)
    try:
        applied = store.migrate()
    finally:
        store.dispose()
    done = f"applied {', '.join(applied)}" if applied else "nothing to apply"
    return f"{store!r} at revision {migrations.head()} (head); {done}"


def ensure_lake(data_root: str) -> str:
    from utterance_governance.io.storage import Storage

    storage = Storage(data_root)
    storage.ensure_root()
    return storage.url("")


def uses_fab() -> bool:
    from airflow.configuration import conf

    return conf.get("core", "auth_manager").endswith(".FabAuthManager")


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
    from utterance_governance.settings import ConfigurationError, load_settings

    started = time.monotonic()

    def say(message: str) -> None:
        print(f"init [{time.monotonic() - started:5.1f}s] {message}", flush=True)

    try:
        settings = load_settings()  # an unsafe configuration stops the deployment here
    except ConfigurationError as exc:
        print(f"init: configuration refused: {exc}", file=sys.stderr, flush=True)
        return 2
    say(f"settings checked (env={settings.env}, dataset={settings.dataset})")
    migrate_airflow_db()
    say("airflow metadata database migrated")
    say(f"governance store: {migrate_governance_store(settings.database_url)}")
    say(f"lake root ready at {ensure_lake(settings.data_root)}")
    password = os.environ.get("UG_AIRFLOW_ADMIN_PASSWORD")
    if uses_fab():
        from ug_airflow.roles import sync_roles

        for done in sync_roles(password):
            say(done)
    else:
        say(write_auth_passwords(password))
    return 0


if __name__ == "__main__":
    sys.exit(main())
