"""The SDK cannot drift from the API: every endpoint it calls, every query parameter it sends
and every field of the shapes it returns are compared with the server's OpenAPI schema."""

from __future__ import annotations

import typing

import pytest
from qrstudio import endpoints, types


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    document = response.json()
    # The router accepts both spellings; the schema writes a trailing slash, the SDK none.
    document["paths"] = {path.rstrip("/"): ops for path, ops in document["paths"].items()}
    return document


SDK_ENDPOINTS = [
    value
    for name, value in vars(endpoints).items()
    if name.isupper() and isinstance(value, tuple) and len(value) == 2
]


@pytest.mark.parametrize("endpoint", SDK_ENDPOINTS, ids=lambda e: f"{e[0]} {e[1]}")
def test_every_sdk_endpoint_is_in_the_schema(schema, endpoint):
    method, path = endpoint

    assert path in schema["paths"], f"{path} is not an API path"
    assert method.lower() in schema["paths"][path], f"{method} {path} is not an operation"


@pytest.mark.parametrize("endpoint", list(endpoints.QUERY_PARAMETERS), ids=lambda e: e[1])
def test_query_parameters_the_sdk_sends_are_documented(schema, endpoint):
    method, path = endpoint
    operation = schema["paths"][path][method.lower()]
    documented = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}

    assert set(endpoints.QUERY_PARAMETERS[endpoint]) <= documented


@pytest.mark.parametrize("component", list(types.SCHEMA_COMPONENTS))
def test_sdk_shapes_have_exactly_the_schemas_fields(schema, component):
    shape = types.SCHEMA_COMPONENTS[component]
    properties = schema["components"]["schemas"][component]["properties"]

    assert set(typing.get_type_hints(shape)) == set(properties)


def test_the_sdk_knows_every_code_operation(schema):
    # A new code endpoint on the server is a reminder to give the SDK a method for it.
    server = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1/codes")
        for method in operations
        if method in ("get", "post", "patch", "delete")
    }
    known = set(SDK_ENDPOINTS)
    not_in_sdk = {
        ("POST", "/api/v1/codes/bulk/update"),
        ("POST", "/api/v1/codes/bulk/delete"),
        ("GET", "/api/v1/codes/{id}/destinations"),
        ("POST", "/api/v1/codes/{id}/destinations/{change_id}/rollback"),
    }
    assert server - known <= not_in_sdk, sorted(server - known - not_in_sdk)
