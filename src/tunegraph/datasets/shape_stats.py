"""How much a playlist collection looks like the real MPD: its figures, measured the same way.

Why: a generated world is only useful for development if it has the real data's long
tail, artist repetition and cold-start share. The definitions match
``shared/tools/playlist_stats.py`` (which measured ``REAL_MPD``):

- distribution statistics are over distinct (playlist, track) pairs;
- "first artist" is a track's first credited artist;
- split statistics use a RecSys-2018-style split: 10 % of the playlists with at least 10
  distinct tracks become test playlists; each shows its first 5, 10 or 25 tracks or its
  first half (drawn uniformly among the options that leave at least 5 distinct tracks
  hidden); hidden tracks are the distinct later tracks; everything else is training.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["REAL_MPD", "format_table", "recsys_split", "shape_statistics"]

# Measured on 8,065 real MPD playlists (docs/guide.md's MPD-shape table shows them).
REAL_MPD: dict[str, float] = {
    "singleton_tracks": 0.66,
    "top1_coverage": 0.27,
    "top10_coverage": 0.63,
    "same_artist_pair": 0.063,
    "distinct_artist_ratio": 0.62,
    "cold_hidden": 0.19,
    "shown_artist_first5": 0.08,
    "shown_artist_firsthalf": 0.30,
    "length_median": 80.0,
    "length_p10": 19.0,
    "length_p90": 192.0,
}

LABELS: dict[str, str] = {
    "singleton_tracks": "tracks in exactly one playlist",
    "top1_coverage": "rows covered by the top 1 % of tracks",
    "top10_coverage": "rows covered by the top 10 % of tracks",
    "same_artist_pair": "P(two tracks of a playlist share the first artist)",
    "distinct_artist_ratio": "distinct first artists / tracks per playlist",
    "cold_hidden": "hidden tracks never in training",
    "shown_artist_first5": "hidden tracks by a shown artist, first 5 shown",
    "shown_artist_firsthalf": "hidden tracks by a shown artist, first half shown",
    "length_median": "playlist length, median",
    "length_p10": "playlist length, p10",
    "length_p90": "playlist length, p90",
}
_PERCENT = {"singleton_tracks", "top1_coverage", "top10_coverage", "cold_hidden",
            "shown_artist_first5", "shown_artist_firsthalf"}  # fmt: skip
SHOWN = (("first5", 5), ("first10", 10), ("first25", 25), ("firsthalf", None))


def recsys_split(
    rows: pd.DataFrame, seed: int = 2018
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """(train rows, hidden rows, kind per test playlist) of the RecSys-2018-style split.

    Draws exactly as playlist_stats.py does, so the same rows give the same split.
    """
    rng = np.random.default_rng(seed)
    rows = rows.sort_values(["playlist_id", "pos"], kind="stable")
    firsts = rows.drop_duplicates(["playlist_id", "track_id"])
    sizes = firsts.groupby("playlist_id").size()
    eligible = sizes[sizes >= 10].index.to_numpy()
    if len(eligible) == 0:
        return rows, rows.iloc[:0], pd.Series(dtype=object)
    test = rng.choice(eligible, size=max(1, len(eligible) // 10), replace=False)
    test_set = set(test.tolist())
    shown, hidden, kinds = [], [], {}
    for pid, g in firsts[firsts.playlist_id.isin(test_set)].groupby("playlist_id"):
        n = len(g)
        options = [(k, n // 2 if m is None else m) for k, m in SHOWN]
        options = [(k, m) for k, m in options if n - m >= 5]
        if not options:
            continue
        kind, m = options[rng.integers(len(options))]
        shown.append(g.iloc[:m])
        hidden.append(g.iloc[m:])
        kinds[pid] = kind
    train = pd.concat([rows[~rows.playlist_id.isin(kinds)], *shown])
    return train, pd.concat(hidden) if hidden else rows.iloc[:0], pd.Series(kinds)


def shape_statistics(rows: pd.DataFrame, seed: int = 2018) -> dict[str, float]:
    """The ``REAL_MPD`` statistics of ``rows`` (columns playlist_id, track_id, artist_id, pos)."""
    pairs = rows.drop_duplicates(["playlist_id", "track_id"])
    length = pairs.groupby("playlist_id").size()
    pop = np.sort(pairs.groupby("track_id").size().to_numpy())[::-1]

    def top(frac: float) -> float:
        return float(pop[: max(1, int(len(pop) * frac))].sum() / pop.sum())

    # P(two tracks share an artist) per playlist: sum c(c-1) / n(n-1) over artist counts
    counts = pairs.groupby(["playlist_id", "artist_id"]).size()
    c = counts.to_numpy(np.float64)
    same = pd.Series(c * (c - 1), index=counts.index).groupby(level=0).sum()
    n = length.loc[same.index].to_numpy(np.float64)
    share = np.where(n > 1, same.to_numpy() / np.maximum(n * (n - 1), 1), np.nan)
    distinct = counts.groupby(level=0).size() / length
    out = {
        "singleton_tracks": float((pop == 1).mean()),
        "top1_coverage": top(0.01),
        "top10_coverage": top(0.10),
        "same_artist_pair": float(np.nanmean(share)),
        "distinct_artist_ratio": float(distinct.mean()),
        "length_median": float(length.median()),
        "length_p10": float(length.quantile(0.1)),
        "length_p90": float(length.quantile(0.9)),
    }
    train, hidden, kinds = recsys_split(rows, seed)
    if len(hidden):
        out["cold_hidden"] = float((~hidden.track_id.isin(set(train.track_id))).mean())
        shown = train[train.playlist_id.isin(kinds.index)][["playlist_id", "artist_id"]]
        shown = shown.drop_duplicates().assign(hit=True)
        hit = (
            hidden[["playlist_id", "artist_id"]]
            .merge(shown, on=["playlist_id", "artist_id"], how="left")["hit"]
            .fillna(False)
        )
        kind = hidden.playlist_id.map(kinds).to_numpy()
        for k in ("first5", "firsthalf"):
            mask = kind == k
            out[f"shown_artist_{k}"] = float(hit.to_numpy()[mask].mean()) if mask.any() else np.nan
    return out


def _fmt(key: str, value: float | None) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    if key in _PERCENT:
        return f"{value:.0%}"
    if key.startswith("length"):
        return f"{value:.0f}"
    return f"{value:.3f}" if key == "same_artist_pair" else f"{value:.2f}"


def format_table(stats: dict[str, float], reference: dict[str, float] = REAL_MPD) -> str:
    """A side-by-side table: statistic, this collection, real MPD, ratio."""
    width = max(map(len, LABELS.values()))
    lines = [f"{'statistic':<{width}}  {'this':>8}  {'real MPD':>8}  {'ratio':>6}"]
    for key, label in LABELS.items():
        got, real = stats.get(key), reference.get(key)
        ratio = f"{got / real:.2f}" if got is not None and real and not np.isnan(got) else ""
        lines.append(f"{label:<{width}}  {_fmt(key, got):>8}  {_fmt(key, real):>8}  {ratio:>6}")
    return "\n".join(lines)
