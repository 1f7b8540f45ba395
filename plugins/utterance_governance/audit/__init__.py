"""The governance audit's checks (SPEC §7), as plain functions over the lake and the store.

- ``findings``    — the audit rules (``RULES``), a ``Finding`` and the ``Findings`` of one check;
- ``publication`` — the live version and its files: ``current.json``, the manifest, every shard;
  and every version kept beside it that a training job may still load (``kept_versions``: a
  compaction's parent in its grace period), its manifest and files;
- ``rows``        — every row of every live shard, and of every file only kept versions list,
  against the privacy state, the identifier detectors, its own content and the ledger;
- ``deadlines``   — deletion requests near or past their deadline.

The steps ``governance_audit`` runs, and the report they write, are in ``jobs.audit``.
"""
