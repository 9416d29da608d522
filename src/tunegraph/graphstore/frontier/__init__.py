"""The crawl frontier in Neo4j: which playlists the crawl visits, in what order, and who has each.

``state`` says what a claim is and how keys order the work (plain Python); ``queries``
holds the Cypher; ``operations`` runs it, each move one transaction. The crawler uses
this package as ``frontier.claim(...)``, ``frontier.complete(...)`` and so on.
"""

from tunegraph.graphstore.frontier.operations import (
    claim,
    complete,
    end_crawl,
    inaccessible_reasons,
    progress,
    release,
    renew,
    start_crawl,
    unchecked_tracks,
)
from tunegraph.graphstore.frontier.state import (
    CLAIMED,
    DONE,
    FAILED,
    INACCESSIBLE,
    QUEUED,
    Claim,
    Finished,
    Wait,
    child_key,
    seed_key,
)

__all__ = [
    "CLAIMED",
    "DONE",
    "FAILED",
    "INACCESSIBLE",
    "QUEUED",
    "Claim",
    "Finished",
    "Wait",
    "child_key",
    "claim",
    "complete",
    "end_crawl",
    "inaccessible_reasons",
    "progress",
    "release",
    "renew",
    "seed_key",
    "start_crawl",
    "unchecked_tracks",
]
