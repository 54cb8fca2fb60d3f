-- Mailroom store, version 8: large rendered messages are written before their entry (ADR 009).
-- A payload of more than one chunk is stored in mailroom_outbox_payload under a negative staging key, each
-- chunk committed on its own, so that no transaction holds a whole large message; the entry's row then
-- refers to it. NULL: the chunks are under the entry's id, as before.
ALTER TABLE mailroom_outbox ADD COLUMN payload_ref BIGINT;
CREATE INDEX mailroom_outbox_payload_ref ON mailroom_outbox (payload_ref);
