-- syncd state, schema 2: the identity review queue's decisions (`syncd matches`).
-- One row per candidate pair; a newer decision on the same pair replaces the older one.

CREATE TABLE match_decisions (
    kind       TEXT NOT NULL,                  -- what is being matched: "company", "device", ...
    left_ref   TEXT NOT NULL,                  -- e.g. "connectwise.configurations:812"
    right_ref  TEXT NOT NULL,                  -- e.g. "datto.devices:6f1c..."
    decision   TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'pin')),
    author     TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL,
    PRIMARY KEY (kind, left_ref, right_ref)
) WITHOUT ROWID;
