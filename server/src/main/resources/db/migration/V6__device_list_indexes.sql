-- The device list pages in endpoint order, also when filtered: each filter column is indexed together with the
-- endpoint, so a page of devices of one model (or version, or online state) is read in order from the index
-- instead of sorting every matching row. These replace the single-column indexes, which they cover.
DROP INDEX device_model_idx;
DROP INDEX device_firmware_version_idx;
CREATE INDEX device_model_endpoint_idx ON device (model, endpoint);
CREATE INDEX device_firmware_version_endpoint_idx ON device (firmware_version, endpoint);
CREATE INDEX device_online_endpoint_idx ON device (online, endpoint);
