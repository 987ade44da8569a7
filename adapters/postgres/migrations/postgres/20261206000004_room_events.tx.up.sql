-- Room events, kept for a bounded time (EVENT_RETENTION) so that an event stream that reconnects with
-- Last-Event-ID, or a master whose listener lost its connection, gets what it missed. seq is the event's id on
-- the SSE stream; channel is the notification channel of the masters that share the events; payload is the
-- event's JSON without seq. The masters prune rows older than the retention.
CREATE TABLE room_events (
    seq        bigserial PRIMARY KEY,
    channel    text NOT NULL,
    room_id    text NOT NULL,
    payload    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX room_events_room_id_seq_idx ON room_events (channel, room_id, seq);
CREATE INDEX room_events_created_at_idx ON room_events (created_at);
