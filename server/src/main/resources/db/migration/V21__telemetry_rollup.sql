-- Telemetry rolled up per hour, kept by the telemetry writer in the transaction that stores the values, so that a
-- downsampling query over months reads a few thousand rows instead of millions. One row per device path,
-- resolution and bucket; the aggregates of every value stored in it so far. Only the primary key: a second index
-- (by bucket_start) made H2 match the writer's updates through it, scanning every series of a bucket.
CREATE TABLE telemetry_rollup (
    endpoint      VARCHAR(128)     NOT NULL,
    path          VARCHAR(64)      NOT NULL,
    -- The bucket's length in seconds: 3600 (a column, so that other resolutions can be added).
    resolution    INT              NOT NULL,
    -- The bucket's start, a whole multiple of its resolution since the epoch.
    bucket_start  TIMESTAMP WITH TIME ZONE NOT NULL,
    -- Every value in the bucket, and those with a number.
    point_count   BIGINT           NOT NULL,
    number_count  BIGINT           NOT NULL,
    number_sum    DOUBLE PRECISION,
    number_min    DOUBLE PRECISION,
    number_max    DOUBLE PRECISION,
    -- The bucket's latest value (by its time "at"; among values of the same time, the one stored last).
    last_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    last_number   DOUBLE PRECISION,
    last_text     VARCHAR(256),
    PRIMARY KEY (endpoint, path, resolution, bucket_start)
);

-- Values stored before this table existed, rolled up once.
INSERT INTO telemetry_rollup (endpoint, path, resolution, bucket_start, point_count, number_count, number_sum,
        number_min, number_max, last_at, last_number, last_text)
SELECT endpoint, path, resolution, bucket_start, COUNT(*), COUNT(number_value), SUM(number_value), MIN(number_value),
       MAX(number_value), MAX(at), MAX(CASE WHEN rn = 1 THEN number_value END), MAX(CASE WHEN rn = 1 THEN text_value END)
FROM (SELECT p.endpoint, p.path, r.resolution, p.at, p.number_value, p.text_value,
             TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00'
                 + INTERVAL '1' SECOND * (FLOOR(EXTRACT(EPOCH FROM p.at) / r.resolution) * r.resolution)
                 AS bucket_start,
             ROW_NUMBER() OVER (PARTITION BY p.endpoint, p.path, r.resolution,
                                FLOOR(EXTRACT(EPOCH FROM p.at) / r.resolution) ORDER BY p.at DESC) AS rn
      FROM telemetry_point p CROSS JOIN (SELECT 3600 AS resolution) r) s
GROUP BY endpoint, path, resolution, bucket_start;
