"""The aiohttp application: routes, JSON errors, bearer tokens, metrics.

Handlers resolve ids against the model of the moment (dictionary look-ups, on the event
loop) and hand the queries to the ``Batcher``; nothing here calls TensorFlow directly.
Every error is a JSON body ``{"error": {"code", "message"}}``, never a traceback.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tunegraph.model.errors import ModelError, NothingLeftError, RequestError, UnknownIdError
from tunegraph.model.serving.answers import Recommendation
from tunegraph.model.serving.engine import Model, Query, as_request, check_k
from tunegraph.serve.batcher import Batcher
from tunegraph.serve.metrics import ServeMetrics
from tunegraph.serve.openapi import openapi_document
from tunegraph.serve.settings import MAX_BATCH_REQUESTS, ServeSettings
from tunegraph.serve.slot import Loader, ModelSlot

log = logging.getLogger("tunegraph.serve")

SLOT = web.AppKey("slot", ModelSlot)
BATCHER = web.AppKey("batcher", Batcher)
METRICS = web.AppKey("metrics", ServeMetrics)
SETTINGS = web.AppKey("settings", ServeSettings)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_PROTECTED = ("/v1/", "/admin/")


def error_response(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


def _error_code(exc: ModelError) -> str:
    if isinstance(exc, UnknownIdError):
        return "unknown_id"
    if isinstance(exc, NothingLeftError):
        return "nothing_left"
    return "bad_request"


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure as a JSON body; the status and latency of every answer counted."""
    start = time.perf_counter()
    route = request.match_info.route.resource
    name = route.canonical if route is not None else "unmatched"
    try:
        response = await _guarded(request, handler)
    except web.HTTPException as exc:
        code = exc.reason.lower().replace(" ", "_")
        message = exc.text if exc.text and not exc.text.startswith(str(exc.status)) else exc.reason
        response = error_response(exc.status, code, message)
    except RequestError as exc:
        response = error_response(400, _error_code(exc), str(exc))
    except Exception:
        log.exception("internal error on %s %s", request.method, request.path)
        response = error_response(500, "internal_error", "internal error; see the server log")
    request.app[METRICS].observe(name, response.status, time.perf_counter() - start)
    return response


async def _guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The bearer token, where one is configured (and always for /admin)."""
    token = request.app[SETTINGS].token
    if request.path.startswith("/admin/") and not token:
        return error_response(
            403, "forbidden", "no token configured: start with --token, or send SIGHUP to reload"
        )
    if token and request.path.startswith(_PROTECTED):
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return error_response(401, "unauthorized", "give 'Authorization: Bearer <token>'")
    return await handler(request)


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RequestError(f"the body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise RequestError("the body must be a JSON object")
    return body


def _k(value: Any, default: int = 20) -> int:
    if value is None:
        return default
    if isinstance(value, str):
        if not value.strip().isdigit():
            raise RequestError(f"k must be a whole number, not {value!r}")
        value = int(value)
    return check_k(value)


def _listed(recs: list[Recommendation]) -> dict[str, Any]:
    return {"recommendations": [r.as_json() for r in recs]}


def _explain(value: Any) -> bool:
    """``explain``: a JSON boolean, or in a query string true/false/1/0."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "false", "0"):
        return value.lower() in ("true", "1")
    raise RequestError(f"explain must be true or false, not {value!r}")


async def _answer(
    request: web.Request, model: Model, query: Query, k: int, explain: bool
) -> web.Response:
    [found] = await request.app[BATCHER].submit(model, [query], k, explain)
    return web.json_response(_listed(found))


async def playlist_recommendations(request: web.Request) -> web.Response:
    model = request.app[SLOT].model
    k, explain = _k(request.query.get("k")), _explain(request.query.get("explain"))
    query = model.query(request.match_info["playlist_id"])
    return await _answer(request, model, query, k, explain)


async def recommendations(request: web.Request) -> web.Response:
    body = await _json_body(request)
    k, explain = _k(body.pop("k", None)), _explain(body.pop("explain", None))
    model = request.app[SLOT].model
    return await _answer(request, model, model.query_of(as_request(body)), k, explain)


async def batch_recommendations(request: web.Request) -> web.Response:
    body = await _json_body(request)
    k, explain = _k(body.get("k")), _explain(body.get("explain"))
    items = body.get("requests")
    if not isinstance(items, list) or len(items) > MAX_BATCH_REQUESTS:
        raise RequestError(f"requests must be a list of at most {MAX_BATCH_REQUESTS} queries")
    model = request.app[SLOT].model
    results: list[dict[str, Any]] = []
    queries, where = [], []
    for item in items:
        try:
            queries.append(model.query_of(as_request(item)))
        except RequestError as exc:
            results.append({"error": {"code": _error_code(exc), "message": str(exc)}})
            continue
        where.append(len(results))
        results.append({})
    found = await request.app[BATCHER].submit(model, queries, k, explain)
    for at, recs in zip(where, found, strict=True):
        results[at] = _listed(recs)
    return web.json_response({"results": results})


async def healthz(request: web.Request) -> web.Response:
    slot = request.app[SLOT]
    model = slot.model
    return web.json_response(
        {
            "status": "ok",
            "model": str(model.path),
            "data_checksum": model.checksum,
            "loaded_at": datetime.fromtimestamp(model.loaded_at, UTC).isoformat(),
            "load_seconds": round(slot.load_seconds, 3),
            "tracks": len(model.loaded.tracks.ids),
            "playlists": len(model.loaded.playlist_ids),
            "reloads": slot.reloads,
        }
    )


async def metrics(request: web.Request) -> web.Response:
    m = request.app[METRICS]
    return web.Response(body=m.render(), headers={"Content-Type": m.content_type})


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi_document())


async def reload(request: web.Request) -> web.Response:
    outcome = await reload_model(request.app)
    return web.json_response(
        {"reloaded": outcome.swapped, "message": outcome.message},
        status=200 if outcome.swapped else 409,
    )


async def reload_model(app: web.Application) -> Any:
    """Reload the model directory (the admin route and SIGHUP both come here)."""
    outcome = await app[SLOT].reload()
    app[METRICS].reloads.labels("swapped" if outcome.swapped else "refused").inc()
    if outcome.swapped:
        app[METRICS].loaded_at.set(app[SLOT].model.loaded_at)
    return outcome


def create_app(
    settings: ServeSettings, model: Model, load_seconds: float = 0.0, loader: Loader = Model.load
) -> web.Application:
    """The application around an already loaded ``model``; ``loader`` reads a new one."""
    app = web.Application(middlewares=[_errors], client_max_size=settings.max_body)
    app[SETTINGS] = settings
    app[SLOT] = ModelSlot(model, settings.model_dir, loader)
    app[SLOT].load_seconds = load_seconds
    app[METRICS] = ServeMetrics()
    app[METRICS].loaded_at.set(model.loaded_at)
    app[BATCHER] = Batcher(
        settings.max_batch, settings.max_wait_ms / 1000, app[METRICS].observe_batch
    )

    async def start_batcher(app: web.Application) -> None:
        app[BATCHER].start()

    async def stop_batcher(app: web.Application) -> None:
        await app[BATCHER].close()

    app.on_startup.append(start_batcher)
    app.on_cleanup.append(stop_batcher)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/openapi.json", openapi)
    app.router.add_get("/v1/playlists/{playlist_id}/recommendations", playlist_recommendations)
    app.router.add_post("/v1/recommendations", recommendations)
    app.router.add_post("/v1/recommendations/batch", batch_recommendations)
    app.router.add_post("/admin/reload", reload)
    return app
