"""Utterance Governance: decide which voice-assistant utterances may train a model, and prove it.

Plain Python with no Airflow import; the DAGs in ``dags/`` only wire these functions.
"""

__version__ = "0.1.0"
