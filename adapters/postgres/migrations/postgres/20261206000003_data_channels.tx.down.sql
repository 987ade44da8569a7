DROP TABLE data_consumers;
DROP TABLE data_producers;
ALTER TABLE peers DROP COLUMN sctp;
