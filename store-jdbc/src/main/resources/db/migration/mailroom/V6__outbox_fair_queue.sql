-- Mailroom store, version 6: accounts take turns in the outbox (fair queueing, issue #4); partly sent entries.
-- lane_at is an entry's place in the queue: a new entry is placed at max(head, tail of its account) + 1,
-- so one account's burst does not hold back another account's newer mail. Ready entries have status
-- QUEUED and are claimed in lane_at order; entries that wait for a retry or a hold have status WAITING
-- and become QUEUED again at the head when due_at passes. The outbox API still reports WAITING as QUEUED.
ALTER TABLE mailroom_outbox ADD COLUMN lane_at BIGINT DEFAULT 0 NOT NULL;
UPDATE mailroom_outbox SET lane_at = id;
UPDATE mailroom_outbox SET status = 'WAITING' WHERE status = 'QUEUED' AND due_at > CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT);
-- A finished (SENT or FAILED) row's due_at is now its finish time, so that purging old rows is one index range
-- (it was 9999-12-31); rows finished before V6 take their creation time.
UPDATE mailroom_outbox SET due_at = created_at WHERE status IN ('SENT', 'FAILED');

-- The tail of each account's lane: the place of its last entry.
CREATE TABLE mailroom_outbox_lane (
    account_id              VARCHAR(200)    NOT NULL PRIMARY KEY,
    tail                    BIGINT          NOT NULL
);
INSERT INTO mailroom_outbox_lane (account_id, tail) SELECT account_id, MAX(lane_at) FROM mailroom_outbox GROUP BY account_id;

-- A claim is one range of the ready index; promotion (WAITING or an expired lease, due) one range of the due index.
DROP INDEX mailroom_outbox_due;
CREATE INDEX mailroom_outbox_due ON mailroom_outbox (status, due_at);
CREATE INDEX mailroom_outbox_ready ON mailroom_outbox (status, lane_at);

-- Delivered to some recipients already (a 4xx recipient retried alone): the Sent-folder copy (B6) exists.
ALTER TABLE mailroom_outbox ADD COLUMN partly_sent BOOLEAN DEFAULT FALSE NOT NULL;
