-- Mailroom store, version 16: how each fetched mail was routed, by its content key (docs/adr/030), so that a mail
-- offered again after a crash gets the same decision and its auto-reply is not counted twice. reply_taken is 1 once
-- the auto-reply was counted. Rows older than two days are deleted on write. Times are epoch milliseconds on the
-- database's clock.
CREATE TABLE mailroom_inbound_routed (
    account_id              VARCHAR(200)    NOT NULL,
    content_key             VARCHAR(200)    NOT NULL,
    ticket                  VARCHAR(200)    NOT NULL,
    decision                VARCHAR(100)    NOT NULL,
    reply_taken             INT             NOT NULL,
    routed_at               BIGINT          NOT NULL,
    PRIMARY KEY (account_id, content_key)
);
CREATE INDEX mailroom_inbound_routed_at ON mailroom_inbound_routed (routed_at);
