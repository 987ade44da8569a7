-- SQLite twin of migrations/postgres: same tables, keys and cascades. Types differ: json is TEXT, booleans are
-- INTEGER, and TIMESTAMP columns hold bun's UTC text ('2006-01-02 15:04:05.999999+00:00'), which sorts and compares
-- in time order. Foreign keys need PRAGMA foreign_keys=ON, which Open sets on every connection.
CREATE TABLE slaves (
    id              TEXT PRIMARY KEY,
    role            TEXT NOT NULL CHECK (role IN ('producer', 'consumer')),
    api_url         TEXT NOT NULL,
    max_transports  INTEGER NOT NULL CHECK (max_transports > 0),
    transport_count INTEGER NOT NULL DEFAULT 0 CHECK (transport_count >= 0),
    status          TEXT NOT NULL CHECK (status IN ('alive', 'dead')),
    load            TEXT NOT NULL DEFAULT '{}',
    last_seen_at    TIMESTAMP NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    CONSTRAINT slaves_api_url_key UNIQUE (api_url)
);
CREATE INDEX slaves_role_status_idx ON slaves (role, status);

CREATE TABLE rooms (
    id         TEXT PRIMARY KEY,
    slave_id   TEXT NOT NULL,
    router_id  TEXT NOT NULL,
    metadata   TEXT NOT NULL DEFAULT '{}',
    rtp_capabilities TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX rooms_created_at_idx ON rooms (created_at, id);

CREATE TABLE routers (
    id         TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL,
    slave_id   TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('producer', 'consumer')),
    rtp_capabilities TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT routers_room_id_fkey FOREIGN KEY (room_id) REFERENCES rooms (id) ON DELETE CASCADE,
    CONSTRAINT routers_room_id_slave_id_key UNIQUE (room_id, slave_id)
);
CREATE INDEX routers_slave_id_idx ON routers (slave_id);

CREATE TABLE peers (
    id         TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL,
    router_id  TEXT NOT NULL,
    slave_id   TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('producer', 'consumer')),
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT peers_room_id_fkey FOREIGN KEY (room_id) REFERENCES rooms (id) ON DELETE CASCADE,
    CONSTRAINT peers_router_id_fkey FOREIGN KEY (router_id) REFERENCES routers (id) ON DELETE CASCADE
);
CREATE INDEX peers_room_id_idx ON peers (room_id);
CREATE INDEX peers_user_id_idx ON peers (user_id);
CREATE INDEX peers_router_id_idx ON peers (router_id);
CREATE INDEX peers_slave_id_idx ON peers (slave_id);

CREATE TABLE producers (
    id             TEXT PRIMARY KEY,
    peer_id        TEXT NOT NULL,
    room_id        TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('audio', 'video')),
    rtp_parameters TEXT NOT NULL,
    paused         INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMP NOT NULL,
    CONSTRAINT producers_peer_id_fkey FOREIGN KEY (peer_id) REFERENCES peers (id) ON DELETE CASCADE
);
CREATE INDEX producers_room_id_idx ON producers (room_id);
CREATE INDEX producers_peer_id_idx ON producers (peer_id);

CREATE TABLE consumers (
    id          TEXT PRIMARY KEY,
    peer_id     TEXT NOT NULL,
    producer_id TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    CONSTRAINT consumers_peer_id_fkey FOREIGN KEY (peer_id) REFERENCES peers (id) ON DELETE CASCADE,
    CONSTRAINT consumers_producer_id_fkey FOREIGN KEY (producer_id) REFERENCES producers (id) ON DELETE CASCADE
);
CREATE INDEX consumers_peer_id_idx ON consumers (peer_id);
CREATE INDEX consumers_producer_id_idx ON consumers (producer_id);

CREATE TABLE pipes (
    id                  TEXT PRIMARY KEY,
    source_router_id    TEXT NOT NULL,
    target_router_id    TEXT NOT NULL,
    source_transport_id TEXT NOT NULL DEFAULT '',
    target_transport_id TEXT NOT NULL DEFAULT '',
    ready               INTEGER NOT NULL DEFAULT 0,
    created_at          TIMESTAMP NOT NULL,
    CONSTRAINT pipes_source_router_id_fkey FOREIGN KEY (source_router_id) REFERENCES routers (id) ON DELETE CASCADE,
    CONSTRAINT pipes_target_router_id_fkey FOREIGN KEY (target_router_id) REFERENCES routers (id) ON DELETE CASCADE,
    CONSTRAINT pipes_source_router_id_target_router_id_key UNIQUE (source_router_id, target_router_id),
    CONSTRAINT pipes_two_routers CHECK (source_router_id <> target_router_id)
);
CREATE INDEX pipes_target_router_id_idx ON pipes (target_router_id);

CREATE TABLE piped_producers (
    pipe_id     TEXT NOT NULL,
    producer_id TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    CONSTRAINT piped_producers_pkey PRIMARY KEY (pipe_id, producer_id),
    CONSTRAINT piped_producers_pipe_id_fkey FOREIGN KEY (pipe_id) REFERENCES pipes (id) ON DELETE CASCADE,
    CONSTRAINT piped_producers_producer_id_fkey FOREIGN KEY (producer_id) REFERENCES producers (id) ON DELETE CASCADE
);
CREATE INDEX piped_producers_producer_id_idx ON piped_producers (producer_id);
