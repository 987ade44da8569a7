-- Room events, kept for a bounded time (EVENT_RETENTION); see the PostgreSQL migration. A SQLite store serves one
-- master, whose in-process bus keeps its own events; the table keeps both schemas alike.
CREATE TABLE room_events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    channel    TEXT NOT NULL,
    room_id    TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX room_events_room_id_seq_idx ON room_events (channel, room_id, seq);
CREATE INDEX room_events_created_at_idx ON room_events (created_at);
