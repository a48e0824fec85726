-- supportkit-sync schema, version 1 (PostgreSQL).
-- Times are timestamptz; `raw` and `tags` are jsonb.

CREATE TABLE tickets (
    provider          TEXT NOT NULL,
    account           TEXT NOT NULL,
    id                TEXT NOT NULL,
    number            BIGINT,
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
    created_at        TIMESTAMPTZ,
    updated_at        TIMESTAMPTZ,
    raw               JSONB NOT NULL,
    synced_at         TIMESTAMPTZ NOT NULL,
    listed_in         TEXT,
    deleted_at        TIMESTAMPTZ,
    PRIMARY KEY (provider, account, id)
);
CREATE INDEX tickets_assignee ON tickets (provider, account, assignee_id, status);

CREATE TABLE ticket_replies (
    provider           TEXT NOT NULL,
    account            TEXT NOT NULL,
    id                 TEXT NOT NULL,
    ticket_id          TEXT NOT NULL,
    position           BIGINT,
    body               TEXT NOT NULL,
    public             BOOLEAN NOT NULL,
    direction          TEXT NOT NULL,
    direction_original TEXT NOT NULL,
    author_name        TEXT,
    created_at         TIMESTAMPTZ,
    updated_at         TIMESTAMPTZ,
    raw                JSONB NOT NULL,
    synced_at          TIMESTAMPTZ NOT NULL,
    listed_in          TEXT,
    deleted_at         TIMESTAMPTZ,
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
    tags       JSONB NOT NULL,
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    raw        JSONB NOT NULL,
    synced_at  TIMESTAMPTZ NOT NULL,
    listed_in  TEXT,
    deleted_at TIMESTAMPTZ,
    PRIMARY KEY (provider, account, id)
);

CREATE TABLE conversations (
    provider        TEXT NOT NULL,
    account         TEXT NOT NULL,
    id              TEXT NOT NULL,
    number          BIGINT,
    contact_id      TEXT,
    status          TEXT NOT NULL,
    status_original TEXT NOT NULL,
    assignee_id     TEXT,
    created_at      TIMESTAMPTZ,
    updated_at      TIMESTAMPTZ,
    raw             JSONB NOT NULL,
    synced_at       TIMESTAMPTZ NOT NULL,
    listed_in       TEXT,
    deleted_at      TIMESTAMPTZ,
    PRIMARY KEY (provider, account, id)
);

CREATE TABLE messages (
    provider           TEXT NOT NULL,
    account            TEXT NOT NULL,
    id                 TEXT NOT NULL,
    conversation_id    TEXT NOT NULL,
    position           BIGINT,
    direction          TEXT NOT NULL,
    direction_original TEXT NOT NULL,
    text               TEXT,
    sender_name        TEXT,
    created_at         TIMESTAMPTZ,
    updated_at         TIMESTAMPTZ,
    raw                JSONB NOT NULL,
    synced_at          TIMESTAMPTZ NOT NULL,
    listed_in          TEXT,
    deleted_at         TIMESTAMPTZ,
    PRIMARY KEY (provider, account, id)
);
CREATE INDEX messages_conversation ON messages (provider, account, conversation_id, position);

CREATE TABLE agents (
    provider   TEXT NOT NULL,
    account    TEXT NOT NULL,
    id         TEXT NOT NULL,
    name       TEXT,
    email      TEXT,
    updated_at TIMESTAMPTZ,
    raw        JSONB NOT NULL,
    synced_at  TIMESTAMPTZ NOT NULL,
    listed_in  TEXT,
    deleted_at TIMESTAMPTZ,
    PRIMARY KEY (provider, account, id)
);

CREATE TABLE events (
    account     TEXT NOT NULL,
    key         TEXT NOT NULL,
    provider    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    resource    TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    source      TEXT NOT NULL,
    raw         JSONB NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account, key)
);
CREATE INDEX events_resource ON events (provider, account, resource, resource_id, occurred_at);

CREATE TABLE sync_state (
    provider   TEXT NOT NULL,
    account    TEXT NOT NULL,
    resource   TEXT NOT NULL,
    parent_id  TEXT NOT NULL DEFAULT '',
    cursor     JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, account, resource, parent_id)
);
