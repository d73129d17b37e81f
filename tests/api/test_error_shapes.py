"""Every API error is JSON {code, message, fields} with a 4xx status — never a 500."""

import json

import pytest

URL = "/api/core/validate/resident-id"


def _assert_shape(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert body["message"]
    return body


@pytest.mark.django_db
def test_invalid_value_is_422_with_field(client):
    response = client.post(URL, {"value": "440106199001011234"}, content_type="application/json")
    body = _assert_shape(response, 422, "resident_id.checksum")
    assert body["fields"]["resident_id"]


@pytest.mark.django_db
def test_valid_value_is_normalised(client):
    response = client.post(URL, {"value": "11010519491231002x"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"valid": True, "normalized": "11010519491231002X"}


@pytest.mark.django_db
def test_missing_field_names_the_field(client):
    body = _assert_shape(
        client.post(URL, {}, content_type="application/json"), 422, "validation_failed"
    )
    assert "value" in body["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["{not json", "[1,2", '"just a string"', "\x00\x01"])
def test_malformed_json_is_a_client_error(client, raw):
    response = client.post(URL, raw, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["code"] in {"validation_failed", "bad_request"}


@pytest.mark.django_db
def test_wrong_method_and_unknown_path(client):
    assert client.get(URL).status_code == 405
    response = client.get("/api/core/no-such-thing")
    assert response.status_code == 404


@pytest.mark.django_db
def test_wrong_type_is_422(client):
    response = client.post(
        URL, json.dumps({"value": {"nested": 1}}), content_type="application/json"
    )
    _assert_shape(response, 422, "validation_failed")
