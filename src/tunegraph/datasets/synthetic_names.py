"""Names for the MPD-shaped generator: playlist names and descriptions, and catalogue names.

Kept apart from the generator so wording can change without touching the structure.
Playlist names follow what real MPD names look like: a few very common exact names per
genre ("country", "chill"), variants with emoji or case changes, season/year names,
emoji-only names and names that say nothing about the content ("my playlist", "Rain
Road"). About a third of the names come from the playlist's dominant genre, so titles
alone retrieve about as little as real titles do (name-only recall@500 near 0.09 exact
and 0.14 by words on real playlists, issue 19).
"""

from __future__ import annotations

import numpy as np

from tunegraph.datasets.vocabulary import (
    ADJECTIVES,
    FIRST_NAMES,
    LAST_NAMES,
    NOUNS,
    TITLE_WORDS,
)

# (genre, names in order of how often real users pick them, emoji used with it)
GENRE_NAMES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("country", ("country", "Country", "country music", "Country Hits", "country jams",
                 "COUNTRY", "country 🤠", "Country Music"), "🤠"),
    ("rap", ("rap", "Rap", "rap 🔥", "RAP", "rap music", "Rap Playlist", "bars"), "🔥"),
    ("pop", ("pop", "Pop", "pop hits", "POP", "Pop Music", "top hits"), "💖"),
    ("rock", ("rock", "Rock", "rock music", "ROCK", "rock n roll", "rock on"), "🤘"),
    ("chill", ("chill", "Chill", "chill vibes", "chill songs", "CHILL", "chillin", "Chill Vibes",
               "relax"), "🌊"),
    ("workout", ("workout", "Workout", "gym", "Gym", "WORKOUT", "workout mix", "running",
                 "Lifting"), "💪"),
    ("party", ("party", "Party", "party playlist", "PARTY", "turn up", "pregame"), "🎉"),
    ("hip hop", ("hip hop", "Hip Hop", "hiphop", "Hip-Hop", "HIP HOP"), "🎤"),
    ("edm", ("edm", "EDM", "electronic", "house", "Electronic", "dance"), "⚡"),
    ("throwback", ("throwback", "Throwbacks", "throwbacks", "old school", "2000s", "90s"), "📼"),
    ("oldies", ("oldies", "Oldies", "classics", "60s", "70s", "Oldies but Goodies"), "📻"),
    ("classic rock", ("classic rock", "Classic Rock", "CLASSIC ROCK", "80s rock"), "🎸"),
    ("christian", ("worship", "Worship", "christian", "Christian", "praise", "Jesus"), "🙏"),
    ("christmas", ("christmas", "Christmas", "Christmas Music", "CHRISTMAS", "xmas"), "🎄"),
    ("r&b", ("r&b", "R&B", "rnb", "RnB", "slow jams", "R&B Vibes"), "🌙"),
    ("indie", ("indie", "Indie", "indie rock", "alt", "alternative", "Alternative"), "🌿"),
    ("latin", ("latin", "Latin", "reggaeton", "Reggaeton", "spanish", "latino"), "💃"),
    ("disney", ("disney", "Disney", "DISNEY", "disney songs", "musicals"), "🏰"),
    ("sad", ("sad", "Sad", "feels", "sad songs", "Feels", "cry"), "😢"),
    ("love", ("love", "Love", "love songs", "LOVE", "Love Songs", "bae"), "❤️"),
    ("metal", ("metal", "Metal", "METAL", "heavy metal", "screamo"), "💀"),
    ("jazz", ("jazz", "Jazz", "smooth jazz", "Jazz Vibes"), "🎷"),
    ("classical", ("classical", "Classical", "study", "piano", "Study"), "🎻"),
    ("folk", ("folk", "Folk", "acoustic", "Acoustic", "bluegrass"), "🪕"),
    ("punk", ("punk", "Punk", "pop punk", "Pop Punk", "emo"), "🧷"),
    ("reggae", ("reggae", "Reggae", "island vibes", "beach"), "🌴"),
    ("soul", ("soul", "Soul", "motown", "Motown", "funk"), "🎺"),
    ("kpop", ("kpop", "KPOP", "K-Pop", "kpop 💕"), "💕"),
    ("blues", ("blues", "Blues", "the blues"), "🎵"),
    ("dance", ("dance", "Dance", "dance party", "DANCE", "club"), "🕺"),
    ("trap", ("trap", "Trap", "TRAP", "trap music"), "💯"),
    ("focus", ("focus", "Focus", "study music", "homework", "concentration"), "📚"),
)  # fmt: skip

