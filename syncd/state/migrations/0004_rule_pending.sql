-- syncd state, schema 4: since when a record has matched a rule that has `for:` (Prometheus's
-- "pending"). A rule pass replaces its rule's rows with the records matching now, keeping the
-- `since` of those that already matched, so a break in matching restarts the clock.

CREATE TABLE rule_pending (
    rule_id TEXT NOT NULL,
    subject TEXT NOT NULL,                     -- "connectwise.tickets:4711"
    since   TEXT NOT NULL,                     -- first pass of the current unbroken match
    PRIMARY KEY (rule_id, subject)
) WITHOUT ROWID;
