-- Mailroom store, version 4: holding a failing account's queue (OutboxRepository#postpone and #resumeHeld).
-- held marks queued mail deferred because its account failed as a whole; a settings change releases it at once.
ALTER TABLE mailroom_outbox ADD COLUMN held BOOLEAN DEFAULT FALSE NOT NULL;
CREATE INDEX mailroom_outbox_account ON mailroom_outbox (account_id, status);
