"""The OpenAPI document lists every error as a problem, and /docs works without internet."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.api.conftest import assert_problem

EXPECTED_ERRORS = {
    ("/health", "get"): {"500"},
    ("/echo", "post"): {"400", "408", "413", "415", "422", "500"},
    ("/summarize-request", "post"): {"400", "408", "413", "415", "422", "500"},
    ("/todos/{id}", "get"): {"404", "422", "500", "502", "503", "504"},
}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings()))


def test_routes_document_their_errors(client: TestClient) -> None:
    """Each route lists its error statuses, all as application/problem+json."""
    document = client.get("/openapi.json").json()
    for (path, method), expected in EXPECTED_ERRORS.items():
        responses = document["paths"][path][method]["responses"]
        errors = {status for status in responses if int(status) >= 400}
        assert errors == expected, path
        assert "200" in responses
        for status in errors:
            assert list(responses[status]["content"]) == ["application/problem+json"], status


def test_422_documents_error_list(client: TestClient) -> None:
    """The 422 schema is the validation problem with its errors array."""
    document = client.get("/openapi.json").json()
    schema = document["paths"]["/echo"]["post"]["responses"]["422"]["content"][
        "application/problem+json"
    ]["schema"]
    assert schema == {"$ref": "#/components/schemas/ValidationProblem"}
    assert "errors" in document["components"]["schemas"]["ValidationProblem"]["properties"]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_load_assets_from_api(client: TestClient, page: str) -> None:
    """The docs pages reference only the api's own paths, and each asset is served."""
    html = client.get(page).text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/"), asset
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 0
    assert "cdn" not in html.lower()


def test_docs_disabled_hides_docs_and_schema() -> None:
    """DOCS_ENABLED=false removes /docs, /redoc, their assets and /openapi.json."""
    client = TestClient(create_app(Settings(docs_enabled=False)))
    for path in ("/docs", "/redoc", "/openapi.json", "/static-offline-docs/swagger-ui.css"):
        assert_problem(client.get(path), 404, "Not found")
    assert client.get("/health").status_code == 200


def test_docs_enabled_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """DOCS_ENABLED is read from the environment."""
    monkeypatch.setenv("DOCS_ENABLED", "false")
    assert create_app().docs_url is None
