"""Europe's UN M.49 sub-areas and the World in the consent regime (review 14a, F04).

The opt-in regime held "Europe as a whole" (``en-150``) but not Europe's own sub-areas, nearly all EU/EEA —
Western (155: DE, FR, NL, BE, AT, LU, LI …), Northern (154: IE, SE, DK, FI, the Baltics …), Southern (039: ES,
IT, PT, GR, MT …), Eastern (151: PL, CZ, HU, RO, BG, SK …) — nor the World (001, CLDR's ``en-001``), which
names no regime any more than ``de`` does. A policy may allow such locales (``allowed_locales`` takes every
M.49 area), and their rows defaulted to consented: published without an opt-in."""

from __future__ import annotations

import pytest

from utterance_governance.policy import OPT_IN_REGIONS, Policy


@pytest.mark.parametrize("locale", ["de-155", "en-154", "es-039", "de-151", "en-150"])
def test_a_european_area_is_in_the_opt_in_regime(locale):
    assert Policy(allowed_locales=("en-US", locale)).is_opt_in_locale(locale)


@pytest.mark.parametrize("locale", ["en-001", "es-001", "en-UN"])
def test_the_world_names_no_regime_and_doubt_defaults_to_no_consent(locale):
    assert Policy().is_opt_in_locale(locale)
    # whatever regions a policy names: the World is no region of its own
    assert Policy(opt_in_regions=("DE",)).is_opt_in_locale(locale)
    assert Policy(opt_in_regions=("DE",)).is_opt_in_locale("de")  # as a locale naming no region is


@pytest.mark.parametrize("locale", ["en-US", "en-GB", "en-009", "en-021", "es-013", "en-018"])
def test_an_area_outside_europe_keeps_its_default(locale):
    assert not Policy().is_opt_in_locale(locale)


@pytest.mark.parametrize(
    "locale",
    ["fr-029", "es-419", "en-019", "fr-005", "fr-002", "fr-202", "fr-014", "es-015", "en-142", "el-145"],
)
def test_an_area_outside_europe_holding_eu_territory_names_no_regime(locale):
    """The Caribbean (029) holds Guadeloupe, Martinique and Saint-Martin, opt-in regions of the built-in list;
    South America (005) French Guiana; Eastern Africa (014) Réunion and Mayotte; Northern Africa (015) the
    Canary Islands, Ceuta and Melilla; Western Asia (145) Cyprus; and the areas holding those. Which regime
    applies cannot be told: doubt defaults to no consent, whatever the policy lists (review of 2026-12-07).
    Before: ``fr-029`` rows without consent were published under the opt-out regime."""
    assert Policy().is_opt_in_locale(locale)
    assert Policy(opt_in_regions=("DE",)).is_opt_in_locale(locale)


def test_the_default_regions_are_the_european_areas_and_a_change_judges_the_live_rows_again():
    assert {"150", "155", "154", "039", "151"} <= set(OPT_IN_REGIONS)
    assert "001" not in OPT_IN_REGIONS  # (it is no region: opt-in whatever a policy lists)
    before = Policy(opt_in_regions=tuple(r for r in OPT_IN_REGIONS if r not in {"155", "154", "039", "151"}))
    assert before.privacy_fingerprint != Policy().privacy_fingerprint
