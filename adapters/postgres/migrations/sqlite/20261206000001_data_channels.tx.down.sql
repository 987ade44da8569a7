DROP TABLE data_consumers;
DROP TABLE data_producers;
