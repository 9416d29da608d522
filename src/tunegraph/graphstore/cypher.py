"""Every write of the graph model (docs/guide.md, "The graph") as one `UNWIND $rows AS row MERGE …`.

Values only ever arrive as parameters. Endpoint nodes of a relationship are MERGEd by
id too, so writes commute: a relationship may be written before its nodes' properties
arrive, and writing anything twice changes nothing.
"""

from __future__ import annotations

# The graph model's node labels; each has a uniqueness constraint on `id` (schema.py).
NODE_LABELS: tuple[str, ...] = ("Playlist", "Track", "Artist", "Album", "User")

# Node rows: {"id": str, "props": {…}}. `SET n += row.props` leaves unmentioned
# properties alone, so optional fields (popularity, audio features) are simply absent.
NODE_WRITES: dict[str, str] = {
    label: f"UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) SET n += row.props"
    for label in NODE_LABELS
}

# Relationship rows: ids of both ends plus the relationship's own properties.
RELATIONSHIP_WRITES: dict[str, str] = {
    # (:User)-[:OWNS]->(:Playlist) rows: {user_id, playlist_id}
    "OWNS": (
        "UNWIND $rows AS row "
        "MERGE (u:User {id: row.user_id}) "
        "MERGE (p:Playlist {id: row.playlist_id}) "
        "MERGE (u)-[:OWNS]->(p)"
    ),
    # (:Playlist)-[:CONTAINS {position, added_at}]->(:Track) rows: {playlist_id, track_id,
    # position, added_at}. A track may sit at several positions, so position is part of
    # the relationship's identity.
    "CONTAINS": (
        "UNWIND $rows AS row "
        "MERGE (p:Playlist {id: row.playlist_id}) "
        "MERGE (t:Track {id: row.track_id}) "
        "MERGE (p)-[r:CONTAINS {position: row.position}]->(t) "
        "SET r.added_at = row.added_at"
    ),
    # (:Track)-[:BY {position}]->(:Artist) rows: {track_id, artist_id, position}
    "BY": (
        "UNWIND $rows AS row "
        "MERGE (t:Track {id: row.track_id}) "
        "MERGE (a:Artist {id: row.artist_id}) "
        "MERGE (t)-[r:BY]->(a) "
        "SET r.position = row.position"
    ),
    # (:Track)-[:ON]->(:Album) rows: {track_id, album_id}
    "ON": (
        "UNWIND $rows AS row "
        "MERGE (t:Track {id: row.track_id}) "
        "MERGE (al:Album {id: row.album_id}) "
        "MERGE (t)-[:ON]->(al)"
    ),
    # (:Artist)-[:FOUND {query, rank}]->(:Playlist) rows: {artist_id, playlist_id, query, rank}
    "FOUND": (
        "UNWIND $rows AS row "
        "MERGE (a:Artist {id: row.artist_id}) "
        "MERGE (p:Playlist {id: row.playlist_id}) "
        "MERGE (a)-[r:FOUND]->(p) "
        "SET r.query = row.query, r.rank = row.rank"
    ),
}

# The ingest benchmark's yardstick only: CONTAINS rows CREATEd between MATCHed ends, with
# none of MERGE's checks and locks. Not idempotent; nothing writes the graph with it.
UNCHECKED_CONTAINS = (
    "UNWIND $rows AS row "
    "MATCH (p:Playlist {id: row.playlist_id}) "
    "MATCH (t:Track {id: row.track_id}) "
    "CREATE (p)-[:CONTAINS {position: row.position, added_at: row.added_at}]->(t)"
)

COUNT_NODES = "MATCH (n) RETURN labels(n)[0] AS label, count(*) AS count ORDER BY label"
COUNT_RELATIONSHIPS = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS count ORDER BY type"
DELETE_ALL_BATCH = "MATCH (n) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted"
