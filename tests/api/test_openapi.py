"""The OpenAPI document: valid, public, and true (every route in it answers)."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from tests.api.conftest import token_for
from tests.factories import ActionItemFactory, WebhookFactory

pytestmark = pytest.mark.django_db

SCHEMA = "/api/v1/openapi.json"


def test_the_document_is_valid_openapi(client):
    response = client.get(SCHEMA)
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    validate(document)


def test_the_document_names_every_endpoint_and_the_bearer_scheme(client):
    document = client.get(SCHEMA).json()
    assert set(document["paths"]) == {
        "/api/v1/me/",
        "/api/v1/reviews/",
        "/api/v1/reviews/{slug}/",
        "/api/v1/reviews/{slug}/timeline/",
        "/api/v1/actions/",
        "/api/v1/actions/{action_id}/",
        "/api/v1/teams/{team}/webhooks/",
        "/api/v1/teams/{team}/webhooks/{webhook_id}/",
    }
    schemes = document["components"]["securitySchemes"]
    assert [s["scheme"] for s in schemes.values()] == ["bearer"]
    assert "400" in document["paths"]["/api/v1/reviews/"]["post"]["responses"]


def test_every_route_in_the_document_answers(api, client, cast):
    document = client.get(SCHEMA).json()
    action = ActionItemFactory(review=cast.review, owner=cast.owner)
    hook = WebhookFactory(team=cast.team)
    token = token_for(cast.owner)  # the team's delivery owner: every route is theirs
    answers = {}
    for path, operations in document["paths"].items():
        url = (
            path.replace("{slug}", cast.review.slug)
            .replace("{action_id}", str(action.pk))
            .replace("{team}", cast.team.slug)
            .replace("{webhook_id}", str(hook.pk))
        )
        for method in operations:
            response = api(method.upper(), url, token, {} if method != "get" else None)
            answers[f"{method.upper()} {path}"] = response.status_code
            if response.status_code != 204:
                assert response["Content-Type"].startswith("application/json"), (method, path)
    assert all(status < 500 and status not in (404, 405) for status in answers.values()), answers
    assert len(answers) == 12


def test_the_docs_page_is_for_signed_in_people(client, cast):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.url
    client.force_login(cast.outsider)
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    assert b"swagger-ui" in page.content
    assert b"cdn" not in page.content.lower()
