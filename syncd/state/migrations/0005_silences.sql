-- syncd state, schema 5: silences for digests (`syncd silence add|list|expire`).
-- A silence mutes findings whose labels satisfy every matcher while starts_at <= now < ends_at;
-- expiring one sets ends_at to now, so the history of who muted what stays readable.

CREATE TABLE silences (
    id         INTEGER PRIMARY KEY,
    matchers   TEXT NOT NULL,                  -- JSON list of "name=value" / "name=~regex" strings
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    author     TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE INDEX silences_active ON silences (ends_at, starts_at);
