ALTER TABLE slaves DROP COLUMN suspect_since;
