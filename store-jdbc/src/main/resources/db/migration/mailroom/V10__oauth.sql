-- Mailroom store, version 10: OAuth 2.0 (docs/adr/021). The client registry of V9 gets what a consent needs
-- (scopes, endpoint overrides), and two tables keep started consents and each account's grant. Every secret is
-- sealed with the store's cipher and bound to its owner (docs/adr/012); times are epoch milliseconds, leases are
-- judged on the database's clock.

-- Provider ids are lower case, as the provider modules name themselves (V9 wrote MICROSOFT).
ALTER TABLE mailroom_oauth_client ALTER COLUMN provider SET DATA TYPE VARCHAR(40);
UPDATE mailroom_oauth_client SET provider = LOWER(provider);
-- The scopes Mailroom asks for, separated by spaces (a scope has none).
ALTER TABLE mailroom_oauth_client ADD COLUMN scopes VARCHAR(4000) DEFAULT '' NOT NULL;
ALTER TABLE mailroom_oauth_client ADD COLUMN authorization_endpoint VARCHAR(2000);
ALTER TABLE mailroom_oauth_client ADD COLUMN token_endpoint VARCHAR(2000);
-- V9 moved Microsoft application credentials here without a redirect URL (the client credentials flow has
-- none); a registration always has one now: the placeholder below until an administrator sets the real one.
UPDATE mailroom_oauth_client SET redirect_uri = 'http://localhost/' WHERE redirect_uri IS NULL;

-- Consents that were started: the state only as its SHA-256 (base64url), so that reading the table does not
-- allow completing one; the PKCE verifier sealed and bound to 'oauth-consent:<state_hash>:verifier'.
CREATE TABLE mailroom_oauth_consent (
    state_hash              VARCHAR(64)     NOT NULL PRIMARY KEY,
    account_id              VARCHAR(200)    NOT NULL,
    client_ref              VARCHAR(200)    NOT NULL,
    verifier_key_id         VARCHAR(100)    NOT NULL,
    verifier_value          VARCHAR(2000)   NOT NULL,
    created_at              BIGINT          NOT NULL,
    expires_at              BIGINT          NOT NULL
);
CREATE INDEX mailroom_oauth_consent_expiry ON mailroom_oauth_consent (expires_at);

-- Each account's grant: the refresh token (bound to 'account:<id>:refresh-token'), the current access token
-- (bound to 'account:<id>:access-token') so that other nodes reuse it, a version that rises with every change,
-- and the refresh lease that makes refreshing single-flight across nodes.
CREATE TABLE mailroom_oauth_grant (
    account_id              VARCHAR(200)    NOT NULL PRIMARY KEY,
    client_ref              VARCHAR(200)    NOT NULL,
    identity                VARCHAR(320)    NOT NULL,
    scopes                  VARCHAR(4000)   NOT NULL,
    granted_at              BIGINT          NOT NULL,
    refresh_key_id          VARCHAR(100)    NOT NULL,
    refresh_value           VARCHAR(8000)   NOT NULL,
    access_key_id           VARCHAR(100),
    access_value            VARCHAR(8000),
    access_expires_at       BIGINT,
    access_issued_at        BIGINT,
    version                 BIGINT          NOT NULL,
    lease_owner             VARCHAR(100),
    lease_until             BIGINT,
    problem_code            VARCHAR(60),
    problem_detail          VARCHAR(2000),
    problem_since           BIGINT
);

-- OAuth 2.0 accounts of earlier versions referred to a grant the host kept (auth_grant); Mailroom never held
-- their refresh tokens, so there is nothing to import: such accounts are connected once with the consent flow.
