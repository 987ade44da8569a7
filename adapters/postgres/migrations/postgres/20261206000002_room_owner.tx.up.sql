-- The user who created the room when client tokens were on (NULL: created without a token). Only that user, or an
-- admin token, may delete it.
ALTER TABLE rooms ADD COLUMN owner_id text;
