"""Spotify's public OpenAPI description as a strict client: does an answer match it?

The description (vendored under ``tests/simulator/spotify_openapi``, MIT, see its
SOURCE.md) is loaded once. Its track / episode ``discriminator`` objects name no
mapping, and a validator resolves a bare value ``track`` to a schema named ``track``;
the mapping is added here from each ``oneOf`` branch's own ``type`` enum.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator

SPEC = Path(__file__).resolve().parents[1] / "simulator" / "spotify_openapi"
SPEC_FILE = SPEC / "fixed-spotify-open-api.yml"
# errors the description leaves out of an operation's responses share these components
SHARED_ERRORS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
                 429: "TooManyRequests"}  # fmt: skip


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _resolve(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _enum(spec: dict[str, Any], schema: dict[str, Any], name: str) -> list[str]:
    """The values a schema allows for property ``name`` (through ``allOf`` and ``$ref``)."""
    if "$ref" in schema:
        return _enum(spec, _resolve(spec, schema["$ref"]), name)
    values = list(schema.get("properties", {}).get(name, {}).get("enum", []))
    for part in schema.get("allOf", []):
        values += _enum(spec, part, name)
    return values


def _add_discriminator_mappings(spec: dict[str, Any], node: Any) -> None:
    if isinstance(node, dict):
        found = node.get("discriminator")
        if isinstance(found, dict) and "mapping" not in found and "oneOf" in node:
            name = found["propertyName"]
            mapping = {}
            for branch in node["oneOf"]:
                for value in _enum(spec, _resolve(spec, branch["$ref"]), name):
                    mapping[value] = branch["$ref"]
            found["mapping"] = mapping
        for value in node.values():
            _add_discriminator_mappings(spec, value)
    elif isinstance(node, list):
        for value in node:
            _add_discriminator_mappings(spec, value)


@functools.cache
def spotify_spec() -> dict[str, Any]:
    spec = yaml.safe_load(SPEC_FILE.read_text())
    _add_discriminator_mappings(spec, spec)
    return spec


def response_schema_ref(method: str, path: str, status: int) -> str:
    """The JSON pointer of the schema the description gives ``method path``'s ``status``
    answer (``path`` as the description writes it: ``/playlists/{playlist_id}``)."""
    spec = spotify_spec()
    responses = spec["paths"][path][method.lower()]["responses"]
    response = responses.get(str(status))
    if response is None:
        assert status in SHARED_ERRORS, f"{method} {path} has no {status} answer in the spec"
        response = {"$ref": _pointer("components", "responses", SHARED_ERRORS[status])}
    if "$ref" in response:
        ref = response["$ref"]
        response = _resolve(spec, ref)
        return ref + "/" + _pointer("content", "application/json", "schema")[2:]
    at = _pointer("paths", path, method.lower(), "responses", str(status))
    assert "application/json" in response.get("content", {}), f"no JSON body for {at}"
    return at + "/content/application~1json/schema"


def response_errors(method: str, path: str, status: int, body: Any) -> list[str]:
    """Where ``body`` breaks the description's schema for that answer (empty: it matches)."""
    spec = spotify_spec()
    root = {"$ref": response_schema_ref(method, path, status), "paths": spec["paths"],
            "components": spec["components"]}  # fmt: skip
    validator = OAS30Validator(root)
    return [
        f"{method} {path} {status}: {error.json_path}: {error.message[:300]}"
        for error in validator.iter_errors(body)
    ]
