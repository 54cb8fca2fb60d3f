-- Mailroom store, version 13: the local archive of imported mail (docs/adr/031). The raw bytes of each message
-- the host stored, under the key where it sat on the server; deleted after the account's retention. Deleting
-- from the archive never touches the mail server. Times are epoch milliseconds on the database's clock.
CREATE TABLE mailroom_inbound_archive (
    account_id              VARCHAR(200)    NOT NULL,
    folder                  VARCHAR(1000)   NOT NULL,
    uid_validity            BIGINT          NOT NULL,
    server_id               VARCHAR(200)    NOT NULL,
    content_key             VARCHAR(100)    NOT NULL,
    archived_at             BIGINT          NOT NULL,
    raw                     BYTEA           NOT NULL,
    PRIMARY KEY (account_id, folder, uid_validity, server_id)
);
CREATE INDEX mailroom_inbound_archive_age ON mailroom_inbound_archive (account_id, archived_at);

-- A bounce finds the sent mail's entries in the delivery log by its Message-ID.
CREATE INDEX mailroom_delivery_log_message ON mailroom_delivery_log (message_id);
