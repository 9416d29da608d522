"""`tunegraph serve`'s application, through aiohttp's test client on a real socket."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openapi_schema_validator import OAS30Validator

from tunegraph.model.serving.engine import Model
from tunegraph.serve.app import BATCHER, create_app
from tunegraph.serve.openapi import openapi_document
from tunegraph.serve.settings import ServeSettings

pytestmark = pytest.mark.tensorflow
T = TypeVar("T")
TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def model(trained) -> Model:
    return Model.load(trained.model_dir)


def run(app: web.Application, scenario: Callable[[TestClient], Awaitable[T]]) -> T:
    async def main() -> T:
        async with TestClient(TestServer(app)) as client:
            return await scenario(client)

    return asyncio.run(main())


def schema_errors(name: str, body: Any) -> list[str]:
    doc = openapi_document()
    root = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    return [f"{e.json_path}: {e.message}" for e in OAS30Validator(root).iter_errors(body)]


def test_every_route_answers_as_described(trained, model) -> None:
    pids = list(trained.world.playlists)
    seed = trained.world.playlists[pids[1]][:4]
    app = create_app(ServeSettings(trained.model_dir), model)

    async def scenario(client: TestClient) -> dict[str, Any]:
        out: dict[str, Any] = {}
        r = await client.get(f"/v1/playlists/{pids[0]}/recommendations", params={"k": "5"})
        out["playlist"] = (r.status, await r.json())
        r = await client.post("/v1/recommendations", json={"tracks": seed, "k": 7})
        out["tracks"] = (r.status, await r.json())
        body = {"requests": [{"playlist": pids[2]}, {"playlist": "nope"}, {"tracks": seed}]}
        r = await client.post("/v1/recommendations/batch", json={**body, "k": 3})
        out["batch"] = (r.status, await r.json())
        r = await client.get("/healthz")
        out["health"] = (r.status, await r.json())
        r = await client.get("/openapi.json")
        out["openapi"] = (r.status, await r.json())
        r = await client.get("/metrics")
        out["metrics"] = (r.status, await r.text())
        return out

    out = run(app, scenario)
    status, body = out["playlist"]
    assert status == 200 and not schema_errors("Recommendations", body)
    assert body == {"recommendations": [_plain(r) for r in model.recommend(pids[0], k=5)]}
    status, body = out["tracks"]
    assert status == 200 and not schema_errors("Recommendations", body)
    assert [r["track_id"] for r in body["recommendations"]] == [
        r.track_id for r in model.recommend(tracks=seed, k=7)
    ]
    status, body = out["batch"]
    assert status == 200 and not schema_errors("BatchResponse", body)
    first, missing, third = body["results"]
    assert len(first["recommendations"]) == 3 and len(third["recommendations"]) == 3
    assert missing["error"]["code"] == "unknown_id" and "nope" in missing["error"]["message"]
    status, body = out["health"]
    assert status == 200 and not schema_errors("Health", body)
    assert body["data_checksum"] == model.checksum and body["model"] == str(model.path)
    status, body = out["openapi"]
    assert status == 200 and body == json.loads(json.dumps(openapi_document()))
    status, text = out["metrics"]
    assert status == 200
    assert 'tunegraph_requests_total{route="/v1/recommendations",status="200"} 1.0' in text
    assert "tunegraph_request_seconds_bucket" in text and "tunegraph_batch_queries" in text


def test_the_description_names_every_route(trained, model) -> None:
    app = create_app(ServeSettings(trained.model_dir), model)
    routes = {
        (r.method.lower(), r.resource.canonical)
        for r in app.router.routes()
        if r.method != "HEAD" and r.resource is not None
    }
    described = {
        (method, path)
        for path, item in openapi_document()["paths"].items()
        for method in item
        if method in ("get", "post")
    }
    assert routes == described


def _plain(rec: Any) -> dict[str, Any]:
    fields = {name: value for name, value in rec.__dict__.items() if value is not None}
    return json.loads(json.dumps(fields))


def test_explanations_through_every_recommendation_route(trained, model) -> None:
    pids = list(trained.world.playlists)
    seed = trained.world.playlists[pids[1]][:4]
    app = create_app(ServeSettings(trained.model_dir), model)

    async def scenario(client: TestClient) -> list[Any]:
        got = []
        r = await client.get(f"/v1/playlists/{pids[0]}/recommendations?k=3&explain=true")
        got.append(await r.json())
        r = await client.post("/v1/recommendations", json={"tracks": seed, "k": 3, "explain": True})
        got.append(await r.json())
        body = {"requests": [{"playlist": pids[2]}], "k": 3, "explain": True}
        r = await client.post("/v1/recommendations/batch", json=body)
        got.append((await r.json())["results"][0])
        r = await client.get(f"/v1/playlists/{pids[0]}/recommendations?k=3&explain=maybe")
        got.append((r.status, await r.json()))
        return got

    by_playlist, by_tracks, batched, bad = run(app, scenario)
    expected = [
        model.recommend(pids[0], k=3, explain=True),
        model.recommend(tracks=seed, k=3, explain=True),
        model.recommend(pids[2], k=3, explain=True),
    ]
    for body, recs in zip((by_playlist, by_tracks, batched), expected, strict=True):
        assert not schema_errors("Recommendations", body)
        assert body["recommendations"] == [json.loads(json.dumps(r.as_json())) for r in recs]
        assert all(r["because"]["retrievers"] for r in body["recommendations"])
    status, error = bad
    assert status == 400 and "explain must be true or false" in error["error"]["message"]


BAD: list[tuple[str, str, Any, int, str]] = [
    ("get", "/v1/playlists/nope/recommendations", None, 400, "unknown_id"),
    ("get", "/v1/playlists/{pid}/recommendations?k=0", None, 400, "bad_request"),
    ("get", "/v1/playlists/{pid}/recommendations?k=abc", None, 400, "bad_request"),
    ("post", "/v1/recommendations", {"playlist": "{pid}", "k": 1001}, 400, "bad_request"),
    ("post", "/v1/recommendations", {"tracks": ["zzz"]}, 400, "unknown_id"),
    ("post", "/v1/recommendations", {"tracks": "abc"}, 400, "bad_request"),
    ("post", "/v1/recommendations", {"colour": "red"}, 400, "bad_request"),
    ("post", "/v1/recommendations", {}, 400, "unknown_id"),
    ("post", "/v1/recommendations", "{not json", 400, "bad_request"),
    ("post", "/v1/recommendations", "[1, 2]", 400, "bad_request"),
    ("post", "/v1/recommendations", "x" * 2_000_000, 413, "request_entity_too_large"),
    ("post", "/v1/recommendations/batch", {"requests": "x"}, 400, "bad_request"),
    ("post", "/v1/recommendations/batch", {"requests": [{}] * 1001}, 400, "bad_request"),
    ("get", "/nowhere", None, 404, "not_found"),
    ("get", "/v1/recommendations", None, 405, "method_not_allowed"),
    ("post", "/admin/reload", None, 403, "forbidden"),
]


def test_bad_input_is_a_json_4xx_never_a_traceback(trained, model) -> None:
    pid = next(iter(trained.world.playlists))
    app = create_app(ServeSettings(trained.model_dir), model)

    async def scenario(client: TestClient) -> list[tuple[int, Any]]:
        answers = []
        for method, path, body, _, _ in BAD:
            path = path.replace("{pid}", pid)
            if isinstance(body, dict):
                body = json.dumps(body).replace("{pid}", pid)
            r = await client.request(method, path, data=body)
            answers.append((r.status, await r.text()))
        return answers

    for (method, path, _, status, code), (got, text) in zip(BAD, run(app, scenario), strict=True):
        assert got == status, (method, path, text)
        body = json.loads(text)
        assert body["error"]["code"] == code, (method, path, body)
        assert not schema_errors("Error", body) and "Traceback" not in text


def test_a_token_guards_v1_and_admin_but_not_health(trained, model) -> None:
    pid = next(iter(trained.world.playlists))
    app = create_app(ServeSettings(trained.model_dir, token=TOKEN), model)
    path = f"/v1/playlists/{pid}/recommendations"

    async def scenario(client: TestClient) -> list[int]:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        wrong = {"Authorization": "Bearer nope"}
        return [
            (await client.get(path)).status,
            (await client.get(path, headers=wrong)).status,
            (await client.get(path, headers=auth)).status,
            (await client.post("/admin/reload")).status,
            (await client.get("/healthz")).status,
        ]

    assert run(app, scenario) == [401, 401, 200, 401, 200]
    with pytest.raises(ValueError, match="token"):
        ServeSettings(trained.model_dir, host="0.0.0.0").validate()
    ServeSettings(trained.model_dir, host="0.0.0.0", token=TOKEN).validate()
    ServeSettings(trained.model_dir, host="::1").validate()


def test_queued_queries_are_scored_in_one_model_call(trained, model) -> None:
    pids = list(trained.world.playlists)[:10]
    app = create_app(ServeSettings(trained.model_dir, max_wait_ms=0), model)
    calls: list[int] = []
    batcher = app[BATCHER]
    batcher.on_batch = lambda queries, seconds: calls.append(queries)

    async def main() -> list[Any]:
        waiting = [asyncio.ensure_future(batcher.submit(model, [model.query(p)], 4)) for p in pids]
        await asyncio.sleep(0)  # every request queued before the worker starts
        batcher.start()
        try:
            return await asyncio.gather(*waiting)
        finally:
            await batcher.close()

    answers = asyncio.run(main())
    assert calls == [10]
    alone = [[r.track_id for r in model.recommend(p, k=4)] for p in pids]
    assert [[r.track_id for r in a[0]] for a in answers] == alone  # scores: float noise


def test_reload_under_load_swaps_whole_and_refuses_a_broken_model(
    trained, model, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "model"
    shutil.copytree(trained.model_dir, folder)
    pids = list(trained.world.playlists)[:8]
    app = create_app(ServeSettings(folder, token=TOKEN), model)
    auth = {"Authorization": f"Bearer {TOKEN}"}

    async def load(client: TestClient, stop: asyncio.Event) -> list[int]:
        statuses = []
        i = 0
        while not stop.is_set() or i < 8:
            r = await client.get(f"/v1/playlists/{pids[i % 8]}/recommendations?k=5", headers=auth)
            statuses.append(r.status)
            await r.read()
            i += 1
        return statuses

    async def reload_under(client: TestClient) -> tuple[list[int], int, dict[str, Any]]:
        stop = asyncio.Event()
        clients = [asyncio.create_task(load(client, stop)) for _ in range(4)]
        r = await client.post("/admin/reload", headers=auth)
        swapped = r.status
        stop.set()
        statuses = [s for c in await asyncio.gather(*clients) for s in c]
        return statuses, swapped, await (await client.get("/healthz")).json()

    async def broken(client: TestClient) -> tuple[int, Any, int]:
        r = await client.post("/admin/reload", headers=auth)
        after = await client.get(f"/v1/playlists/{pids[0]}/recommendations", headers=auth)
        return r.status, await r.json(), after.status

    async def scenario(client: TestClient) -> Any:
        first = await reload_under(client)
        (folder / "config.json").write_text("{not json", "utf-8")
        return first, await broken(client)

    with caplog.at_level(logging.ERROR, logger="tunegraph.serve"):
        (statuses, swapped, health), (refused, body, after) = run(app, scenario)
    assert swapped == 200 and health["reloads"] == 1
    assert len(statuses) >= 32 and set(statuses) == {200}
    assert health["model"] == str(folder)
    assert refused == 409 and body["reloaded"] is False and "config.json" in body["message"]
    assert after == 200
    assert any("reload refused" in r.getMessage() for r in caplog.records)
