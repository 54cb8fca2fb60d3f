-- Mailroom store, version 7: an entry's age for the maximum age, on the database clock (issue #10, ADR 008).
-- Time held for an account problem (an administrator must fix something) does not count: held_since is when
-- such a hold began (NULL when not held so), held_ms the time held so far, added up when the entry is claimed
-- or released again. Holds for an unreachable or busy server leave held_since NULL: their time counts.
-- An entry's age is then now - created_at - held_ms - (now - held_since, if held).
ALTER TABLE mailroom_outbox ADD COLUMN held_ms BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE mailroom_outbox ADD COLUMN held_since BIGINT;