# Moods that suit some genres: (name, genres it is used with)
MOOD_NAMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("summer", ("pop", "country", "reggae", "party", "latin", "dance")),
    ("road trip", ("country", "rock", "classic rock", "pop", "indie")),
    ("car jams", ("pop", "rap", "hip hop", "country")),
    ("lit", ("rap", "trap", "hip hop", "party")),
    ("vibes", ("chill", "r&b", "indie", "hip hop")),
    ("good vibes", ("chill", "reggae", "pop", "indie")),
    ("beach", ("reggae", "country", "pop", "latin")),
    ("sleep", ("classical", "chill", "jazz", "focus")),
    ("running", ("workout", "edm", "rap", "dance")),
    ("pump up", ("workout", "rap", "edm", "metal", "trap")),
    ("wedding", ("love", "soul", "country", "oldies")),
    ("roadtrip", ("country", "rock", "pop")),
    ("feels", ("sad", "love", "indie", "r&b")),
    ("jams", ("pop", "hip hop", "country", "throwback")),
    ("fall", ("indie", "folk", "chill")),
)  # fmt: skip

GENERIC_NAMES: tuple[str, ...] = (
    "my playlist", "songs", "music", "Playlist", "new", "favorites", "My Songs", "good stuff",
    "random", "mix", "stuff", "new playlist", "Favorites", "Music", "liked", "idk", "yes",
    "Mine", "the one", "everything", "current", "car", "shower", "school", "work",
)  # fmt: skip

EMOJI_ONLY: tuple[str, ...] = ("🔥", "💯", "😎", "🎶", "✨", "👌", "💕", "🌞", "🙌", "🔥🔥🔥")

YEARS: tuple[int, ...] = (2010, 2011, 2012, 2013, 2014, 2015, 2016, 2017)

DESCRIPTIONS: tuple[str, ...] = (
    "my favorite {g} songs",
    "{g} for every mood",
    "the best {g} out there",
    "songs i cant stop listening to",
    "for the car",
    "{g} 🎶",
)  # fmt: skip

# words people put around a genre's name: "my country", "country 2016", "Ada's rap"
WRAPS: tuple[str, ...] = (
    "my {}", "{} mix", "{} songs", "{} playlist", "best {}", "new {}", "{} jams", "{} faves",
    "{} {y}", "{} {y}", "{n}'s {}", "{} !!", "good {}", "{} stuff",
)  # fmt: skip
# How a name is chosen (cumulative shares): an alias of the playlist's genre (some of them
# wrapped in other words), a mood that suits it, an emoji, or a name that says nothing.
# Calibrated so that titles alone retrieve about as little as real titles do (issue 19).
GENRE_SHARE, MOOD_SHARE, EMOJI_SHARE = 0.34, 0.44, 0.50
WRAPPED = 0.35  # share of genre names wrapped in other words
OWN_WORDS = 0.6  # share of the names that say nothing made of words of their own

GENRES: tuple[str, ...] = tuple(g for g, _, _ in GENRE_NAMES)
_ALIAS_WEIGHTS = [
    np.array([1.0 / (i + 1) ** 1.3 for i in range(len(a))]) for _, a, _ in GENRE_NAMES
]
_MOODS_BY_GENRE = [[m for m, gs in MOOD_NAMES if g in gs] for g in GENRES]


