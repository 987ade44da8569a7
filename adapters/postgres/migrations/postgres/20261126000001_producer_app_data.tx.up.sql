-- A producer's appData (mediasoup-client's), listed with it: a JSON object, {} when the client sent none. Text,
-- not jsonb: it is stored and answered as the client sent it (compacted), never queried.
ALTER TABLE producers ADD COLUMN app_data text NOT NULL DEFAULT '{}';
