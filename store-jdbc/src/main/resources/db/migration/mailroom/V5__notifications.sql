-- Mailroom store, version 5: notifications (E1-E4).
-- What an outbox message is, for the delivery log: SEND, NOTIFICATION, SUPPORT_REQUEST.
ALTER TABLE mailroom_outbox ADD COLUMN operation VARCHAR(20) DEFAULT 'SEND' NOT NULL;

-- Support requests (E4): the system-wide address, whether tenants may set their own, system information.
ALTER TABLE mailroom_system_settings ADD COLUMN support_address VARCHAR(320);
ALTER TABLE mailroom_system_settings ADD COLUMN support_tenant_allowed BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE mailroom_system_settings ADD COLUMN support_attach_info BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE mailroom_tenant_settings ADD COLUMN support_address VARCHAR(320);

-- Users' notification choices (E2) per type; user_id '' holds the tenant's default, tenant '' the system's.
CREATE TABLE mailroom_notification_preference (
    tenant                  VARCHAR(200)    NOT NULL,
    user_id                 VARCHAR(200)    NOT NULL,
    type                    VARCHAR(40)     NOT NULL,
    mail                    BOOLEAN         NOT NULL,
    own_changes             BOOLEAN         NOT NULL,
    PRIMARY KEY (tenant, type, user_id)
);
