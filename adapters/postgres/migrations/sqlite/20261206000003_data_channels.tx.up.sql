-- Data channels (mediasoup's DataProducer / DataConsumer). A data producer belongs to a peer; a data consumer to
-- a peer and a data producer; both go with their peer, and data consumers with their data producer. A peer
-- records whether its transport runs SCTP, so data calls on one that does not are refused before any slave call.
ALTER TABLE peers ADD COLUMN sctp INTEGER NOT NULL DEFAULT 0;

CREATE TABLE data_producers (
    id                     TEXT PRIMARY KEY,
    peer_id                TEXT NOT NULL,
    room_id                TEXT NOT NULL,
    sctp_stream_parameters TEXT NOT NULL,
    label                  TEXT NOT NULL DEFAULT '',
    protocol               TEXT NOT NULL DEFAULT '',
    app_data               TEXT NOT NULL DEFAULT '{}',
    created_at             TIMESTAMP NOT NULL,
    CONSTRAINT data_producers_peer_id_fkey FOREIGN KEY (peer_id) REFERENCES peers (id) ON DELETE CASCADE
);
CREATE INDEX data_producers_room_id_idx ON data_producers (room_id);
CREATE INDEX data_producers_peer_id_idx ON data_producers (peer_id);

CREATE TABLE data_consumers (
    id               TEXT PRIMARY KEY,
    peer_id          TEXT NOT NULL,
    data_producer_id TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    CONSTRAINT data_consumers_peer_id_fkey FOREIGN KEY (peer_id) REFERENCES peers (id) ON DELETE CASCADE,
    CONSTRAINT data_consumers_data_producer_id_fkey FOREIGN KEY (data_producer_id) REFERENCES data_producers (id) ON DELETE CASCADE
);
CREATE INDEX data_consumers_peer_id_idx ON data_consumers (peer_id);
CREATE INDEX data_consumers_data_producer_id_idx ON data_consumers (data_producer_id);
