"""Who may do what in the production stack's UI and REST API (FAB auth manager, ``airflow-init``).

Three roles beside FAB's built-in ones (Admin keeps everything; give people these instead):

- ``DataEngineer`` — triggers ``utterances_publish`` runs and backfills (and pauses it), reads the
  run pages, task logs and XComs of ``utterances_publish`` and ``privacy_requests``.
- ``PrivacyOfficer`` — triggers and reads ``privacy_requests`` (deletions, opt-outs, receipts) and
  ``governance_audit`` (the daily audit and access reports).
- ``GovernanceViewer`` — reads the runs of ``utterances_publish`` and ``privacy_requests``; triggers
  nothing.

``governance_audit`` is readable by the privacy officer only (and Admin): its runs include access
reports, whose logs and XComs name the report of one customer. The permissions are per DAG
(``DAG:<dag_id>``), never the global ``DAGs`` resource, so a DAG added later is visible to nobody but
Admin until it is added here. ``sync_roles`` makes each role hold exactly these permissions (a
permission given by hand in the UI is taken away again on the next ``airflow-init``).
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

READ, EDIT, CREATE, DELETE, MENU = "can_read", "can_edit", "can_create", "can_delete", "menu_access"
PUBLISH, PRIVACY, AUDIT = "utterances_publish", "privacy_requests", "governance_audit"

DATA_ENGINEER, PRIVACY_OFFICER, VIEWER = "DataEngineer", "PrivacyOfficer", "GovernanceViewer"

# What every role needs to use the UI at all, and to read a DAG's runs once the DAG is readable
# (FAB checks the run, task instance, log or XCom resource AND ``can_read`` on ``DAG:<dag_id>``).
_BASE: tuple[tuple[str, str], ...] = (
    (READ, "Website"),
    (READ, "My Profile"),
    (EDIT, "My Profile"),
    (READ, "My Password"),
    (EDIT, "My Password"),
    (READ, "DAG Runs"),
    (READ, "Task Instances"),
    (READ, "Task Logs"),
    (READ, "XComs"),
    (READ, "DAG Versions"),
    (READ, "DAG Warnings"),
    (READ, "DAG Code"),
    (READ, "DAG Dependencies"),
    (READ, "ImportError"),
    (READ, "Jobs"),
    (READ, "Plugins"),  # the governance view
    (READ, "Assets"),
    (MENU, "Browse"),
    (MENU, "DAG Runs"),
    (MENU, "Jobs"),
    (MENU, "Task Instances"),
)
# Triggering: ``can_create`` on DAG Runs (and Backfills) AND ``can_edit`` on the one DAG.
_TRIGGER: tuple[tuple[str, str], ...] = ((CREATE, "DAG Runs"), (EDIT, "DAG Runs"), (CREATE, "Backfills"),
                                         (READ, "Backfills"), (EDIT, "Backfills"))  # fmt: skip


def dag(dag_id: str, *actions: str) -> list[tuple[str, str]]:
    return [(action, f"DAG:{dag_id}") for action in actions]


ROLES: dict[str, list[tuple[str, str]]] = {
    DATA_ENGINEER: [*_BASE, *_TRIGGER, *dag(PUBLISH, READ, EDIT), *dag(PRIVACY, READ)],
    PRIVACY_OFFICER: [*_BASE, *_TRIGGER, *dag(PRIVACY, READ, EDIT), *dag(AUDIT, READ, EDIT)],
    VIEWER: [*_BASE, *dag(PUBLISH, READ), *dag(PRIVACY, READ)],
}


def sync_roles(admin_password: str | None, admin_user: str = "admin") -> list[str]:
    """FAB's built-in roles, then ours with exactly their permissions, then the ``admin`` user
    (created, or its password reset to ``admin_password``). What was done, as sentences."""
    from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder

    done = []
    with get_application_builder() as appbuilder:
        sm = appbuilder.sm
        sm.sync_roles()  # Admin, Viewer, User, Op, Public
        sm.bulk_sync_roles([{"role": name, "perms": perms} for name, perms in ROLES.items()])
        for name, perms in ROLES.items():
            role = sm.find_role(name)
            wanted = set(perms)
            for perm in list(role.permissions):
                if (perm.action.name, perm.resource.name) not in wanted:
                    sm.remove_permission_from_role(role, perm)
            done.append(f"role {name}: {len(wanted)} permissions")
        if admin_password:
            user = sm.find_user(username=admin_user)
            if user is None:
                sm.add_user(admin_user, "Admin", "User", f"{admin_user}@localhost", sm.find_role("Admin"),
                            admin_password)  # fmt: skip
                done.append(f"user {admin_user} created (role Admin)")
            else:
                sm.reset_password(user.id, admin_password)
                done.append(f"user {admin_user}: password set")
        else:
            done.append("UG_AIRFLOW_ADMIN_PASSWORD is not set: no admin user created or changed")
    return done
