-- Mailroom store, version 9: accounts in typed parts (docs/adr/015) and OAuth clients referred to by id
-- (docs/adr/016). Existing rows are carried forward so that every account resolves as before.

-- How the account sends: SMTP, LOCAL_RELAY, GMAIL_API, GRAPH, or NULL to send as the defaults account does.
-- Existing rows: a local relay stays one; a row with any SMTP value sends over SMTP; the rest inherit.
ALTER TABLE mailroom_account ADD COLUMN send_kind VARCHAR(20);
UPDATE mailroom_account SET send_kind = CASE
    WHEN local_relay THEN 'LOCAL_RELAY'
    WHEN smtp_host IS NOT NULL OR smtp_port IS NOT NULL OR smtp_security IS NOT NULL OR client_alias IS NOT NULL THEN 'SMTP'
    ELSE NULL END;

-- Whether incoming mail is fetched: NONE, IMAP, POP3. Nothing was fetched before this version.
ALTER TABLE mailroom_account ADD COLUMN fetch_protocol VARCHAR(10) DEFAULT 'NONE' NOT NULL;

-- The OAuth client registry. Secrets are sealed like account secrets; secret_binding is the associated
-- data the sealed value is bound to (NULL: sealed before binding, opened without).
CREATE TABLE mailroom_oauth_client (
    id                      VARCHAR(200)    NOT NULL PRIMARY KEY,
    name                    VARCHAR(200)    NOT NULL,
    provider                VARCHAR(20)     NOT NULL,
    client_id               VARCHAR(200)    NOT NULL,
    directory_id            VARCHAR(200),
    redirect_uri            VARCHAR(2000),
    secret_key_id           VARCHAR(100),
    secret_value            VARCHAR(8000),
    secret_binding          VARCHAR(300)
);

-- Microsoft application credentials: each account's application ID and sealed client secret become a
-- registered client with the account's id; the sealed value moves as it is (no key is needed here) and
-- keeps the owner binding it was sealed with.
INSERT INTO mailroom_oauth_client (id, name, provider, client_id, directory_id, secret_key_id, secret_value, secret_binding)
    SELECT id, description, 'MICROSOFT', auth_client, auth_directory, secret_key_id, secret_value,
           CASE WHEN secret_value LIKE 'v2:%' THEN 'account:' || id || ':clientSecret' ELSE NULL END
    FROM mailroom_account WHERE auth_kind = 'MICROSOFT_APP';
UPDATE mailroom_account SET auth_client = id, secret_key_id = NULL, secret_value = NULL WHERE auth_kind = 'MICROSOFT_APP';

-- OAuth 2.0: the grant reference named the client and the refresh token in one key; it becomes the client
-- reference. auth_grant keeps the old key for the token store to import.
UPDATE mailroom_account SET auth_client = auth_grant WHERE auth_kind = 'OAUTH2';

-- A local relay was read as localhost, plain, without login, whatever its columns said: store it so.
UPDATE mailroom_account SET smtp_host = 'localhost', smtp_security = 'NONE', smtp_port = COALESCE(smtp_port, 25),
    auth_kind = 'NONE', auth_user = NULL, auth_directory = NULL, auth_client = NULL, secret_key_id = NULL, secret_value = NULL
    WHERE local_relay;
