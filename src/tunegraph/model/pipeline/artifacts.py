"""One model directory: weights, vocabularies, candidate embeddings, a brute-force index,
config, metrics and a copy of the data's manifest. Loading checks formats and the data.

Layout::

    config.json      model format, hyper-parameters, split, the data's checksum and path
    manifest.json    copy of the export's manifest
    vocab/           track_id.txt, query_id.txt (the StringLookup vocabularies)
    retrieval/       retrieval weights (TF checkpoint)
    ranker/          the ranker, when one was chosen: TF weights or a LightGBM model file
    arrays.npz       candidate embeddings, track side features, training and full playlists,
                     ALS item factors fitted on each
    playlists.json   playlist ids and names
    tracks.json      track names and artists, for printing recommendations
    index/           SavedModel of a BruteForce top-K index (string ids in, track ids out)
    metrics.json     held-out figures; history.json, curves.png
"""

from __future__ import annotations

import contextlib
import json
import zipfile
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tunegraph import export_format as F
from tunegraph.model.data.export import TrackTable
from tunegraph.model.data.matrix import Csr
from tunegraph.model.errors import ModelDirError
from tunegraph.model.pipeline.recommender import Recommender
from tunegraph.model.ranker.gbdt import GbdtConfig, GbdtRanker
from tunegraph.model.ranker.tfrs import RankingConfig, RankingModel
from tunegraph.model.retrievers.als import Als, AlsConfig
from tunegraph.model.twotower.retrieval import RetrievalConfig, build_model
from tunegraph.outputs import reading, recover

MODEL_FORMAT = "tunegraph-model"
# 3: the split follows the challenge's categories; per-seed ranker features; gbdt rankers
MODEL_FORMAT_VERSION = 3
INDEX_K = 100


@dataclass
class LoadedModel:
    """A model directory read back: the pipeline plus what ``recommend`` needs to print."""

    path: Path
    config: dict[str, Any]
    manifest: dict[str, Any]
    recommender: Recommender
    playlist_ids: list[str]
    playlists: Csr  # full playlists (every track), for --playlist
    playlist_query: np.ndarray  # query index per playlist
    query_vocab: list[str]
    train: Csr  # the split's training view, which the reported figures were computed on
    als_train: Als  # ALS fitted on ``train``

    @property
    def tracks(self) -> TrackTable:
        return self.recommender.tracks

    @property
    def playlist_names(self) -> list[str]:
        """Each known playlist's title, aligned with ``playlist_ids``."""
        return self.recommender.playlist_names

    def evaluation_recommender(self) -> Recommender:
        """The pipeline as it was scored: its retrievers fitted on the training view only."""
        return self.recommender.refit_on(self.train, self.als_train)


def save_model(
    path: Path,
    *,
    serving: Recommender,
    evaluation: Recommender,
    manifest: dict[str, Any],
    config: dict[str, Any],
    playlist_ids: list[str],
    playlist_query: np.ndarray,
    query_vocab: list[str],
    save_index: bool = True,
) -> None:
    """Write everything into ``path``, a fresh folder (``train`` publishes it whole with
    ``tunegraph.outputs.publish_dir``); the index is built and called once before
    tf.saved_model.save. Keyword-only: two recommenders side by side must not swap.

    ``serving`` answers requests (its retrievers know every playlist: ``serving.train``
    holds them whole); ``evaluation`` is the same model with retrievers fitted on the
    training view, kept so ``evaluate`` stays honest.
    """
    if serving.als is None or evaluation.als is None:
        raise ValueError("a model is saved after its ALS retriever is fitted")
    path.mkdir(parents=True, exist_ok=True)
    (path / "vocab").mkdir(exist_ok=True)
    t = serving.tracks
    (path / "vocab" / "track_id.txt").write_text("".join(f"{x}\n" for x in t.ids), "utf-8")
    (path / "vocab" / "query_id.txt").write_text("".join(f"{x}\n" for x in query_vocab), "utf-8")
    (path / F.MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), "utf-8")
    serving.model.save_weights(str(path / "retrieval" / "weights"))
    if isinstance(serving.ranker, GbdtRanker):
        serving.ranker.save(path / "ranker")
    elif isinstance(serving.ranker, RankingModel):
        serving.ranker.save_weights(str(path / "ranker" / "weights"))
    _save_arrays(
        path / "arrays.npz", serving, serving.als, evaluation.train, evaluation.als, playlist_query
    )
    names = {"names": t.names, "artists": t.artist_names, "n_artists": t.n_artists}
    (path / "tracks.json").write_text(json.dumps(names), "utf-8")
    playlists = {"ids": playlist_ids, "names": serving.playlist_names}
    (path / "playlists.json").write_text(json.dumps(playlists), "utf-8")
    config = {
        **config,
        "format": MODEL_FORMAT,
        "model_format_version": MODEL_FORMAT_VERSION,
        "data_format_version": manifest[F.MANIFEST_FORMAT_VERSION],
        "data_checksum": manifest[F.MANIFEST_GRAPH_CHECKSUM],
        "retrieval": asdict(serving.config),
        "ranking": _ranker_config(serving),
        "als": asdict(serving.als.config),
        "n_tracks": len(t.ids),
        "n_queries": len(query_vocab),
    }
    (path / "config.json").write_text(json.dumps(config, indent=2), "utf-8")
    if save_index:
        save_brute_force_index(path / "index", serving, query_vocab)


