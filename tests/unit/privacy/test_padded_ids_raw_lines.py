"""An id of digits only withdraws as the number, whatever zeros lead it (docs/privacy.md).

The folds of the records (``key_of_canonical``) strip the leading zeros, but ``identity.fold_of`` (what
``AnyCase`` compares a raw line's id by) takes an ASCII fast path that only lower-cases: ``0088231907``
folds to itself there, so a delete-all naming ``88231907`` does not reach a raw line naming the padded
account, while the reverse direction (a delete-all naming ``0088231907`` reaching a line of ``88231907``)
does. Before: the line stayed. Now ``fold_of`` reads digits as the number too."""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, deletion, left_in_lake, line, receipt

from utterance_governance.privacy.identity import AnyCase

pytestmark = pytest.mark.backend_cases  # ids reach SQL: every case on both backends

SECRET = "remind me zebracornflakes tulips"


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


def test_anycase_of_the_number_holds_the_zero_padded_id():
    # the reverse holds already: "88231907" in AnyCase(["0088231907"])
    assert "88231907" in AnyCase(["0088231907"])
    assert "0088231907" in AnyCase(["88231907"])


@pytest.mark.parametrize("named, deleted", [("0088231907", "88231907"), ("007", "7")])
def test_a_delete_all_of_the_number_erases_a_raw_line_of_the_padded_account(lake, named, deleted):
    """A malformed row (no customer_id) naming its customer only in a resource name, quarantined with its
    raw line (docs/notes.md: "for erasure a broken line names every deleted customer whose id is one of its
    words"): the same row naming ``88231907`` is erased by a delete-all of ``0088231907`` (tried: it
    is); the padded row must be erased by a delete-all of the number as well."""
    record = json.loads(line("u-zed-1", named, SECRET))
    del record["customer_id"]
    record["name"] = f"customers/{named}/utterances/u-zed-1"
    lake.storage.write_bytes(f"{DT}/z.jsonl", json.dumps(record).encode() + b"\n")
    lake.storage.write_bytes(f"{DT}/base.jsonl", line("u-bob-1", "bob", "what time is it"))
    lake.publish()
    assert any(p.startswith("quarantine/utterances/") for p in left_in_lake(lake, SECRET))
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", deleted))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, SECRET) == []
