-- SQLite twin of migrations/postgres/20261206000005_slave_slots: a slave's transport slots in up to 16 shards whose
-- capacities add up to max_transports (SQLite has one writer at a time, so its reservations never contend; the
-- table is the same so that one code path serves both).
CREATE TABLE slave_slots (
    slave_id TEXT NOT NULL,
    shard    INTEGER NOT NULL CHECK (shard >= 0),
    capacity INTEGER NOT NULL CHECK (capacity >= 0),
    used     INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
    PRIMARY KEY (slave_id, shard),
    CONSTRAINT slave_slots_slave_id_fkey FOREIGN KEY (slave_id) REFERENCES slaves (id) ON DELETE CASCADE
);

WITH RECURSIVE shards(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM shards WHERE k < 15),
split AS (
    SELECT s.id, k, s.transport_count AS count, min(16, s.max_transports) AS n,
           s.max_transports / min(16, s.max_transports) AS base, s.max_transports % min(16, s.max_transports) AS rem
    FROM slaves s CROSS JOIN shards
)
INSERT INTO slave_slots (slave_id, shard, capacity, used)
SELECT id, k, base + CASE WHEN k < rem THEN 1 ELSE 0 END,
       CASE WHEN k = n - 1 THEN max(0, count - (k * base + min(k, rem)))
            ELSE max(0, min(base + CASE WHEN k < rem THEN 1 ELSE 0 END, count - (k * base + min(k, rem)))) END
FROM split WHERE k < n;

ALTER TABLE slaves DROP COLUMN transport_count;
