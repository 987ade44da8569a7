-- A slave's transport slots, sharded into up to 16 rows (slot_shards in capacity.go) whose capacities add up to
-- max_transports. A reservation takes one slot of a shard that has room and that no other reservation holds at
-- that moment (FOR UPDATE SKIP LOCKED), so the joins of one slave no longer queue on one row; each shard's
-- used <= capacity keeps the slave's total within max_transports. A slave's reserved count is the sum of used.
CREATE TABLE slave_slots (
    slave_id text NOT NULL,
    shard    integer NOT NULL CHECK (shard >= 0),
    capacity integer NOT NULL CHECK (capacity >= 0),
    used     integer NOT NULL DEFAULT 0 CHECK (used >= 0),
    PRIMARY KEY (slave_id, shard),
    CONSTRAINT slave_slots_slave_id_fkey FOREIGN KEY (slave_id) REFERENCES slaves (id) ON DELETE CASCADE
);

-- Existing slaves: n = least(16, max_transports) shards, the first max_transports % n one slot larger; their
-- reservations fill the shards in order (any excess over max_transports stays on the last shard).
WITH RECURSIVE shards(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM shards WHERE k < 15),
split AS (
    SELECT s.id, k, s.transport_count AS count, least(16, s.max_transports) AS n,
           s.max_transports / least(16, s.max_transports) AS base, s.max_transports % least(16, s.max_transports) AS rem
    FROM slaves s CROSS JOIN shards
)
INSERT INTO slave_slots (slave_id, shard, capacity, used)
SELECT id, k, base + CASE WHEN k < rem THEN 1 ELSE 0 END,
       CASE WHEN k = n - 1 THEN greatest(0, count - (k * base + least(k, rem)))
            ELSE greatest(0, least(base + CASE WHEN k < rem THEN 1 ELSE 0 END, count - (k * base + least(k, rem)))) END
FROM split WHERE k < n;

ALTER TABLE slaves DROP COLUMN transport_count;
