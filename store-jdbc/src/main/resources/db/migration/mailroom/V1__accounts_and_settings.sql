-- Mailroom store, version 1: accounts (A1), settings (A4, B1, B2), signatures (B5), change stamp.
-- Portable between H2 2.x and PostgreSQL; secrets are sealed by a SecretCipher and stored as base64 text.
CREATE TABLE mailroom_account (
    id                      VARCHAR(200)    NOT NULL PRIMARY KEY,
    position                BIGINT          NOT NULL,
    description             VARCHAR(200)    NOT NULL,
    display_name            VARCHAR(200),
    email                   VARCHAR(254)    NOT NULL,
    auth_kind               VARCHAR(20),
    auth_user               VARCHAR(320),
    auth_grant              VARCHAR(200),
    auth_directory          VARCHAR(200),
    auth_client             VARCHAR(200),
    secret_key_id           VARCHAR(100),
    secret_value            VARCHAR(8000),
    smtp_host               VARCHAR(253),
    smtp_port               INT,
    smtp_security           VARCHAR(10),
    imap_host               VARCHAR(253),
    imap_port               INT,
    imap_security           VARCHAR(10),
    pop3_host               VARCHAR(253),
    pop3_port               INT,
    sender_address          VARCHAR(254),
    sender_name             VARCHAR(200),
    client_alias            VARCHAR(253),
    transport               VARCHAR(32),
    text_signature          VARCHAR(100000),
    html_signature          VARCHAR(100000),
    internal_note           VARCHAR(100000),
    scope                   VARCHAR(20)     NOT NULL,
    tenant                  VARCHAR(200),
    owner                   VARCHAR(200),
    debug                   BOOLEAN         NOT NULL,
    system_account          BOOLEAN         NOT NULL,
    defaults_account        BOOLEAN         NOT NULL,
    enabled                 BOOLEAN         NOT NULL,
    local_relay             BOOLEAN         NOT NULL,
    prevent_plain_text      BOOLEAN         NOT NULL,
    prevent_ntlm            BOOLEAN         NOT NULL,
    utf8_headers            BOOLEAN         NOT NULL,
    copy_to_sent            BOOLEAN         NOT NULL,
    sent_folder             VARCHAR(200)
);
CREATE INDEX mailroom_account_order ON mailroom_account (position, id);

CREATE TABLE mailroom_system_settings (
    id                      INT             NOT NULL PRIMARY KEY,
    mail_enabled            BOOLEAN         NOT NULL,
    sender_policy           VARCHAR(40)     NOT NULL
);

CREATE TABLE mailroom_tenant_settings (
    tenant                  VARCHAR(200)    NOT NULL PRIMARY KEY,
    system_server_allowed   BOOLEAN         NOT NULL,
    own_server_allowed      BOOLEAN         NOT NULL,
    sender_policy           VARCHAR(40)
);

CREATE TABLE mailroom_signature (
    kind                    VARCHAR(10)     NOT NULL,
    tenant                  VARCHAR(200)    NOT NULL,
    project                 VARCHAR(200)    NOT NULL,
    text_signature          VARCHAR(100000),
    html_signature          VARCHAR(100000),
    PRIMARY KEY (kind, tenant, project)
);

-- Bumped by every write; other nodes poll it to drop cached resolutions within a bounded time.
CREATE TABLE mailroom_change (
    id                      INT             NOT NULL PRIMARY KEY,
    version                 BIGINT          NOT NULL
);
INSERT INTO mailroom_change (id, version) VALUES (1, 0);
