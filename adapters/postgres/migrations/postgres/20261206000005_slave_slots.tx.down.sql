ALTER TABLE slaves ADD COLUMN transport_count integer NOT NULL DEFAULT 0 CHECK (transport_count >= 0);
UPDATE slaves SET transport_count = (SELECT coalesce(sum(used), 0) FROM slave_slots WHERE slave_id = slaves.id);
DROP TABLE slave_slots;
