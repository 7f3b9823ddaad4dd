"""The OpenAPI document the app serves is the one committed in api/openapi.json."""

from api.openapi import COMMITTED, as_text
from tests.api.conftest import Served


def test_the_served_document_is_the_committed_one(served: Served) -> None:
    response = served.client.get("/schema/openapi.json")
    assert response.status_code == 200
    served_text = as_text(response.json())
    assert served_text == COMMITTED.read_text(encoding="utf-8"), (
        "the API changed: regenerate the document with `.venv/bin/python -m api.openapi` "
        "and commit api/openapi.json"
    )
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/cases/{case_id}/notes" in document["paths"]
