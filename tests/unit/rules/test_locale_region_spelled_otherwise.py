"""A locale whose region subtag is spelled otherwise (``en-UK``: BCP 47 writes ``GB``) names a region
no regime of the policy can name: which regime applies cannot be told, so it is the opt-in regime
(doubt defaults to no consent); and a policy may not allow such a locale."""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake

from utterance_governance.policy import DEFAULT_ALLOWED_LOCALES, OPT_IN_REGIONS, Policy

DT = "landing/utterances/dt=2026-11-20"


def test_a_policy_refuses_to_allow_a_locale_whose_region_no_locale_carries() -> None:
    with pytest.raises(ValueError, match=r"'UK' matches no locale.*'GB'"):
        Policy(allowed_locales=(*DEFAULT_ALLOWED_LOCALES, "en-UK"))
    assert (
        Policy(allowed_locales=(*DEFAULT_ALLOWED_LOCALES, "en-GB", "es-419")).allowed_locales[-1] == "es-419"
    )


@pytest.mark.parametrize("locale", ["en-UK", "el-EL", "de-XX"])
def test_a_region_no_locale_carries_is_under_the_opt_in_regime(locale) -> None:
    assert Policy().is_opt_in_locale(locale)
    assert not Policy().is_opt_in_locale("en-US")


def test_an_en_UK_row_without_consent_is_not_published(tmp_path) -> None:
    """Upstream's data, not the policy, spells it: the reader takes the locale's shape, the regime
    reads its region as none it knows."""
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"opt_in_regions": [*OPT_IN_REGIONS, "GB"]}))
    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'g.db'}", policy_file=str(policy))
    rows = [{"utterance_id": f"u-{loc}", "customer_id": f"c-{loc}", "captured_at": "2026-11-20T10:00:00Z",
             "locale": loc, "transcript": "play some jazz in the kitchen", "response": "Done.",
             "asr_confidence": 0.9} for loc in ("en-GB", "en-UK", "en-US")]  # fmt: skip
    lake.storage.write_bytes(f"{DT}/a.jsonl", b"".join(json.dumps(r).encode() + b"\n" for r in rows))
    lake.publish()
    assert "u-en-US" in lake.live_ids()
    assert not {"u-en-GB", "u-en-UK"} & lake.live_ids()
