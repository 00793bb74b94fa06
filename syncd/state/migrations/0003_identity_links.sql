-- syncd state, schema 3: the identity links the latest resolution pass acted on.
-- The next pass compares against them, so a link that loses its evidence is reported, not dropped
-- silently, and a re-imaged machine's old RMM device is remembered as previous.

CREATE TABLE identity_links (
    kind       TEXT NOT NULL,                  -- "company" | "machine"
    left_ref   TEXT NOT NULL,                  -- e.g. "connectwise.configurations:812"
    right_ref  TEXT NOT NULL,                  -- e.g. "ninjaone.devices:1201"
    confidence REAL NOT NULL,
    evidence   TEXT NOT NULL DEFAULT '{}',     -- JSON {"agreed": {...}, "disagreed": {...}}
    via        TEXT NOT NULL DEFAULT 'auto',   -- auto | accept | pin | override
    linked_at  TEXT NOT NULL,                  -- when the pass that produced it ran
    PRIMARY KEY (kind, left_ref, right_ref)
) WITHOUT ROWID;
