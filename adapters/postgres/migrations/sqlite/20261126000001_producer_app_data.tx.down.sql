ALTER TABLE producers DROP COLUMN app_data;
