-- Saved groups: a named device filter (the JSON form of DeviceFilterJson). Members are not stored: a group's devices
-- are those its filter matches at the time it is read, so devices provisioned or retagged later belong to it.
CREATE TABLE device_group (
    name         VARCHAR(128)  NOT NULL PRIMARY KEY,
    description  VARCHAR(1000),
    filter       CHARACTER LARGE OBJECT NOT NULL,
    created_by   VARCHAR(128),
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