def playlist_name(rng: np.random.Generator, genre: int) -> tuple[str, str | None]:
    """A (name, description or None) for a playlist whose dominant genre is ``genre``."""
    g = genre % len(GENRE_NAMES)
    key, aliases, emoji = GENRE_NAMES[g]
    roll = rng.random()
    if roll < GENRE_SHARE:
        weights = _ALIAS_WEIGHTS[g]
        name = aliases[rng.choice(len(aliases), p=weights / weights.sum())]
        if rng.random() < WRAPPED:
            wrap = WRAPS[rng.integers(len(WRAPS))]
            who = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
            name = wrap.format(name, y=YEARS[rng.integers(len(YEARS))], n=who)
        elif rng.random() < 0.08:
            name = f"{name} {emoji}"
    elif roll < MOOD_SHARE and _MOODS_BY_GENRE[g]:
        name = _MOODS_BY_GENRE[g][rng.integers(len(_MOODS_BY_GENRE[g]))]
        if rng.random() < 0.35:
            name = f"{name} {YEARS[rng.integers(len(YEARS))]}"
        if rng.random() < 0.3:
            name = name.title()
    elif roll < EMOJI_SHARE:
        name = emoji if rng.random() < 0.6 else EMOJI_ONLY[rng.integers(len(EMOJI_ONLY))]
    elif rng.random() < OWN_WORDS:  # a name of its own: "Rain Road", "AdaMoreno"
        a, b = (
            TITLE_WORDS[rng.integers(len(TITLE_WORDS))],
            TITLE_WORDS[rng.integers(len(TITLE_WORDS))],
        )
        who = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
        last = LAST_NAMES[rng.integers(len(LAST_NAMES))]
        name = f"{a} {b}" if rng.random() < 0.5 else f"{who}{last}"  # a word few others use
    else:
        name = GENERIC_NAMES[rng.integers(len(GENERIC_NAMES))]
    description = None
    if rng.random() < 0.04:
        description = DESCRIPTIONS[rng.integers(len(DESCRIPTIONS))].format(g=key)
    return name, description


def _pick(words: tuple[str, ...], h: np.ndarray) -> np.ndarray:
    return np.asarray(words, dtype=object)[(h % np.uint64(len(words))).astype(np.int64)]


def artist_names(h: np.ndarray) -> list[str]:
    """Band or person names, one per hash in ``h`` (uint64)."""
    a, n = _pick(ADJECTIVES, h), _pick(NOUNS, h >> np.uint64(8))
    f, last = _pick(FIRST_NAMES, h >> np.uint64(16)), _pick(LAST_NAMES, h >> np.uint64(24))
    kind = (h >> np.uint64(32)) % np.uint64(4)
    return [
        f"{x} {y}" if k < 2 else f"{p} {q}" if k == 2 else f"The {y}"
        for x, y, p, q, k in zip(a, n, f, last, kind, strict=True)
    ]


def title_names(h: np.ndarray, album: bool = False) -> list[str]:
    """Track or album titles, one per hash in ``h`` (uint64)."""
    a, b = _pick(TITLE_WORDS, h), _pick(TITLE_WORDS, h >> np.uint64(8))
    adj = _pick(ADJECTIVES, h >> np.uint64(16))
    kind = (h >> np.uint64(32)) % np.uint64(8)
    if album:
        return [
            f"{x} {y}" if k < 4 else f"{z} {x}" if k < 7 else f"{x} (Deluxe Edition)"
            for x, y, z, k in zip(a, b, adj, kind, strict=True)
        ]
    return [
        x if k < 3 else f"{x} {y}" if k < 6 else f"{z} {x}" if k < 7 else f"{x} - Remastered"
        for x, y, z, k in zip(a, b, adj, kind, strict=True)
    ]
