-- The LwM2M registration of each registered device, so that registrations survive a restart. A row is
-- written in the same transaction as the device's online flag and registration_id: after any stop, a device
-- is online in the registry exactly when its registration row exists and is loaded again.
CREATE TABLE registration (
    endpoint         VARCHAR(128)    NOT NULL PRIMARY KEY,
    registration_id  VARCHAR(64)     NOT NULL,
    -- Leshan's registration as JSON (leshan-server-redis's RegistrationSerDes format).
    data             VARCHAR(100000) NOT NULL,
    -- Last update plus lifetime: a registration past this is not loaded again.
    expires_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT registration_device_fk FOREIGN KEY (endpoint) REFERENCES device (endpoint) ON DELETE CASCADE
);
