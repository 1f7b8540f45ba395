"""Airflow plugin: the governance view, served by the api-server under ``/governance/``.

This file is what Airflow's plugin loader imports (``plugins/.airflowignore`` keeps it out of the
packages beside it); the view itself is ``ug_airflow.governance_view``. In the UI it is the nav
entry "Governance" (``external_views``), shown in a frame; the page answers only a logged-in user.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from ug_airflow.governance_view.app import URL_PREFIX, create_app


class GovernanceViewPlugin(AirflowPlugin):
    name = "utterance_governance_view"
    fastapi_apps = [  # noqa: RUF012  (AirflowPlugin declares these as class attributes)
        {"app": create_app(), "url_prefix": URL_PREFIX, "name": "Utterance governance"},
    ]
    external_views = [  # noqa: RUF012
        {
            "name": "Governance",
            "href": "governance/",  # relative: the api-server's base URL, behind a proxy too
            "url_route": "governance",
            "destination": "nav",
            "category": "browse",
        },
    ]
