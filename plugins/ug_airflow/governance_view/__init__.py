"""The governance view inside Airflow: live version and history, counts by reason per run,
pending deletion requests and their deadlines, receipts, the latest audit, gate results and Data Docs.

``app.create_app`` is the FastAPI app; ``plugins/governance_view_plugin.py`` registers it with
Airflow (``fastapi_apps`` under ``/governance``, and ``external_views`` for the UI's nav).
``data.governance_snapshot`` is what it shows, read from the governance store and the lake.
"""
