ALTER TABLE rooms DROP COLUMN owner_id;
