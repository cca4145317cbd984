"""Test helpers for /api/v1: tokens per consultant, and a client that checks every answer
against the OpenAPI document (declared status, JSON body valid against the declared schema)."""
from __future__ import annotations

import re

from jsonschema import Draft202012Validator
from werkzeug.exceptions import MethodNotAllowed, NotFound

from data.accounts import add_api_token
from web.auth import new_api_token
from web.openapi import document

PREFIX = "/api/v1"
_RULE_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def openapi_path(rule: str) -> str:
    """Flask's /citizens/<citizen_id> or /placements/<int:placement_id> as OpenAPI's {name}."""
    return _RULE_PARAM.sub(r"{\1}", rule)


def api_rules(app) -> list:
    return [r for r in app.url_map.iter_rules() if r.rule.startswith(PREFIX + "/") or r.rule == PREFIX]


def methods_of(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def make_token(db, consultant_id: int) -> str:
    token, token_hash = new_api_token()
    add_api_token(db, consultant_id, token_hash, label="test")
    return token


class ContractClient:
    """Wraps the Flask test client: `call(method, path, token=..., json=...)` returns the
    response after asserting it is what the OpenAPI document promises."""

    def __init__(self, app, client):
        self.app, self.client = app, client
        self.doc = document()
        self.adapter = app.url_map.bind("localhost")
        self.seen: set[tuple[str, str, int]] = set()

    def call(self, method: str, path: str, token: str | None = None, json=None, headers=None, **kwargs):
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        response = self.client.open(path, method=method, headers=headers, json=json, **kwargs)
        self.check(method, path, response)
        if json is not None and 200 <= response.status_code < 300:
            self.check_request_body(method, path, json)
        return response

    def check_request_body(self, method: str, path: str, body) -> None:
        """A body the API accepted must also be valid by the documented request schema."""
        rule, _ = self.adapter.match(path.split("?")[0], method=method, return_rule=True)
        operation = self.doc["paths"][openapi_path(rule.rule)][method.lower()]
        request_body = operation.get("requestBody")
        assert request_body is not None, f"{method} {rule.rule} took a body the document does not describe"
        validate(self.doc, request_body["content"]["application/json"]["schema"], body)

    def schema_for(self, method: str, path: str, status: int) -> dict | None:
        """The declared body schema, or the Error schema for answers no operation can declare
        (unknown URL, wrong method). Fails the test when the status is not declared."""
        try:
            rule, _ = self.adapter.match(path.split("?")[0], method=method, return_rule=True)
        except (NotFound, MethodNotAllowed):
            assert status in (404, 405), f"{method} {path}: routing failed but status is {status}"
            return {"$ref": "#/components/schemas/Error"}
        template = openapi_path(rule.rule)
        operation = self.doc["paths"][template][method.lower()]
        declared = operation["responses"].get(str(status))
        assert declared is not None, f"{method} {template} answered {status}, which the document does not declare"
        while "$ref" in declared:
            declared = self.doc["components"]["responses"][declared["$ref"].rsplit("/", 1)[1]]
        content = declared.get("content", {}).get("application/json")
        self.seen.add((template, method.lower(), status))
        return content["schema"] if content else None

    def check(self, method: str, path: str, response) -> None:
        schema = self.schema_for(method, path, response.status_code)
        if response.status_code == 204:
            assert response.get_data() == b""
            return
        assert response.mimetype == "application/json", f"{method} {path}: {response.mimetype} answer"
        body = response.get_json()
        if schema is None:  # the OpenAPI document itself
            return
        validate(self.doc, schema, body)


def validate(doc: dict, schema: dict, body) -> None:
    root = {**schema, "components": doc["components"]}
    validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "answer does not match the OpenAPI schema:\n" + "\n".join(
        f"  at {list(e.absolute_path)}: {e.message}" for e in errors[:10])
