-- syncd state, schema 1: bookmarks, the mirror, the action ledger, findings, digests, runs.
-- Times are ISO-8601 UTC text with microseconds ("2026-01-02T03:04:05.000000+00:00"),
-- so text order is time order. JSON columns hold stdlib-json text.

CREATE TABLE bookmarks (
    source          TEXT PRIMARY KEY,
    value           TEXT NOT NULL,             -- opaque JSON: an ISO time, a cursor, an id
    read_started_at TEXT,                      -- when the read that produced `value` began
    updated_at      TEXT NOT NULL
);

CREATE TABLE records (
    source          TEXT NOT NULL,
    key             TEXT NOT NULL,
    updated_at      TEXT,                      -- the vendor's own change time, if it has one
    fields          TEXT NOT NULL,             -- canonical JSON (sorted keys)
    content_hash    TEXT NOT NULL,             -- sha256 of `fields`: cheap "unchanged" test
    previous_fields TEXT,                      -- fields before the last change; NULL until one
    changed_keys    TEXT NOT NULL DEFAULT '[]',
    first_seen      TEXT NOT NULL,
    last_seen       TEXT NOT NULL,
    last_changed    TEXT NOT NULL,
    deleted_at      TEXT,                      -- NULL while the vendor still has the record
    PRIMARY KEY (source, key)
) WITHOUT ROWID;

CREATE INDEX records_changed ON records (source, last_changed);

CREATE TABLE ledger (
    idempotency_key TEXT PRIMARY KEY,
    rule_id         TEXT NOT NULL,
    action          TEXT NOT NULL,
    source          TEXT NOT NULL,
    record_key      TEXT NOT NULL,
    intent          TEXT NOT NULL,             -- JSON: what the action meant to write
    status          TEXT NOT NULL CHECK (status IN ('intended', 'done', 'failed', 'skipped')),
    external_id     TEXT,                      -- the vendor's id of what was written
    detail          TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE INDEX ledger_subject ON ledger (rule_id, action, source, record_key, status);
-- Partial index: a restart asks for the few unfinished intents, never scans history.
CREATE INDEX ledger_pending ON ledger (created_at) WHERE status = 'intended';

CREATE TABLE findings (
    id               INTEGER PRIMARY KEY,
    fingerprint      TEXT NOT NULL UNIQUE,     -- rule + subject
    rule_id          TEXT NOT NULL,
    subject          TEXT NOT NULL,            -- e.g. "connectwise.tickets:4711"
    severity         TEXT NOT NULL,
    summary          TEXT NOT NULL,
    labels           TEXT NOT NULL DEFAULT '{}',
    annotations      TEXT NOT NULL DEFAULT '{}',
    status           TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    first_seen       TEXT NOT NULL,
    last_seen        TEXT NOT NULL,
    resolved_at      TEXT,
    last_notified_at TEXT
);

CREATE INDEX findings_rule ON findings (rule_id, status);

CREATE TABLE digest_log (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL,
    receiver         TEXT NOT NULL,
    group_key        TEXT NOT NULL,
    fingerprint_hash TEXT NOT NULL,            -- hash of the sorted finding fingerprints sent
    sent_at          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 1,
    error            TEXT
);

CREATE INDEX digest_log_group ON digest_log (name, receiver, group_key, sent_at);

CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    job         TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'interrupted')),
    error       TEXT,
    stats       TEXT                           -- JSON
);

CREATE INDEX runs_job ON runs (job, started_at);
CREATE INDEX runs_running ON runs (status) WHERE status = 'running';
