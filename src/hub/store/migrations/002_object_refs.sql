-- 002_object_refs.sql — what each stored object version references (its *_ref / *_refs
-- properties), so that an object added later with a stricter TLP also restricts the
-- objects that already point at it (docs/tlp.md, "Effective marking").

CREATE TABLE object_refs (
  collection_id INTEGER NOT NULL,
  src_row       INTEGER NOT NULL REFERENCES objects(id) ON DELETE CASCADE,
  target_id     TEXT NOT NULL
);
CREATE INDEX object_refs_target ON object_refs(collection_id, target_id);
CREATE INDEX object_refs_src ON object_refs(src_row);
