DROP TABLE piped_producers;
DROP TABLE pipes;
DROP TABLE consumers;
DROP TABLE producers;
DROP TABLE peers;
DROP TABLE routers;
DROP TABLE rooms;
DROP TABLE slaves;
