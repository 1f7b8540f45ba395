"""An access report holds its customer's identity as well as the utterances it lists: a delete-all
takes it whole, even one that lists none (the customer asked when they had none left in the lake)."""

from tests.unit.purge.test_every_copy_edges import deletion, files_holding, line, receipt

DT = "landing/utterances/dt=2026-11-20"


def test_a_delete_all_removes_the_customers_access_report_that_lists_nothing(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-bob", "bob", "what is the weather"))
    lake.publish()
    lake.access_report("zed-4417")
    root = lake.access_storage.root_url.removeprefix("file://")
    assert files_holding(root, "zed-4417")  # the report names its customer
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert files_holding(root, "zed-4417") == []


def test_a_range_deletion_keeps_the_report_of_what_it_does_not_cover(lake):
    """Only a delete-all takes the report whole; a range takes the utterances it covers."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed", "zed-4417", "what is the weather"))
    lake.publish()
    lake.access_report("zed-4417")
    root = lake.access_storage.root_url.removeprefix("file://")
    request = deletion(
        "d1", "zed-4417", "range", **{"from": "2026-10-01T00:00:00Z", "to": "2026-10-31T00:00:00Z"}
    )
    lake.storage.write_bytes("landing/deletions/d.jsonl", request)
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert files_holding(root, "u-zed")  # captured in November: kept, with its customer
