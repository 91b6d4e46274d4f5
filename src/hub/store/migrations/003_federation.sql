-- 003_federation.sql — federation between hubs (docs/federation.md): partner hubs (peers),
-- sharing agreements, per (agreement, partner collection) sync bookmarks and sync state,
-- and the transfer audit trail of every object that left or arrived.

-- A partner hub. org_id is the local organisation that stands for it: the partner
-- presents tokens of that organisation's members when it pulls from this hub, and the
-- objects received from it are stored as produced by that organisation.
CREATE TABLE peers (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  url         TEXT NOT NULL,                 -- the partner's TAXII API root URL
  token       TEXT NOT NULL DEFAULT '',      -- what this hub presents to the partner
  org_id      INTEGER NOT NULL UNIQUE REFERENCES orgs(id),
  enabled     INTEGER NOT NULL DEFAULT 1,
  created_us  INTEGER NOT NULL
);

-- direction 0 = offer (the partner may pull local_collection_id), 1 = pull (this hub pulls
-- the partner's remote_collection into local_collection_id).
CREATE TABLE agreements (
  id                  INTEGER PRIMARY KEY,
  name                TEXT NOT NULL UNIQUE,
  peer_id             INTEGER NOT NULL REFERENCES peers(id),
  direction           INTEGER NOT NULL CHECK (direction IN (0, 1)),
  max_tlp             INTEGER NOT NULL,      -- highest level that may cross (acl.h values)
  types               TEXT NOT NULL DEFAULT '', -- ",indicator,sighting," ; '' = every type
  third_party         INTEGER NOT NULL DEFAULT 0,
  local_collection_id INTEGER NOT NULL REFERENCES collections(id),
  remote_collection   TEXT NOT NULL DEFAULT '',
  created_us          INTEGER NOT NULL
);
CREATE UNIQUE INDEX agreements_scope
  ON agreements(peer_id, direction, local_collection_id, remote_collection);

-- Where a pull stands: the partner's X-TAXII-Date-Added-Last of the last page made
-- durable here (written in the same transaction as that page's objects), and the health
-- of the last rounds.
CREATE TABLE sync_state (
  agreement_id    INTEGER NOT NULL REFERENCES agreements(id),
  collection      TEXT NOT NULL,             -- the partner's collection id
  bookmark        TEXT NOT NULL DEFAULT '',
  last_attempt_us INTEGER NOT NULL DEFAULT 0,
  last_success_us INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT NOT NULL DEFAULT '',
  failures        INTEGER NOT NULL DEFAULT 0, -- failed rounds, ever
  consecutive     INTEGER NOT NULL DEFAULT 0, -- failed rounds since the last success
  received        INTEGER NOT NULL DEFAULT 0, -- object versions stored
  rejected        INTEGER NOT NULL DEFAULT 0, -- objects refused (malformed, policy)
  PRIMARY KEY (agreement_id, collection)
) WITHOUT ROWID;

-- Every object version that left this hub for a partner ('out') or arrived from one
-- ('in'), with the outcome ('sent', 'stored', 'duplicate', 'rejected').
CREATE TABLE transfers (
  id           INTEGER PRIMARY KEY,
  at_us        INTEGER NOT NULL,
  direction    TEXT NOT NULL,
  peer_id      INTEGER NOT NULL,
  agreement_id INTEGER,
  object_id    TEXT NOT NULL,
  version      TEXT NOT NULL DEFAULT '',
  tlp          INTEGER NOT NULL,
  outcome      TEXT NOT NULL,
  detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX transfers_peer ON transfers(peer_id, at_us);
