"""A view read with a command's position sees the command (read your own writes)."""

from tests.api.conftest import Served
from tests.api.test_case_story import intake


def test_my_cases_after_intake_with_min_position(served_with_views: Served) -> None:
    served = served_with_views
    client = served.client
    worker = served.token("chen.jing")
    opened = client.post("/api/v1/cases", json=intake(served), headers=worker).json()

    mine = client.get(
        "/api/v1/views/my-cases",
        params={"min_position": opened["position"], "open_only": True},
        headers=worker,
    )
    assert mine.status_code == 200, mine.text
    assert [c["case_id"] for c in mine.json()] == [opened["record_id"]]
    assert mine.json()[0]["status"] == "intake"

    other = served.token("liu.yang")
    theirs = client.get(
        "/api/v1/views/my-cases", params={"min_position": opened["position"]}, headers=other
    )
    assert theirs.status_code == 200 and theirs.json() == []

    ahead = client.get(
        "/api/v1/views/my-cases",
        params={"min_position": opened["position"] + 1000},
        headers=worker,
    )
    # A position the log has not reached is no one's write: waiting would not help.
    assert (ahead.status_code, ahead.json()["field"]) == (422, "min_position")
