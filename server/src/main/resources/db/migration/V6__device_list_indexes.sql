-- The device list pages in endpoint order, also when filtered: model and firmware version are indexed together
-- with the endpoint, so a page of devices of one model (or version) is read in order from the index instead of
-- sorting every matching row. These replace the single-column indexes, which they cover. The online flag stays
-- unindexed: every registration and deregistration changes it, and an index would cost each of them a write,
-- while a page of online (or offline) devices finds them in endpoint order soon enough.
DROP INDEX device_model_idx;
DROP INDEX device_firmware_version_idx;
CREATE INDEX device_model_endpoint_idx ON device (model, endpoint);
CREATE INDEX device_firmware_version_endpoint_idx ON device (firmware_version, endpoint);
