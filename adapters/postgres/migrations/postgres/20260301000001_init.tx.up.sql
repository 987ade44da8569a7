-- The cluster's state (DESIGN.md "State"). Ids are text: the master generates uuids, but a transport id chosen by
-- a slave (the peer id) need not be one, and a malformed id in a URL must read as "not found", not as an error.
-- Nothing references slaves: a slave's record is replaced when it registers again, and what it owned is cleaned
-- explicitly by the master.
CREATE TABLE slaves (
    id              text PRIMARY KEY,
    role            text NOT NULL CHECK (role IN ('producer', 'consumer')),
    api_url         text NOT NULL,
    max_transports  integer NOT NULL CHECK (max_transports > 0),
    transport_count integer NOT NULL DEFAULT 0 CHECK (transport_count >= 0),
    status          text NOT NULL CHECK (status IN ('alive', 'dead')),
    load            jsonb NOT NULL DEFAULT '{}',
    last_seen_at    timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    CONSTRAINT slaves_api_url_key UNIQUE (api_url)
);
CREATE INDEX slaves_role_status_idx ON slaves (role, status);

CREATE TABLE rooms (
    id         text PRIMARY KEY,
    slave_id   text NOT NULL,
    router_id  text NOT NULL,
    metadata   jsonb NOT NULL DEFAULT '{}',
    rtp_capabilities jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL
);
CREATE INDEX rooms_created_at_idx ON rooms (created_at, id);

CREATE TABLE routers (
    id         text PRIMARY KEY,
    room_id    text NOT NULL,
    slave_id   text NOT NULL,
    role       text NOT NULL CHECK (role IN ('producer', 'consumer')),
    rtp_capabilities jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    CONSTRAINT routers_room_id_fkey FOREIGN KEY (room_id) REFERENCES rooms (id) ON DELETE CASCADE,
    CONSTRAINT routers_room_id_slave_id_key UNIQUE (room_id, slave_id)
);
CREATE INDEX routers_slave_id_idx ON routers (slave_id);

CREATE TABLE peers (
    id         text PRIMARY KEY,
    room_id    text NOT NULL,
    router_id  text NOT NULL,
    slave_id   text NOT NULL,
    user_id    text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('producer', 'consumer')),
    created_at timestamptz NOT NULL,
    CONSTRAINT peers_room_id_fkey FOREIGN KEY (room_id) REFERENCES rooms (id) ON DELETE CASCADE,
    CONSTRAINT peers_router_id_fkey FOREIGN KEY (router_id) REFERENCES routers (id) ON DELETE CASCADE
);
CREATE INDEX peers_room_id_idx ON peers (room_id);
CREATE INDEX peers_user_id_idx ON peers (user_id);
CREATE INDEX peers_router_id_idx ON peers (router_id);
CREATE INDEX peers_slave_id_idx ON peers (slave_id);

CREATE TABLE producers (
    id             text PRIMARY KEY,
    peer_id        text NOT NULL,
    room_id        text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('audio', 'video')),
    rtp_parameters jsonb NOT NULL,
    paused         boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL,
    CONSTRAINT producers_peer_id_fkey FOREIGN KEY (peer_id) REFERENCES peers (id) ON DELETE CASCADE
);
CREATE INDEX producers_room_id_idx ON producers (room_id);
CREATE INDEX producers_peer_id_idx ON producers (peer_id);

CREATE TABLE consumers (
    id          text PRIMARY KEY,
    peer_id     text NOT NULL,
    producer_id text NOT NULL,
    created_at  timestamptz NOT NULL,
    CONSTRAINT consumers_peer_id_fkey FOREIGN KEY (peer_id) REFERENCES peers (id) ON DELETE CASCADE,
    CONSTRAINT consumers_producer_id_fkey FOREIGN KEY (producer_id) REFERENCES producers (id) ON DELETE CASCADE
);
CREATE INDEX consumers_peer_id_idx ON consumers (peer_id);
CREATE INDEX consumers_producer_id_idx ON consumers (producer_id);

CREATE TABLE pipes (
    id                  text PRIMARY KEY,
    source_router_id    text NOT NULL,
    target_router_id    text NOT NULL,
    source_transport_id text NOT NULL DEFAULT '',
    target_transport_id text NOT NULL DEFAULT '',
    ready               boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL,
    CONSTRAINT pipes_source_router_id_fkey FOREIGN KEY (source_router_id) REFERENCES routers (id) ON DELETE CASCADE,
    CONSTRAINT pipes_target_router_id_fkey FOREIGN KEY (target_router_id) REFERENCES routers (id) ON DELETE CASCADE,
    CONSTRAINT pipes_source_router_id_target_router_id_key UNIQUE (source_router_id, target_router_id),
    CONSTRAINT pipes_two_routers CHECK (source_router_id <> target_router_id)
);
CREATE INDEX pipes_target_router_id_idx ON pipes (target_router_id);

CREATE TABLE piped_producers (
    pipe_id     text NOT NULL,
    producer_id text NOT NULL,
    created_at  timestamptz NOT NULL,
    CONSTRAINT piped_producers_pkey PRIMARY KEY (pipe_id, producer_id),
    CONSTRAINT piped_producers_pipe_id_fkey FOREIGN KEY (pipe_id) REFERENCES pipes (id) ON DELETE CASCADE,
    CONSTRAINT piped_producers_producer_id_fkey FOREIGN KEY (producer_id) REFERENCES producers (id) ON DELETE CASCADE
);
CREATE INDEX piped_producers_producer_id_idx ON piped_producers (producer_id);
