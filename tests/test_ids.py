"""The one id grammar: bare ids, spotify: URIs, open.spotify.com links, MPD hints."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tunegraph.ids import IdSyntaxError, spotify_id_of, track_id_of

SEED = "37i9dQZF1DXcBWIGoYBM5M"


@pytest.mark.parametrize("kind", ["track", "playlist"])
@pytest.mark.parametrize(
    "form",
    [
        "{id}",
        "  {id} ",
        "spotify:{kind}:{id}",
        "https://open.spotify.com/{kind}/{id}",
        "https://open.spotify.com/{kind}/{id}?si=abc",
        "https://open.spotify.com/intl-de/{kind}/{id}",
        "open.spotify.com/{kind}/{id}",
    ],
)
def test_every_form_gives_the_id(kind: Any, form: str) -> None:
    assert spotify_id_of(form.format(id=SEED, kind=kind), kind) == SEED


@pytest.mark.parametrize(
    "text",
    [
        f"spotify:track:{SEED}",
        f"spotify:playlist:{SEED}:extra",
        f"https://example.com/playlist/{SEED}",
        f"https://open.spotify.com/album/{SEED}",
        "",
    ],
)
def test_other_kinds_and_hosts_are_refused(text: str) -> None:
    with pytest.raises(IdSyntaxError, match="not a playlist"):
        spotify_id_of(text, "playlist")


def test_track_id_of_mpd_objects_and_foreign_uris() -> None:
    assert track_id_of({"track_uri": f"spotify:track:{SEED}"}) == SEED
    assert track_id_of(f"https://open.spotify.com/track/{SEED}") == SEED
    assert track_id_of("spotify:album:x") == "spotify:album:x"  # unknown, said by the caller


def _lookups(playlist_ids: list[str]) -> Any:
    from tunegraph.model.serving.lookups import Lookups

    loaded = SimpleNamespace(tracks=SimpleNamespace(ids=["a", "b"]), playlist_ids=playlist_ids)
    return Lookups(loaded)  # type: ignore[arg-type]


def test_a_plain_number_on_an_mpd_model_suggests_mpd_n() -> None:
    """Issue 21: `--playlist 5` on an MPD model said "unknown playlist '5'" and no more."""
    from tunegraph.model.errors import UnknownIdError

    mpd = _lookups(["mpd:5", "mpd:7"])
    with pytest.raises(UnknownIdError, match=r"did you mean mpd:5\?"):
        mpd.playlist("5")
    with pytest.raises(UnknownIdError, match="names MPD playlists mpd:<pid>, and knows no mpd:6"):
        mpd.playlist("6")
    assert mpd.playlist("mpd:7") == 1 and mpd.find_playlist("spotify:album:x") is None
    with pytest.raises(UnknownIdError, match=r"unknown playlist '5': not in the model's data$"):
        _lookups(["p1"]).playlist("5")
    links = ["spotify:track:b", "https://open.spotify.com/track/a", "c"]
    assert _lookups(["p1"]).tracks(links) == [2, 1, 0]
