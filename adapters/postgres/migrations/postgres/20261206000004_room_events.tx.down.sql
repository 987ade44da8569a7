DROP TABLE room_events;
