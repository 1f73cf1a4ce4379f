-- Telemetry: values devices report through Observe, Composite Observe and Send, one row per value. Rows are only
-- ever inserted (in batches, by the telemetry writer) and deleted (by the retention job, oldest first); a query
-- reads one device path's series by time. No primary key on purpose: a device may send two values of one path
-- with the same timestamp, and on PostgreSQL the table is meant to be partitioned by time (by "at"), where a
-- key would have to include it anyway.
CREATE TABLE telemetry_point (
    endpoint      VARCHAR(128)     NOT NULL,
    -- The LwM2M path of the value, "/3303/0/5700".
    path          VARCHAR(64)      NOT NULL,
    -- The device's own time when it sent one (SenML), otherwise when the server received the value.
    at            TIMESTAMP WITH TIME ZONE NOT NULL,
    received_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    -- The LwM2M resource type: FLOAT, INTEGER, UNSIGNED_INTEGER, BOOLEAN (0/1), TIME (epoch seconds), STRING,
    -- OPAQUE, OBJLNK, CORELINK.
    value_type    VARCHAR(16)      NOT NULL,
    -- Numeric values (booleans as 0/1, times as epoch seconds), so that they can be aggregated.
    number_value  DOUBLE PRECISION,
    -- Strings, object links and a summary of opaque values ("opaque, 512 bytes"), cut to 256 characters.
    text_value    VARCHAR(256)
);

-- One device path's series by time: the per-device query, the latest values and the fleet query.
CREATE INDEX telemetry_point_series_idx ON telemetry_point (endpoint, path, at);
-- Retention: the oldest rows first.
CREATE INDEX telemetry_point_at_idx ON telemetry_point (at);

-- What a device model reports: the paths observed on each registration, with the LwM2M attributes written
-- before observing, and how long its values are kept.
CREATE TABLE telemetry_profile (
    model           VARCHAR(128)   PRIMARY KEY,
    -- JSON array: [{"path": "/3303/0/5700", "attributes": {"pmin": 10, "pmax": 60, "st": 0.5}}, ...]
    observations    VARCHAR(16000) NOT NULL,
    -- Days values of this model's devices are kept; null: telemetry.retention-days.
    retention_days  INT,
    updated_by      VARCHAR(128)   NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
);

-- One device's own observations, replacing its model's profile (the retention stays its model's).
CREATE TABLE device_telemetry_profile (
    endpoint        VARCHAR(128)   PRIMARY KEY,
    observations    VARCHAR(16000) NOT NULL,
    updated_by      VARCHAR(128)   NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
);