def _save_arrays(
    path: Path,
    rec: Recommender,
    als_full: Als,
    train: Csr,
    als_train: Als,
    playlist_query: np.ndarray,
) -> None:
    """Every array of the model in one .npz: track features, both playlist views (every
    playlist, and the training view evaluation scores with), both ALS fits and the
    candidate embeddings."""
    t, full = rec.tracks, rec.train
    np.savez(
        path,
        candidates=rec.candidates,
        artist_index=t.artist_index,
        audio=t.audio,
        audio_mask=t.audio_mask,
        popularity=t.popularity,
        popularity_mask=t.popularity_mask,
        album_index=t.album_index,
        credit_indptr=t.credit_indptr,
        credit_indices=t.credit_indices,
        train_indptr=train.indptr,
        train_indices=train.indices,
        als_full=als_full.item_factors,
        als_train=als_train.item_factors,
        full_indptr=full.indptr,
        full_indices=full.indices,
        playlist_query=playlist_query,
    )


def save_brute_force_index(path: Path, rec: Recommender, query_vocab: list[str]) -> None:
    """A self-contained SavedModel: query ids (id tower) or track-id lists (pooled) in,
    top-100 track ids out. Built, called once (required), then saved."""
    from tunegraph.model._tf import tf, tfrs
    from tunegraph.model.twotower.towers import string_query_model

    kind = rec.config.query_tower
    vocab = query_vocab if kind == "id" else rec.tracks.ids
    query_model = string_query_model(rec.model.query_tower, kind, vocab, rec.config.normalize)
    k = min(INDEX_K, len(rec.tracks.ids))
    index = tfrs.layers.factorized_top_k.BruteForce(query_model, k=k)
    index.index(tf.constant(rec.candidates[1:]), tf.constant(rec.tracks.ids))
    sample = tf.constant([query_vocab[0]] if kind == "id" else [[rec.tracks.ids[0]]])
    index(sample)  # a BruteForce index must be called once before it can be saved
    spec = tf.TensorSpec([None] if kind == "id" else [None, None], tf.string)

    class Serving(tf.Module):
        """Fixes the input signature: any batch, and any list length for the pooled tower."""

        def __init__(self) -> None:
            super().__init__()
            self.index = index

        @tf.function(input_signature=[spec])
        def __call__(self, queries: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
            return self.index(queries)

    serving = Serving()
    tf.saved_model.save(serving, str(path), signatures={"serving_default": serving.__call__})


def _read_json(folder: Path, name: str, root: Path) -> Any:
    """``folder/name`` as JSON; an error names the file under ``root`` (the user's path)."""
    try:
        return json.loads((folder / name).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelDirError(f"cannot read {root / name}: {_reason(exc)}") from exc


def _read_lines(folder: Path, name: str, root: Path) -> list[str]:
    try:
        return (folder / name).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelDirError(f"cannot read {root / name}: {_reason(exc)}") from exc


def _read_arrays(folder: Path, root: Path) -> dict[str, np.ndarray]:
    """Every array of arrays.npz; a truncated or damaged file is one ``ModelDirError``."""
    try:
        with np.load(folder / "arrays.npz") as npz:
            return dict(npz)
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error) as exc:
        raise ModelDirError(
            f"cannot read {root}/arrays.npz ({_reason(exc)}): the model folder is damaged;"
            " train it again"
        ) from exc


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def load_model(path: str | Path) -> LoadedModel:
    """Read a model directory back; refuse one of another format or an incomplete one.

    The folder is opened once (``tunegraph.outputs.reading``) and every file is read
    through that: a ``train --out`` swapping a new model in meanwhile gives this reader
    the old model whole, never a mix of two.
    """
    root = Path(path)
    if not root.exists():
        recover(root)  # a train killed between the two renames of its swap
    if not (root / "config.json").is_file():
        raise ModelDirError(f"{root} is not a tunegraph model directory (no config.json)")
    with contextlib.ExitStack() as stack:
        try:
            folder = stack.enter_context(reading(root))
        except OSError as exc:
            raise ModelDirError(f"cannot read {root}: {exc.strerror or exc}") from exc
        return _read_model(folder, root)


def _read_model(folder: Path, root: Path) -> LoadedModel:
    """Every file of the model from ``folder`` (pinned); messages name ``root``."""
    config = _checked_config(folder, root)
    arrays = _read_arrays(folder, root)
    tracks = _track_table(folder, root, arrays)
    query_vocab = _read_lines(folder, "vocab/query_id.txt", root)
    rconf = RetrievalConfig(
        **{**config["retrieval"], "layers": tuple(config["retrieval"]["layers"])}
    )
    model = build_model(rconf, len(query_vocab), tracks)
    _load_weights(model, folder, root, "retrieval")
    n_tracks = len(tracks.ids)
    full = _csr(arrays["full_indptr"], arrays["full_indices"], n_tracks)
    playlists = _read_json(folder, "playlists.json", root)
    als_config = AlsConfig(**config["als"])
    rec = Recommender(
        rconf,
        model,
        arrays["candidates"],
        full,
        tracks,
        playlist_names=list(playlists["names"]),
        als=Als(arrays["als_full"], als_config),
        ranker=_load_ranker(folder, root, config.get("ranking")),
    )
    return LoadedModel(
        path=root,
        config=config,
        manifest=_read_json(folder, F.MANIFEST_FILE, root),
        recommender=rec,
        playlist_ids=list(playlists["ids"]),
        playlists=full,
        playlist_query=arrays["playlist_query"],
        query_vocab=query_vocab,
        train=_csr(arrays["train_indptr"], arrays["train_indices"], n_tracks),
        als_train=Als(arrays["als_train"], als_config),
    )


def _ranker_config(rec: Recommender) -> dict[str, Any] | None:
    """The ranker's kind and settings, for config.json (None: the two-tower model alone)."""
    if isinstance(rec.ranker, GbdtRanker):
        return {"kind": "gbdt", **asdict(rec.ranker.config)}
    if isinstance(rec.ranker, RankingModel):
        return {"kind": "tfrs", **asdict(rec.ranker.config)}
    return None


def _load_ranker(
    folder: Path, root: Path, saved: dict[str, Any] | None
) -> GbdtRanker | RankingModel | None:
    """The saved ranker, read from ``folder`` (pinned); messages name ``root``."""
    if not saved:
        return None
    settings = {k: v for k, v in saved.items() if k != "kind"}
    if saved.get("kind") == "gbdt":
        try:
            return GbdtRanker.load(folder / "ranker", GbdtConfig(**settings))
        except Exception as exc:  # LightGBM raises its own error type for a bad file
            reason = str(exc).replace(str(folder), str(root)).splitlines()[0]
            raise ModelDirError(f"cannot load {root}/ranker: {reason}") from exc
    kconf = RankingConfig(**{**settings, "layers": tuple(settings["layers"])})
    ranker = RankingModel(kconf)
    _load_weights(ranker, folder, root, "ranker")
    return ranker


def _checked_config(folder: Path, root: Path) -> dict[str, Any]:
    """config.json of a complete model folder of this format, matching its manifest."""
    config = _read_json(folder, "config.json", root)
    if config.get("format") != MODEL_FORMAT:
        raise ModelDirError(f"{root}/config.json is not a tunegraph model config")
    if config.get("model_format_version") != MODEL_FORMAT_VERSION:
        raise ModelDirError(
            f"{root} has model format {config.get('model_format_version')!r};"
            f" this tunegraph reads {MODEL_FORMAT_VERSION}: retrain it"
        )
    manifest = _read_json(folder, F.MANIFEST_FILE, root)
    if manifest.get(F.MANIFEST_GRAPH_CHECKSUM) != config.get("data_checksum") or manifest.get(
        F.MANIFEST_FORMAT_VERSION
    ) != config.get("data_format_version"):
        raise ModelDirError(f"{root}: manifest.json does not match config.json")
    return dict(config)


def _track_table(folder: Path, root: Path, arrays: dict[str, np.ndarray]) -> TrackTable:
    names = _read_json(folder, "tracks.json", root)
    return TrackTable(
        ids=_read_lines(folder, "vocab/track_id.txt", root),
        names=names["names"],
        artist_names=names["artists"],
        artist_index=arrays["artist_index"],
        n_artists=int(names["n_artists"]),
        audio=arrays["audio"],
        audio_mask=arrays["audio_mask"],
        popularity=arrays["popularity"],
        popularity_mask=arrays["popularity_mask"],
        album_index=arrays["album_index"],
        credit_indptr=arrays["credit_indptr"],
        credit_indices=arrays["credit_indices"],
    )


def _load_weights(model: Any, folder: Path, root: Path, name: str) -> None:
    try:
        model.load_weights(str(folder / name / "weights")).expect_partial()
    except Exception as exc:  # TF raises several types for a missing or mismatched checkpoint
        reason = str(exc).replace(str(folder), str(root)).splitlines()[0]  # the user's path
        raise ModelDirError(f"cannot load {root}/{name} weights: {reason}") from exc


def _csr(indptr: np.ndarray, indices: np.ndarray, n_tracks: int) -> Csr:
    rows = [indices[indptr[i] : indptr[i + 1]] for i in range(len(indptr) - 1)]
    return Csr(rows, n_tracks)
