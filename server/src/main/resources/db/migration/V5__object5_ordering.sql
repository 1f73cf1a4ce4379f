-- The registry's copy of object 5 (firmware_state = 5/0/3, firmware_result = 5/0/5) has several writers whose
-- values reach the registry writer's queue out of order: the read after a registration, the update engine's
-- reads, and notifications. Each value carries the moment the server received it from the device (a strictly
-- increasing count of microseconds since the epoch), and an update writes only a value newer than the stored one.
ALTER TABLE device ADD COLUMN firmware_state_seen BIGINT;
ALTER TABLE device ADD COLUMN firmware_result_seen BIGINT;
