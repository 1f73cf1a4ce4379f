package dev.ferry.sim.device;

import dev.ferry.image.ImageVersion;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The update progress that survives a reboot or a power cut, as Ferry's Zephyr module keeps it in
 * settings: state and result, the package URI and ETag, how many bytes are durably in the secondary
 * slot, and the version being installed.
 */
final class UpdateRecord {
    static final String SETTING = "update";

    FirmwareState state = FirmwareState.IDLE;
    UpdateResult result = UpdateResult.INITIAL;
    /** Bytes durably written to the secondary slot. */
    int offset;
    /** Size of the complete package, 0 while unknown. */
    int totalSize;
    /** ETag of the package being pulled, null if none was seen. */
    byte[] etag;
    /** Package URI; empty for a pushed package. */
    String uri = "";
    /** Version of the downloaded image, null until one was verified. */
    ImageVersion target;

    byte[] encode() {
        Properties p = new Properties();
        p.setProperty("state", state.name());
        p.setProperty("result", result.name());
        p.setProperty("offset", Integer.toString(offset));
        p.setProperty("total-size", Integer.toString(totalSize));
        p.setProperty("uri", uri);
        if (etag != null) {
            p.setProperty("etag", HexFormat.of().formatHex(etag));
        }
        if (target != null) {
            p.setProperty("target", target.toString());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            p.store(out, "object 5 update progress");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static UpdateRecord decode(byte[] stored) {
        Properties p = new Properties();
        try {
            p.load(new ByteArrayInputStream(stored));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        UpdateRecord record = new UpdateRecord();
        record.state = FirmwareState.valueOf(p.getProperty("state", "IDLE"));
        record.result = UpdateResult.valueOf(p.getProperty("result", "INITIAL"));
        record.offset = Integer.parseInt(p.getProperty("offset", "0"));
        record.totalSize = Integer.parseInt(p.getProperty("total-size", "0"));
        record.uri = p.getProperty("uri", "");
        String etag = p.getProperty("etag");
        record.etag = etag == null ? null : HexFormat.of().parseHex(etag);
        String target = p.getProperty("target");
        record.target = target == null ? null : ImageVersion.parse(target);
        return record;
    }
}
