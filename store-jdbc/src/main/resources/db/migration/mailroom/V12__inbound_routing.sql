-- Mailroom store, version 12: routing incoming mail into tickets (docs/adr/030).
-- mailroom_inbound_ticket_mail: the Message-ID of each mail that became or joined a ticket, and its sender (the
-- sender counts as a participant of the ticket). mailroom_inbound_bundle: normalized sender and subject -> ticket,
-- with the time it was last used (bundling). mailroom_inbound_auto_reply: auto-replies sent per account,
-- recipient and day; the row with account_id '' counts every account (the hard cap per recipient).
-- Times are epoch milliseconds on the database's clock.
CREATE TABLE mailroom_inbound_ticket_mail (
    account_id              VARCHAR(200)    NOT NULL,
    message_id              VARCHAR(1000)   NOT NULL,
    ticket                  VARCHAR(200)    NOT NULL,
    sender                  VARCHAR(320)    NOT NULL,
    seen_at                 BIGINT          NOT NULL,
    PRIMARY KEY (account_id, message_id)
);
CREATE INDEX mailroom_inbound_ticket_mail_ticket ON mailroom_inbound_ticket_mail (account_id, ticket, sender);

CREATE TABLE mailroom_inbound_bundle (
    account_id              VARCHAR(200)    NOT NULL,
    bundle_key              VARCHAR(1200)   NOT NULL,
    ticket                  VARCHAR(200)    NOT NULL,
    used_at                 BIGINT          NOT NULL,
    PRIMARY KEY (account_id, bundle_key)
);

CREATE TABLE mailroom_inbound_auto_reply (
    account_id              VARCHAR(200)    NOT NULL,
    recipient               VARCHAR(320)    NOT NULL,
    sent_day                VARCHAR(10)     NOT NULL,
    sent                    INT             NOT NULL,
    PRIMARY KEY (account_id, recipient, sent_day)
);
