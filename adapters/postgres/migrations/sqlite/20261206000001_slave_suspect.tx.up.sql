-- When a call of the master's to the slave got no answer since its last heartbeat (NULL: none did). A suspect
-- slave gets no new router or transport.
ALTER TABLE slaves ADD COLUMN suspect_since TIMESTAMP;
