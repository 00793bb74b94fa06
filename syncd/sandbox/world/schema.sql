-- The sandbox world: one SQLite file holding what every simulated vendor knows, in neutral
-- columns. The generator writes it; each simulator maps rows to its vendor's JSON and writes
-- syncd's writes (notes, links, tickets, articles, processes) back into it, so a later read
-- shows them. Times are UTC ISO-8601 strings ('2026-11-03T14:05:00Z'). Ids are each vendor's
-- own id space. `truth_*` columns and the `truth` table are ground truth for scoring syncd;
-- no simulator ever serves them.

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- keys: seed, size, generated_at, world_now (the clock's starting instant), schema_version

-- A client company as each tool knows it. The same real company appears once here with the
-- id and name each system uses (names can differ: "Acme Corp" / "ACME Corporation, Inc.").
-- A NULL vendor id means the company does not exist in that tool.
CREATE TABLE companies (
    world_id        INTEGER PRIMARY KEY,
    tier            TEXT NOT NULL,              -- gold | silver | bronze
    cw_id           INTEGER UNIQUE,             -- ConnectWise company id
    cw_identifier   TEXT,                       -- ConnectWise short identifier ("AcmeCorp")
    cw_name         TEXT,
    cw_deleted      INTEGER NOT NULL DEFAULT 0,
    ninja_id        INTEGER UNIQUE,             -- NinjaOne organization id
    ninja_name      TEXT,
    hudu_id         INTEGER UNIQUE,             -- Hudu company id
    hudu_name       TEXT,
    hudu_psa_sync_id TEXT,                      -- Hudu integrations[].sync_id = CW company id, or NULL when unlinked
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE contacts (                          -- ConnectWise contacts
    id              INTEGER PRIMARY KEY,
    company_world_id INTEGER NOT NULL REFERENCES companies(world_id),
    first_name      TEXT NOT NULL,
    last_name       TEXT NOT NULL,
    email           TEXT,
    username        TEXT,                       -- Windows logon name ("jdoe"); matches RMM last user
    inactive        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deleted         INTEGER NOT NULL DEFAULT 0
);

-- A physical machine (ground truth only). PSA configurations, RMM devices and docs assets
-- point at it through truth_machine_id; a re-imaged machine has two RMM devices.
CREATE TABLE machines (
    id              INTEGER PRIMARY KEY,
    company_world_id INTEGER NOT NULL REFERENCES companies(world_id),
    hostname        TEXT NOT NULL,              -- current hostname
    serial          TEXT NOT NULL,              -- real serial (may be junk in the tools)
    kind            TEXT NOT NULL               -- workstation | server | laptop
);

CREATE TABLE cw_configurations (
    id              INTEGER PRIMARY KEY,
    company_world_id INTEGER NOT NULL REFERENCES companies(world_id),
    name            TEXT NOT NULL,
    type_name       TEXT NOT NULL,              -- "Managed Workstation", "Managed Server"
    status_name     TEXT NOT NULL,              -- "Active" | "Inactive"
    serial_number   TEXT,
    mac_address     TEXT,                       -- one MAC, "AA:BB:CC:DD:EE:FF" (sometimes a serial typed here)
    device_identifier TEXT,                     -- RMM device id as the CW RMM integration stores it, or NULL
    contact_id      INTEGER,
    last_login_name TEXT,
    os_type         TEXT,
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deleted         INTEGER NOT NULL DEFAULT 0,
    truth_machine_id INTEGER REFERENCES machines(id)
);

CREATE TABLE ninja_devices (
    id              INTEGER PRIMARY KEY,
    uid             TEXT NOT NULL,
    organization_id INTEGER NOT NULL,           -- companies.ninja_id
    location_id     INTEGER NOT NULL,
    node_class      TEXT NOT NULL,              -- WINDOWS_WORKSTATION | WINDOWS_SERVER | MAC
    system_name     TEXT NOT NULL,
    dns_name        TEXT,
    display_name    TEXT,
    serial_number   TEXT,
    bios_serial     TEXT,
    mac_addresses   TEXT NOT NULL,              -- JSON array of "aa:bb:cc:dd:ee:ff"
    ip_addresses    TEXT NOT NULL,              -- JSON array
    last_logged_in_user TEXT,                   -- "ACME\\jdoe"
    os_name         TEXT,
    manufacturer    TEXT,
    model           TEXT,
    offline         INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    last_contact    TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deleted         INTEGER NOT NULL DEFAULT 0,
    truth_machine_id INTEGER REFERENCES machines(id)
);

CREATE TABLE hudu_assets (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL,           -- companies.hudu_id
    asset_layout_id INTEGER NOT NULL,
    asset_type      TEXT NOT NULL,              -- "Computer"
    name            TEXT NOT NULL,
    primary_serial  TEXT,
    primary_model   TEXT,
    primary_manufacturer TEXT,
    fields          TEXT NOT NULL DEFAULT '[]', -- JSON [{label, value}]
    cards           TEXT NOT NULL DEFAULT '[]', -- JSON integrator cards (PSA/RMM ids)
    archived        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    truth_machine_id INTEGER REFERENCES machines(id)
);

CREATE TABLE patch_installs (                     -- NinjaOne OS and software patch installs
    id              INTEGER PRIMARY KEY,
    device_id       INTEGER NOT NULL REFERENCES ninja_devices(id),
    kind            TEXT NOT NULL,              -- OS | SOFTWARE
    name            TEXT NOT NULL,              -- "2026-11 Cumulative Update for Windows 11 (KB5044284)" / product title
    kb_number       TEXT,                       -- OS only
    product_identifier TEXT,                    -- SOFTWARE only
    severity        TEXT,                       -- OS: CRITICAL | IMPORTANT | MODERATE | LOW | OPTIONAL
    impact          TEXT,                       -- SOFTWARE: CRITICAL | RECOMMENDED | OPTIONAL
    patch_type      TEXT NOT NULL,              -- OS: SECURITY_UPDATES | UPDATE_ROLLUPS | ...; SOFTWARE: PATCH | INSTALLER
    status          TEXT NOT NULL,              -- INSTALLED | FAILED
    installed_at    TEXT NOT NULL,
    timestamp       TEXT NOT NULL               -- when the row was reported
);
CREATE INDEX patch_installs_time ON patch_installs(installed_at);
CREATE INDEX patch_installs_device ON patch_installs(device_id, installed_at);

CREATE TABLE alerts (                             -- NinjaOne active alerts
    uid             TEXT PRIMARY KEY,
    device_id       INTEGER NOT NULL REFERENCES ninja_devices(id),
    source_type     TEXT NOT NULL,              -- AGENT_OFFLINE | CONDITION_AGENT_CPU | ...
    severity        TEXT NOT NULL,              -- CRITICAL | MAJOR | MODERATE | MINOR | NONE
    subject         TEXT,
    message         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    resolved        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE boards (id INTEGER PRIMARY KEY, name TEXT NOT NULL, inactive INTEGER NOT NULL DEFAULT 0,
                     updated_at TEXT NOT NULL);
CREATE TABLE statuses (
    id              INTEGER PRIMARY KEY,
    board_id        INTEGER NOT NULL REFERENCES boards(id),
    name            TEXT NOT NULL,              -- "New", "In Progress", "Waiting Customer", "Completed", "Closed", ...
    sort_order      INTEGER NOT NULL,
    closed          INTEGER NOT NULL DEFAULT 0, -- CW BoardStatus.closedStatus
    escalation_status TEXT NOT NULL,            -- NotResponded | Responded | ResolutionPlan | Resolved | NoEscalation
    time_entry_not_allowed INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);
CREATE TABLE priorities (id INTEGER PRIMARY KEY, name TEXT NOT NULL, sort_order INTEGER NOT NULL,
                         level TEXT NOT NULL, color TEXT NOT NULL, updated_at TEXT NOT NULL);
                         -- names "Priority 1 - Critical" .. "Priority 4 - Low"; level "Priority1".."Priority4"
CREATE TABLE members (id INTEGER PRIMARY KEY, identifier TEXT NOT NULL, name TEXT NOT NULL);

CREATE TABLE tickets (                            -- ConnectWise service tickets
    id              INTEGER PRIMARY KEY,
    company_world_id INTEGER NOT NULL REFERENCES companies(world_id),
    contact_id      INTEGER REFERENCES contacts(id),
    summary         TEXT NOT NULL,              -- at most 100 characters
    description     TEXT NOT NULL,              -- initial description (served as the first detail note)
    board_id        INTEGER NOT NULL REFERENCES boards(id),
    status_id       INTEGER NOT NULL REFERENCES statuses(id),
    priority_id     INTEGER NOT NULL REFERENCES priorities(id),
    type_name       TEXT,
    subtype_name    TEXT,
    item_name       TEXT,
    source_name     TEXT,                       -- Phone | Email | Portal | Monitoring
    owner_id        INTEGER REFERENCES members(id),
    parent_ticket_id INTEGER,
    resolution_code TEXT,                       -- served as a ticket custom field "Resolution Code"
    closed          INTEGER NOT NULL DEFAULT 0,
    closed_at       TEXT,
    closed_by       TEXT,
    responded_at    TEXT,
    resolved_at     TEXT,
    respond_minutes INTEGER,                    -- CW SLA targets (respondMinutes / resolveMinutes)
    resolve_minutes INTEGER,
    created_at      TEXT NOT NULL,              -- _info.dateEntered
    updated_at      TEXT NOT NULL,              -- _info.lastUpdated
    entered_by      TEXT NOT NULL DEFAULT 'syncd-sandbox',
    deleted         INTEGER NOT NULL DEFAULT 0,
    truth_machine_id INTEGER REFERENCES machines(id)   -- the machine the ticket is really about, or NULL
);
CREATE INDEX tickets_updated ON tickets(updated_at);

CREATE TABLE ticket_configurations (              -- CW ticket <-> configuration links
    ticket_id       INTEGER NOT NULL REFERENCES tickets(id),
    configuration_id INTEGER NOT NULL REFERENCES cw_configurations(id),
    created_at      TEXT NOT NULL,
    PRIMARY KEY (ticket_id, configuration_id)
);

CREATE TABLE notes (                              -- CW ticket notes (ServiceNote)
    id              INTEGER PRIMARY KEY,
    ticket_id       INTEGER NOT NULL REFERENCES tickets(id),
    text            TEXT NOT NULL,
    detail          INTEGER NOT NULL DEFAULT 0, -- detailDescriptionFlag (customer-facing discussion)
    internal        INTEGER NOT NULL DEFAULT 0, -- internalAnalysisFlag
    resolution      INTEGER NOT NULL DEFAULT 0, -- resolutionFlag
    member_id       INTEGER REFERENCES members(id),
    contact_id      INTEGER REFERENCES contacts(id),
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX notes_ticket ON notes(ticket_id);

CREATE TABLE time_entries (                       -- CW time entries charged to service tickets
    id              INTEGER PRIMARY KEY,
    ticket_id       INTEGER NOT NULL REFERENCES tickets(id),
    member_id       INTEGER NOT NULL REFERENCES members(id),
    time_start      TEXT NOT NULL,
    time_end        TEXT,
    actual_hours    REAL NOT NULL,
    billable_option TEXT NOT NULL,              -- Billable | DoNotBill | NoCharge | NoDefault
    notes           TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deleted         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX time_entries_updated ON time_entries(updated_at);

-- Owner history lets the generator plant "handed to another owner with no handoff note".
CREATE TABLE ticket_events (
    id              INTEGER PRIMARY KEY,
    ticket_id       INTEGER NOT NULL REFERENCES tickets(id),
    at              TEXT NOT NULL,
    kind            TEXT NOT NULL,              -- reopened | owner_changed | status_changed
    detail          TEXT NOT NULL DEFAULT '{}'  -- JSON
);

CREATE TABLE articles (                           -- Hudu KB articles
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER,                    -- companies.hudu_id; NULL = global KB
    folder_id       INTEGER,
    name            TEXT NOT NULL,
    content         TEXT NOT NULL,              -- HTML
    draft           INTEGER NOT NULL DEFAULT 0,
    enable_sharing  INTEGER NOT NULL DEFAULT 0,
    slug            TEXT NOT NULL,
    archived        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE procedures (                         -- Hudu processes (templates) and runs
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    description     TEXT,
    company_id      INTEGER,
    run             INTEGER NOT NULL DEFAULT 0,
    parent_process_id INTEGER,
    status          TEXT NOT NULL DEFAULT 'Not Started',
    archived        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE TABLE procedure_tasks (
    id              INTEGER PRIMARY KEY,
    procedure_id    INTEGER NOT NULL REFERENCES procedures(id),
    name            TEXT NOT NULL,
    description     TEXT,
    position        INTEGER NOT NULL DEFAULT 0,
    completed       INTEGER NOT NULL DEFAULT 0,
    due_date        TEXT,
    priority        TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- Ground truth for scoring: one row per planted fact.
-- kind examples: junk_serial (subject=cw_configurations:12), duplicate_serial, reimaged (subject
-- ninja_devices:55, value {"previous": 54}), renamed, missing_from_psa, company_name_differs,
-- hostname_in_text (tickets:9, value {"hostname": "ACME-WS-014"}), inactive_contact_ticket,
-- closed_no_time, closed_no_resolution_code, vague_resolution, reopened, recurring_symptom
-- (value {"company_world_id":3,"symptom":"outlook crashes","ticket_ids":[...]}),
-- ticket_after_patch (value {"device_id":..,"patch_id":..}), owner_change_no_handoff,
-- machine_link (subject machines:7, value {"cw": id|null, "ninja": [ids], "hudu": id|null}),
-- ticket_device (subject tickets:9, value {"machine_id": 7|null, "evidence": "config_link|hostname|contact|last_user|none"}).
CREATE TABLE truth (
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    value           TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX truth_kind ON truth(kind, subject);
