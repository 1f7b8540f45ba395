"""Purging (SPEC §7 ``privacy_requests``): opt-outs and deletions reach every copy the pipeline holds.

- ``affected``  — which live rows may no longer be used: the privacy core's verdict
  (``privacy.privacy_verdict``) on the ledger rows of the customers a privacy record names;
- ``published`` — the live dataset: affected shards rewritten into a new version, the old files
  removed, versions that named them revoked (under the dataset lock);
- ``copies``    — landing, staging, quarantine and decisions files rewritten without deleted
  utterances (deletions only; an opt-out leaves the raw input alone);
- ``recheck``   — the publish path's re-check under the dataset lock, so a batch decided against
  an older privacy state never brings a purged customer back;
- ``receipts``  — one receipt per deletion request, with its deadline.
"""
