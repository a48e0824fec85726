-- supportkit-sync schema, version 1 (SQLite).
-- Times are RFC 3339 text in UTC (`2026-11-29T10:00:00Z`): they sort as
-- text and julianday() reads them. `raw` is the provider's JSON as text
-- (json_extract() reads it).

CREATE TABLE tickets (
    provider          TEXT NOT NULL,
    account           TEXT NOT NULL,
    id                TEXT NOT NULL,
    number            INTEGER,
    subject           TEXT,
    description       TEXT,
    status            TEXT NOT NULL,
    status_original   TEXT NOT NULL,
    priority          TEXT,
    priority_original TEXT,
    requester_id      TEXT,
    requester_name    TEXT,
    requester_email   TEXT,
    assignee_id       TEXT,
    created_at        TEXT,
    updated_at        TEXT,
    raw               TEXT NOT NULL,
    synced_at         TEXT NOT NULL,
    listed_in         TEXT,
    deleted_at        TEXT,
    PRIMARY KEY (provider, account, id)
);
CREATE INDEX tickets_assignee ON tickets (provider, account, assignee_id, status);

CREATE TABLE ticket_replies (
    provider           TEXT NOT NULL,
    account            TEXT NOT NULL,
    id                 TEXT NOT NULL,
    ticket_id          TEXT NOT NULL,
    position           INTEGER,
    body               TEXT NOT NULL,
    public             INTEGER NOT NULL,
    direction          TEXT NOT NULL,
    direction_original TEXT NOT NULL,
    author_name        TEXT,
    created_at         TEXT,
    updated_at         TEXT,
    raw                TEXT NOT NULL,
    synced_at          TEXT NOT NULL,
    listed_in          TEXT,
    deleted_at         TEXT,
    PRIMARY KEY (provider, account, id)
);
CREATE INDEX ticket_replies_ticket ON ticket_replies (provider, account, ticket_id, position);

CREATE TABLE contacts (
    provider   TEXT NOT NULL,
    account    TEXT NOT NULL,
    id         TEXT NOT NULL,
    name       TEXT,
    email      TEXT,
    phone      TEXT,
    tags       TEXT NOT NULL,
    created_at TEXT,
    updated_at TEXT,
    raw        TEXT NOT NULL,
    synced_at  TEXT NOT NULL,
    listed_in  TEXT,
    deleted_at TEXT,
    PRIMARY KEY (provider, account, id)
);

CREATE TABLE conversations (
    provider        TEXT NOT NULL,
    account         TEXT NOT NULL,
    id              TEXT NOT NULL,
    number          INTEGER,
    contact_id      TEXT,
    status          TEXT NOT NULL,
    status_original TEXT NOT NULL,
    assignee_id     TEXT,
    created_at      TEXT,
    updated_at      TEXT,
    raw             TEXT NOT NULL,
    synced_at       TEXT NOT NULL,
    listed_in       TEXT,
    deleted_at      TEXT,
    PRIMARY KEY (provider, account, id)
);

CREATE TABLE messages (
    provider           TEXT NOT NULL,
    account            TEXT NOT NULL,
    id                 TEXT NOT NULL,
    conversation_id    TEXT NOT NULL,
    position           INTEGER,
    direction          TEXT NOT NULL,
    direction_original TEXT NOT NULL,
    text               TEXT,
    sender_name        TEXT,
    created_at         TEXT,
    updated_at         TEXT,
    raw                TEXT NOT NULL,
    synced_at          TEXT NOT NULL,
    listed_in          TEXT,
    deleted_at         TEXT,
    PRIMARY KEY (provider, account, id)
);
CREATE INDEX messages_conversation ON messages (provider, account, conversation_id, position);

CREATE TABLE agents (
    provider   TEXT NOT NULL,
    account    TEXT NOT NULL,
    id         TEXT NOT NULL,
    name       TEXT,
    email      TEXT,
    updated_at TEXT,
    raw        TEXT NOT NULL,
    synced_at  TEXT NOT NULL,
    listed_in  TEXT,
    deleted_at TEXT,
    PRIMARY KEY (provider, account, id)
);

CREATE TABLE events (
    account     TEXT NOT NULL,
    key         TEXT NOT NULL,
    provider    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    resource    TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    source      TEXT NOT NULL,
    raw         TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (account, key)
);
CREATE INDEX events_resource ON events (provider, account, resource, resource_id, occurred_at);

CREATE TABLE sync_state (
    provider   TEXT NOT NULL,
    account    TEXT NOT NULL,
    resource   TEXT NOT NULL,
    parent_id  TEXT NOT NULL DEFAULT '',
    cursor     TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (provider, account, resource, parent_id)
);

CREATE TABLE sync_locks (
    provider    TEXT NOT NULL,
    account     TEXT NOT NULL,
    resource    TEXT NOT NULL,
    owner       TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    host        TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    PRIMARY KEY (provider, account, resource)
);
