"""The frontier's Cypher: every statement that reads or moves crawl state.

State lives on Playlist nodes (``crawl_id``, ``crawl_state`` in queued / claimed /
done / failed / inaccessible, ``crawl_depth``, ``crawl_key``, ``crawl_owner``,
``crawl_lease_until``) and on one Crawl node holding the crawl's parameters.
"""

from __future__ import annotations

START_CRAWL = (
    "MERGE (c:Crawl {id: $crawl}) "
    "ON CREATE SET c += $params, c.created_at = timestamp(), c.claims = 0 "
    "SET c.last_started_at = timestamp(), c.state = 'running'"
)

# A playlist new to this crawl (or left by another crawl) is (re)queued; one already in
# it keeps its state, and only a queued one takes a smaller (depth, key).
ENQUEUE = (
    "UNWIND $rows AS row "
    "MERGE (p:Playlist {id: row.id}) "
    "WITH p, row, (p.crawl_id IS NULL OR p.crawl_id <> $crawl) AS fresh "
    "WHERE fresh OR (p.crawl_state = 'queued' AND (p.crawl_depth > row.depth OR "
    "  (p.crawl_depth = row.depth AND p.crawl_key > row.key))) "
    "SET p.crawl_id = $crawl, p.crawl_depth = row.depth, p.crawl_key = row.key, "
    "  p.crawl_state = CASE WHEN fresh THEN 'queued' ELSE p.crawl_state END, "
    "  p.crawl_attempts = CASE WHEN fresh THEN 0 ELSE p.crawl_attempts END"
)

LOCK_CRAWL = (
    "MATCH (c:Crawl {id: $crawl}) SET c.claims = coalesce(c.claims, 0) + 1 "
    "RETURN c.max_playlists AS cap"
)
EXPIRE_LEASES = (
    "MATCH (p:Playlist {crawl_state: 'claimed'}) "
    "WHERE p.crawl_id = $crawl AND p.crawl_lease_until < timestamp() "
    "SET p.crawl_state = 'queued', p.crawl_owner = null, p.crawl_lease_until = null "
    "RETURN count(p) AS expired"
)
ACTIVE_DEPTH = (
    "MATCH (p:Playlist) WHERE p.crawl_state IN ['queued', 'claimed'] AND p.crawl_id = $crawl "
    "RETURN min(p.crawl_depth) AS depth"
)
COUNT_BEFORE = (
    "MATCH (p:Playlist) WHERE p.crawl_depth < $depth AND p.crawl_id = $crawl RETURN count(p) AS n"
)
IN_SCOPE = (
    "MATCH (p:Playlist) WHERE p.crawl_depth = $depth AND p.crawl_id = $crawl "
    "WITH p ORDER BY p.crawl_key LIMIT $allowed "
    "WITH collect(p) AS scope "
    "RETURN [x IN scope WHERE x.crawl_state = 'queued' | x.id][0..$n] AS next, "
    "  size([x IN scope WHERE x.crawl_state = 'claimed']) AS busy"
)
TAKE = (
    "UNWIND $ids AS id MATCH (p:Playlist {id: id}) "
    "SET p.crawl_state = 'claimed', p.crawl_owner = $owner, "
    "  p.crawl_lease_until = timestamp() + $lease_ms, "
    "  p.crawl_attempts = coalesce(p.crawl_attempts, 0) + 1 "
    "RETURN p.id AS id, p.crawl_depth AS depth, p.crawl_key AS key ORDER BY key"
)
FINISH = (
    "UNWIND $rows AS row "
    "MATCH (p:Playlist {id: row.id}) WHERE p.crawl_id = $crawl "
    "SET p.crawl_state = row.state, p.crawl_reason = row.reason, p.crawl_error = row.error, "
    "  p.crawl_owner = null, p.crawl_lease_until = null, p.crawl_finished_at = timestamp()"
)
RELEASE = (
    "MATCH (p:Playlist {crawl_state: 'claimed'}) "
    "WHERE p.crawl_id = $crawl AND p.crawl_owner = $owner "
    "SET p.crawl_state = 'queued', p.crawl_owner = null, p.crawl_lease_until = null, "
    "  p.crawl_attempts = p.crawl_attempts - 1 "
    "RETURN count(p) AS released"
)
RENEW = (
    "MATCH (p:Playlist {crawl_state: 'claimed'}) "
    "WHERE p.crawl_id = $crawl AND p.crawl_owner = $owner "
    "SET p.crawl_lease_until = timestamp() + $lease_ms RETURN count(p) AS renewed"
)
PROGRESS = (
    "MATCH (p:Playlist) WHERE p.crawl_id = $crawl RETURN p.crawl_state AS state, count(p) AS n"
)
END_CRAWL = "MATCH (c:Crawl {id: $crawl}) SET c.state = $state, c += $summary"
UNCHECKED_TRACKS = (
    "MATCH (:Playlist {crawl_id: $crawl})-[:CONTAINS]->(t:Track) "
    "WHERE t.audio_features_checked IS NULL AND t.id > $after "
    "RETURN DISTINCT t.id AS id ORDER BY id LIMIT $limit"
)
INACCESSIBLE_REASONS = (
    "MATCH (p:Playlist {crawl_state: 'inaccessible'}) WHERE p.crawl_id = $crawl "
    "RETURN p.crawl_reason AS reason, count(p) AS n ORDER BY reason"
)
