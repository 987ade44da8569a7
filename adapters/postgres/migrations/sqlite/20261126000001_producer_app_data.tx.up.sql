-- A producer's appData (mediasoup-client's), listed with it: a JSON object, {} when the client sent none.
ALTER TABLE producers ADD COLUMN app_data TEXT NOT NULL DEFAULT '{}';
