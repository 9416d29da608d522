"""The server's OpenAPI 3.0 description, served at /openapi.json.

Written by hand and kept honest by tests/serve: every route the app has is described,
and every answer the tests get matches its schema here.
"""

from __future__ import annotations

from typing import Any

from tunegraph import __version__
from tunegraph.model.serving.answers import MAX_K
from tunegraph.serve.settings import MAX_BATCH_REQUESTS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(name: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


_ERRORS = {
    "400": _json("Error", "A bad request: unknown ids, k out of range, bad JSON"),
    "401": _json("Error", "A token is configured and the request lacks it"),
    "413": _json("Error", "The body is too large"),
}
_K = {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": 20}
_BECAUSE_FIELDS = ("retrievers", "shared_seeds", "same_artist", "same_album", "same_title")
_EXPLAIN = {"type": "boolean", "default": False, "description": "give each track's because"}
_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "example": "unknown_id"},
                    "message": {"type": "string"},
                },
            }
        },
    },
    "Recommendation": {
        "type": "object",
        "required": ["rank", "track_id", "name", "artists", "score"],
        "properties": {
            "rank": {"type": "integer", "minimum": 1},
            "track_id": {"type": "string"},
            "name": {"type": "string"},
            "artists": {"type": "array", "items": {"type": "string"}},
            "score": {"type": "number", "description": "the ranker's; only its order means"},
            "because": _ref("Because"),
        },
    },
    "Because": {
        "type": "object",
        "description": "Why the track (with explain): facts the graph can show",
        "required": [*_BECAUSE_FIELDS, "cypher", "params"],
        "properties": {
            "retrievers": {
                "type": "object",
                "description": "source -> the track's 1-based rank in its own list",
                "additionalProperties": {"type": "integer", "minimum": 1},
            },
            "shared_seeds": {
                "type": "array",
                "description": "seed tracks it shares the most playlists with",
                "items": {
                    "type": "object",
                    "required": ["track_id", "name", "playlists"],
                    "properties": {
                        "track_id": {"type": "string"},
                        "name": {"type": "string"},
                        "playlists": {"type": "integer", "minimum": 1},
                    },
                },
            },
            "same_artist": {"type": "array", "items": {"type": "string"}},
            "same_album": {"type": "array", "items": {"type": "string"}},
            "same_title": {
                "type": "integer",
                "minimum": 0,
                "description": "playlists titled like the query that hold the track",
            },
            "cypher": {"type": "string", "description": "read-only; run with tunegraph query"},
            "params": {"type": "object"},
        },
    },
    "Recommendations": {
        "type": "object",
        "required": ["recommendations"],
        "properties": {
            "recommendations": {"type": "array", "items": _ref("Recommendation")},
        },
    },
    "Query": {
        "type": "object",
        "description": "A known playlist, or tracks and/or a title (a new playlist)",
        "additionalProperties": False,
        "properties": {
            "playlist": {"type": "string", "description": "a playlist id the model knows"},
            "tracks": {"type": "array", "items": {"type": "string"}},
            "name": {"type": "string", "description": "the playlist's title"},
        },
    },
    "RecommendRequest": {
        "allOf": [_ref("Query")],
        "type": "object",
        "properties": {"k": _K, "explain": _EXPLAIN},
    },
    "BatchRequest": {
        "type": "object",
        "required": ["requests"],
        "properties": {
            "requests": {"type": "array", "maxItems": MAX_BATCH_REQUESTS, "items": _ref("Query")},
            "k": _K,
            "explain": _EXPLAIN,
        },
    },
    "BatchResponse": {
        "type": "object",
        "required": ["results"],
        "properties": {
            "results": {
                "type": "array",
                "description": "one per request, in order: its list or its error",
                "items": {"oneOf": [_ref("Recommendations"), _ref("Error")]},
            }
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "model", "data_checksum", "loaded_at", "load_seconds"],
        "properties": {
            "status": {"type": "string", "enum": ["ok"]},
            "model": {"type": "string"},
            "data_checksum": {"type": "string"},
            "loaded_at": {"type": "string", "format": "date-time"},
            "load_seconds": {"type": "number"},
            "tracks": {"type": "integer"},
            "playlists": {"type": "integer"},
            "reloads": {"type": "integer"},
        },
    },
    "Reload": {
        "type": "object",
        "required": ["reloaded", "message"],
        "properties": {"reloaded": {"type": "boolean"}, "message": {"type": "string"}},
    },
}


def _post(summary: str, body: str, answer: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "security": [{"bearer": []}, {}],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref(body)}},
            },
            "responses": {"200": _json(answer, "The recommendations"), **_ERRORS},
        }
    }


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "tunegraph serve",
            "version": __version__,
            "description": "Track recommendations from a tunegraph model. With --token,"
            " /v1 and /admin need 'Authorization: Bearer <token>'.",
        },
        "paths": {
            "/healthz": {
                "get": {
                    "summary": "The model being served",
                    "responses": {"200": _json("Health", "Serving")},
                }
            },
            "/metrics": {
                "get": {
                    "summary": "Counters and histograms in Prometheus' text format",
                    "responses": {
                        "200": {
                            "description": "Prometheus text format",
                            "content": {"text/plain": {"schema": {"type": "string"}}},
                        }
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This description",
                    "responses": {"200": {"description": "OpenAPI 3.0 document"}},
                }
            },
            "/v1/playlists/{playlist_id}/recommendations": {
                "get": {
                    "summary": "New tracks for a playlist the model knows",
                    "security": [{"bearer": []}, {}],
                    "parameters": [
                        {
                            "name": "playlist_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {"name": "k", "in": "query", "schema": _K},
                        {"name": "explain", "in": "query", "schema": _EXPLAIN},
                    ],
                    "responses": {
                        "200": _json("Recommendations", "The recommendations"),
                        **_ERRORS,
                    },
                }
            },
            "/v1/recommendations": _post(
                "New tracks for a known playlist, or for tracks and/or a title",
                "RecommendRequest",
                "Recommendations",
            ),
            "/v1/recommendations/batch": _post(
                "Several requests at once; each answered or refused on its own",
                "BatchRequest",
                "BatchResponse",
            ),
            "/admin/reload": {
                "post": {
                    "summary": "Load the model directory again; swap it in when whole",
                    "security": [{"bearer": []}],
                    "responses": {
                        "200": _json("Reload", "Swapped in"),
                        "401": _ERRORS["401"],
                        "403": _json("Error", "No token configured: send SIGHUP instead"),
                        "409": _json("Reload", "Refused; the previous model serves on"),
                    },
                }
            },
        },
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
