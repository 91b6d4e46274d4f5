-- 001_init.sql — the hub's first schema: organisations, members, tokens, API roots,
-- collections and grants, STIX objects (every version), status resources, audit log.
-- Times are integer microseconds since the Unix epoch (UTC).

CREATE TABLE orgs (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  sector      TEXT NOT NULL DEFAULT '',
  country     TEXT NOT NULL DEFAULT '',
  identity_id TEXT NOT NULL UNIQUE,          -- STIX identity--UUID of the organisation
  created_us  INTEGER NOT NULL
);

CREATE TABLE members (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES orgs(id),
  name        TEXT NOT NULL UNIQUE,
  role        INTEGER NOT NULL,              -- 0 reader, 1 contributor, 2 admin
  identity_id TEXT NOT NULL UNIQUE,          -- STIX identity--UUID (identity_class individual)
  created_us  INTEGER NOT NULL
);

-- Only the SHA-256 of a token is kept; the token itself is shown once at creation.
CREATE TABLE tokens (
  id          INTEGER PRIMARY KEY,
  member_id   INTEGER NOT NULL REFERENCES members(id),
  hash        BLOB NOT NULL UNIQUE,
  created_us  INTEGER NOT NULL,
  revoked_us  INTEGER
);

CREATE TABLE api_roots (
  id          INTEGER PRIMARY KEY,
  path        TEXT NOT NULL UNIQUE,          -- URL path segment, e.g. "api1"
  title       TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE collections (
  id          INTEGER PRIMARY KEY,
  api_root_id INTEGER NOT NULL REFERENCES api_roots(id),
  uuid        TEXT NOT NULL UNIQUE,
  title       TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  public      INTEGER NOT NULL DEFAULT 0     -- anonymous readers may read TLP:CLEAR content
);

CREATE TABLE grants (
  collection_id INTEGER NOT NULL REFERENCES collections(id),
  org_id        INTEGER NOT NULL REFERENCES orgs(id),
  can_read      INTEGER NOT NULL DEFAULT 0,
  can_write     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (collection_id, org_id)
) WITHOUT ROWID;

-- One row per object version. is_first/is_last are kept up to date on every write and
-- delete so that the default "latest version" page needs no GROUP BY.
CREATE TABLE objects (
  id            INTEGER PRIMARY KEY,
  collection_id INTEGER NOT NULL REFERENCES collections(id),
  stix_id       TEXT NOT NULL,
  type          TEXT NOT NULL,
  spec_version  TEXT NOT NULL,
  version_us    INTEGER NOT NULL,            -- modified, else created, else date_added
  version_text  TEXT NOT NULL,               -- the same timestamp as the object spells it
  date_added_us INTEGER NOT NULL,            -- unique and increasing across the hub
  is_first      INTEGER NOT NULL DEFAULT 1,
  is_last       INTEGER NOT NULL DEFAULT 1,
  producer_org  INTEGER NOT NULL,
  producer_user INTEGER NOT NULL,
  tlp           INTEGER NOT NULL,            -- effective TLP level (see docs/tlp.md)
  recipients    TEXT NOT NULL DEFAULT ',',   -- ",o<org id>,u<member id>," named recipients
  revoked       INTEGER NOT NULL DEFAULT 0,
  body          TEXT NOT NULL                -- the object's JSON as received
);
CREATE UNIQUE INDEX objects_version ON objects(collection_id, stix_id, version_us);
CREATE INDEX objects_added ON objects(collection_id, date_added_us);
CREATE INDEX objects_type_added ON objects(collection_id, type, date_added_us);

CREATE TABLE statuses (
  id            INTEGER PRIMARY KEY,
  uuid          TEXT NOT NULL UNIQUE,
  collection_id INTEGER NOT NULL,
  member_id     INTEGER NOT NULL,
  org_id        INTEGER NOT NULL,
  request_us    INTEGER NOT NULL,
  body          TEXT NOT NULL                -- the TAXII status resource as served
);

CREATE TABLE audit (
  id            INTEGER PRIMARY KEY,
  at_us         INTEGER NOT NULL,
  member_id     INTEGER,                     -- NULL: anonymous or CLI
  org_id        INTEGER,
  action        TEXT NOT NULL,               -- add, delete, read, admin
  collection_id INTEGER,
  object_id     TEXT,
  version       TEXT,
  detail        TEXT
);
CREATE INDEX audit_at ON audit(at_us);

-- The hub-wide date_added clock: the last value handed out (kept in the write transaction).
CREATE TABLE clock (
  k  INTEGER PRIMARY KEY CHECK (k = 0),
  last_added_us INTEGER NOT NULL
);
INSERT INTO clock VALUES (0, 0);
