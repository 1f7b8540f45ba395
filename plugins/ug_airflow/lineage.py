"""Lineage to training, the Airflow side: the dataset's asset events and the runs that consume them.

- ``publish_extra`` / ``revocation_extra`` (``purge_extra``): the extra of the asset event ``announce`` emits
  after a publish or a purge (absolute manifest URLs, the key fingerprint; for a purge, the versions revoked
  and the training runs that consumed them): ``utterance_governance.publish.lineage`` builds them.
  A publish is also sent as an OpenLineage event when OpenLineage is configured (``ug_airflow.openlineage``).
- ``consume_latest``: what a training DAG scheduled on the Asset calls: the newest triggering event's
  version (the live one on a manual run) is checked and recorded as consumed by this run.

Task-time only: nothing here is imported by a DAG file at parse time but ``dataset_asset``'s module.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ug_airflow import apply_airflow_overrides, dataset_asset

log = logging.getLogger(__name__)


def _settings():
    from utterance_governance.settings import load_settings

    apply_airflow_overrides()
    return load_settings()


def _check_asset_uri(extra: Mapping[str, Any]) -> None:
    uri = dataset_asset(extra["dataset"]).uri
    if uri != extra["dataset_url"]:
        log.warning("the Asset's URI %s (UG_DATA_ROOT at parse time) is not where this run published: %s; "
                    "set UG_DATA_ROOT for every Airflow component rather than the ug_data_root variable",
                    uri, extra["dataset_url"])  # fmt: skip


def publish_extra(published: Mapping[str, Any]) -> dict:
    """The asset event's extra for a version ``utterances_publish`` put live."""
    from ug_airflow.openlineage import emit_publish_lineage
    from utterance_governance.io.storage import Storage
    from utterance_governance.publish.lineage import publish_announcement

    settings = _settings()
    extra = publish_announcement(Storage(settings.data_root), settings.data_root, settings.dataset, published)
    _check_asset_uri(extra)
    # OpenLineage (when configured): the landing files read in, the version out, rows and gate as facets
    emit_publish_lineage(extra, settings.data_root, settings.dataset)
    return extra


def revocation_extra(purged: Mapping[str, Any]) -> dict | None:
    """The asset event's extra for a privacy run's purge: the version it put live, what it revoked, and who
    trained on it; and the versions an earlier opt-out revoked of a speaker a deletion now names, whose training
    runs must erase them (``purge.withdrawn``: their records go once announced). None: nothing to announce."""
    from utterance_governance.io.storage import Storage
    from utterance_governance.io.store import GovernanceStore
    from utterance_governance.publish.lineage import privacy_announcement

    settings = _settings()
    with GovernanceStore.from_settings(settings) as store:
        extra = privacy_announcement(
            Storage(settings.data_root), store, settings.data_root, settings.dataset, purged
        )
        if extra is None:
            return None
        if purged.get("erase_withdrawn"):
            store.forget_withdrawn_speakers(settings.dataset, purged["erase_withdrawn"])
            log.warning("a deletion names %d speaker(s) an earlier opt-out withdrew: training runs of %s are told to "
                        "erase their copies", extra.get("speakers", len(purged["erase_withdrawn"])),
                        extra.get("erased_versions", extra["revoked_versions"]))  # fmt: skip
    if extra["training_runs"]:
        log.warning("revoked %s, consumed by training runs %s (erase copies: %s)", extra["revoked_versions"],
                    [f"{r['dag_id']}/{r['run_id']}" for r in extra["training_runs"]], extra["erase_copies"])  # fmt: skip
    _check_asset_uri(extra)
    return extra


def purge_extra(purged: Mapping[str, Any]) -> dict | None:
    """The extra of the asset event after a purge (a privacy run's, or a publish's before it publishes): None
    when it put no version live and no deletion names a speaker an earlier opt-out withdrew."""
    if purged.get("dry_run") or not (purged.get("new_version") or purged.get("erase_withdrawn")):
        return None
    return revocation_extra(purged)


def latest_announcement(triggering_asset_events: Mapping | None, asset_name: str) -> dict | None:
    """The extra of the newest triggering event of the asset named ``asset_name`` (None: no event)."""
    events = []
    for asset in triggering_asset_events or {}:
        if getattr(asset, "name", None) == asset_name:
            events.extend(triggering_asset_events[asset])
    if not events:
        return None
    newest = max(events, key=lambda e: e.timestamp)
    return dict(newest.extra or {})


def consume_latest(dag_id: str, run_id: str, triggering_asset_events: Mapping | None) -> dict:
    """A training run's first step: which version to train on, checked and recorded in the store."""
    from utterance_governance.io.store import GovernanceStore
    from utterance_governance.publish.lineage import consume_version

    settings = _settings()
    announced = latest_announcement(triggering_asset_events, dataset_asset(settings.dataset).name)
    if announced and announced.get("replaces"):
        log.warning("the announcement revokes %s (erase copies: %s): models trained on it are named in "
                    "the event's training_runs", announced.get("revoked_versions") or announced["replaces"],
                    announced.get("erase_copies"))  # fmt: skip
    with GovernanceStore.from_settings(settings) as store:
        return consume_version(
            store, settings.data_root, settings.dataset, dag_id=dag_id, run_id=run_id, announced=announced
        )
