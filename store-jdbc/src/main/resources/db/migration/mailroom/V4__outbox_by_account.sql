-- Mailroom store, version 4: queued mail by account, so that a failing account's queue can be deferred at once
-- (OutboxRepository#postpone) without scanning the outbox.
CREATE INDEX mailroom_outbox_account ON mailroom_outbox (account_id, status);
