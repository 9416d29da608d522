"""The Cypher behind an explanation: the playlists that make a recommendation believable.

An explanation says "this track shares 12 playlists with your seed track X, and 4
playlists called like yours hold it"; this read-only query lists exactly those
playlists, so a user can paste it into ``tunegraph query`` and see them in the graph.
Kept free of the Neo4j driver: the model builds it without a database.
"""

from __future__ import annotations

from typing import Any

from tunegraph.titles import TITLE_SEPARATORS

# One row per playlist that holds $track and either some of $seeds or a title whose words
# (``tunegraph.titles``) are $title_words. No title given: $title_words is [], never equal.
# Double-quoted literals: the query travels inside a shell's single quotes when pasted.
EXPLAIN_QUERY = """
MATCH (t:Track {id: $track})<-[:CONTAINS]-(p:Playlist)
WITH DISTINCT t, p
OPTIONAL MATCH (p)-[:CONTAINS]->(s:Track) WHERE s.id IN $seeds
WITH t, p, collect(DISTINCT s.id) AS seeds,
     size($title_words) > 0 AND [w IN split(
       reduce(text = toLower(coalesce(p.name, "")), c IN split($separators, "") |
              replace(text, c, " ")),
       " ") WHERE w <> ""] = $title_words AS same_title
WHERE size(seeds) > 0 OR same_title
RETURN p.id AS playlist, p.name AS name, seeds, same_title
ORDER BY size(seeds) DESC, playlist
""".strip()


def explain_params(track: str, seeds: list[str], title_words: list[str]) -> dict[str, Any]:
    """The query's parameters: the recommended track, the seed tracks an explanation
    names, and the query playlist's title as words."""
    return {
        "track": track,
        "seeds": seeds,
        "title_words": title_words,
        "separators": TITLE_SEPARATORS,
    }
