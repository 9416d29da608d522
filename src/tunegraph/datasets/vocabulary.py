"""Words, genres and per-genre audio-feature profiles for synthetic worlds.

Kept apart from the generator so that names can change without touching the
structure of the world; the lists are fixed, so a seed always picks the same names.
"""

from __future__ import annotations

import random

GENRES: tuple[str, ...] = (
    "indie folk", "synthwave", "deep house", "drum and bass", "trap", "bossa nova",
    "delta blues", "bebop", "death metal", "shoegaze", "k-pop", "reggaeton",
    "afrobeat", "grunge", "baroque", "lo-fi hip hop", "bluegrass", "disco",
    "dub", "emo", "flamenco", "gospel", "hardstyle", "j-rock", "krautrock",
    "mariachi", "neo soul", "outlaw country", "post-punk", "salsa", "ska",
    "techno", "trip hop", "vaporwave", "zydeco", "ambient", "city pop", "grime",
    "highlife", "polka",
)  # fmt: skip

ADJECTIVES: tuple[str, ...] = (
    "Velvet", "Crimson", "Hollow", "Silver", "Electric", "Golden", "Paper", "Neon",
    "Quiet", "Wild", "Broken", "Cosmic", "Lunar", "Rusty", "Frozen", "Burning",
    "Midnight", "Sunny", "Lonely", "Static", "Glass", "Iron", "Copper", "Amber",
    "Scarlet", "Violet", "Emerald", "Marble", "Wooden", "Dusty", "Restless",
    "Gentle", "Savage", "Northern", "Southern", "Distant", "Secret", "Falling",
    "Rising", "Sleepy", "Tidal", "Magnetic", "Hidden", "Bright", "Faded", "Lucky",
    "Stray", "Royal", "Honey", "Saltwater", "Thunder", "Polar", "Atomic", "Solar",
    "Analog", "Feral", "Pale", "Ivory", "Cobalt", "Ember",
)  # fmt: skip

NOUNS: tuple[str, ...] = (
    "Harbor", "Foxes", "Lanterns", "Engines", "Orchard", "Tigers", "Ghosts",
    "Satellites", "Rivers", "Pilots", "Mirrors", "Wolves", "Gardens", "Owls",
    "Comets", "Sailors", "Bridges", "Tides", "Ravens", "Parade", "Machines",
    "Canyons", "Mountains", "Choir", "Circus", "Drifters", "Echoes", "Embers",
    "Fountains", "Giants", "Horizons", "Islands", "Jackals", "Kites", "Lions",
    "Meadows", "Nomads", "Oceans", "Palaces", "Queens", "Robots", "Shadows",
    "Thieves", "Unicorns", "Valleys", "Whales", "Youth", "Zephyrs", "Arcade",
    "Bandits", "Cathedral", "Dynamos", "Falcons", "Hearts", "Monsoon", "Pines",
    "Rockets", "Signals", "Tapes", "Vandals",
)  # fmt: skip

TITLE_WORDS: tuple[str, ...] = (
    "Love", "Night", "Summer", "Fire", "Rain", "Dance", "Heart", "Road", "Dream",
    "Light", "Shadow", "Home", "Blue", "Gold", "River", "Storm", "Sky", "Ocean",
    "Memory", "Echo", "Morning", "Window", "Letter", "Highway", "Mirror", "Garden",
    "Silence", "Thunder", "Velvet", "Paradise", "Neon", "Winter", "Autumn", "Spring",
    "Fever", "Ghost", "Honey", "Island", "Jungle", "Kiss", "Lullaby", "Machine",
    "Northern", "Orbit", "Pulse", "Queen", "Runaway", "Satellite", "Tonight",
    "Undertow", "Voltage", "Wildfire", "Youth", "Zero", "Avenue", "Blossom",
    "Cascade", "Daylight", "Eclipse", "Falling",
)  # fmt: skip

FIRST_NAMES: tuple[str, ...] = (
    "Ada", "Ben", "Cleo", "Dev", "Ema", "Finn", "Gia", "Hugo", "Iris", "Jon", "Kai",
    "Lena", "Milo", "Nia", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tara", "Uma",
    "Vik", "Wren", "Xavi", "Yara", "Zoe", "Aria", "Bo", "Cai", "Dana", "Eli", "Fay",
    "Gus", "Hana", "Ivo", "Jade", "Kim", "Leo", "Maya", "Noor",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Abbott", "Berg", "Costa", "Dahl", "Ekström", "Fischer", "Garcia", "Hayes",
    "Ito", "Jensen", "Kowalski", "Laurent", "Moreau", "Novak", "Okafor", "Petrov",
    "Quist", "Rossi", "Silva", "Tanaka", "Ueda", "Vargas", "Weber", "Xu", "Yilmaz",
    "Zhang", "Andersen", "Brooks", "Chen", "Dubois",
)  # fmt: skip

PLAYLIST_MOODS: tuple[str, ...] = (
    "Late night", "Sunday morning", "Workout", "Road trip", "Rainy day", "Focus",
    "Party", "Chill", "Throwback", "Deep cuts", "Summer", "Heartbreak",
)  # fmt: skip

FEATURES: tuple[str, ...] = (
    "danceability", "energy", "valence", "acousticness", "instrumentalness",
    "liveness", "speechiness", "tempo", "loudness",
)  # fmt: skip

# Ranges a feature may take; tempo in BPM, loudness in dB, the rest in [0, 1].
_FEATURE_RANGE = {"tempo": (60.0, 190.0), "loudness": (-30.0, -2.0)}


def genre_names(count: int) -> list[str]:
    """The first ``count`` genres, numbered ones beyond the built-in list."""
    names = list(GENRES[:count])
    names += [f"genre {i + 1}" for i in range(len(GENRES), count)]
    return names


def feature_profile(rng: random.Random) -> dict[str, tuple[float, float]]:
    """A genre's (mean, spread) per audio feature: genres differ, so features carry signal."""
    profile = {}
    for name in FEATURES:
        low, high = _FEATURE_RANGE.get(name, (0.0, 1.0))
        span = high - low
        mean = low + span * rng.uniform(0.1, 0.9)
        profile[name] = (mean, span * rng.uniform(0.04, 0.12))
    return profile


def draw_features(rng: random.Random, profile: dict[str, tuple[float, float]]) -> dict[str, float]:
    """One track's features around its genre's profile, clipped and rounded (stable JSON)."""
    out = {}
    for name in FEATURES:
        mean, spread = profile[name]
        low, high = _FEATURE_RANGE.get(name, (0.0, 1.0))
        value = min(high, max(low, rng.gauss(mean, spread)))
        out[name] = round(value, 3)
    return out
