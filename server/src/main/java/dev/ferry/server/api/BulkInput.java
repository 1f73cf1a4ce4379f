package dev.ferry.server.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import dev.ferry.server.device.BulkProvisioning;
import dev.ferry.server.device.BulkRow;
import dev.ferry.server.device.ProvisionRequest;
import dev.ferry.server.device.RowError;
import dev.ferry.server.device.SecurityMode;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Reads a bulk provisioning list, CSV or JSON, into rows. A row that cannot even be read (a key that is not hex, a
 * field of the wrong type, an unknown column value) becomes a {@link RowError} naming its field, so that it is
 * reported with every other bad row; only a list that cannot be read at all (no header, not JSON, too long) is a
 * 400 or 413 of its own. Errors name fields as the JSON form does ({@code security.key});
 * {@link #csvColumn} gives the CSV column.
 */
final class BulkInput {
    /** The CSV columns; {@code endpoint} and {@code security} are required. */
    static final List<String> COLUMNS = List.of("endpoint", "security", "pskIdentity", "pskKey", "publicKey", "model",
            "tags", "claimCode", "metadata");
    static final String GENERATE = "generate";
    private static final Map<String, String> CSV_COLUMN_OF = Map.of("security.mode", "security", "security.identity",
            "pskIdentity", "security.key", "pskKey", "security.publicKey", "publicKey");

    /** The rows that could be read and the errors of those that could not. */
    record Parsed(List<BulkRow> rows, List<RowError> errors) {
    }

    /** A field that cannot be read; the row is reported with it. */
    private static final class BadField extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String field;

        BadField(String field, String reason) {
            super(reason, null, false, false);
            this.field = field;
        }
    }

    private BulkInput() {
    }

    static String csvColumn(String field) {
        return field == null ? null : CSV_COLUMN_OF.getOrDefault(field, field);
    }

    static Parsed json(JsonObject body) {
        JsonInput.allowOnly(body, "the list", "devices");
        Object devices = body.getValue("devices");
        if (!(devices instanceof JsonArray list)) {
            throw ApiProblem.badRequest("devices is required: an array of devices, each as POST /api/v1/devices"
                    + " takes it, e.g. {\"devices\": [{\"endpoint\": \"sensor-1\", \"security\": {\"mode\":"
                    + " \"psk\"}}]}");
        }
        checkCount(list.size());
        List<BulkRow> rows = new ArrayList<>(list.size());
        List<RowError> errors = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            int row = i + 1;
            try {
                if (!(list.getValue(i) instanceof JsonObject device)) {
                    throw new BadField(null, "each device must be a JSON object");
                }
                rows.add(jsonRow(row, device));
            } catch (BadField e) {
                errors.add(new RowError(row, e.field, e.getMessage()));
            }
        }
        return new Parsed(rows, errors);
    }

    private static BulkRow jsonRow(int row, JsonObject device) {
        for (String name : device.fieldNames()) {
            if (!Set.of("endpoint", "security", "tags", "metadata", "model", "claimCode").contains(name)) {
                throw new BadField(name, "unknown field '" + name + "'; a device takes endpoint, security, tags,"
                        + " metadata, model and claimCode");
            }
        }
        String endpoint = field("endpoint", () -> JsonInput.optString(device, "endpoint", ""));
        JsonObject security = field("security", () -> JsonInput.optObject(device, "security", ""));
        if (security == null) {
            throw new BadField("security", "security is required, e.g. {\"mode\": \"psk\"}; modes: "
                    + SecurityMode.allWireNames());
        }
        SecurityMode mode = mode(field("security.mode", () -> JsonInput.requireString(security, "mode", "security.")));
        for (String name : security.fieldNames()) {
            if (!Set.of("mode", "identity", "key", "publicKey").contains(name)) {
                throw new BadField("security." + name, "unknown field 'security." + name + "'");
            }
        }
        String identity = field("security.identity", () -> JsonInput.optString(security, "identity", "security."));
        String key = field("security.key", () -> JsonInput.optString(security, "key", "security."));
        String publicKey = field("security.publicKey", () -> JsonInput.optString(security, "publicKey", "security."));
        List<String> tags = field("tags", () -> JsonInput.optStringList(device, "tags", ""));
        JsonObject metadata = field("metadata", () -> JsonInput.optObject(device, "metadata", ""));
        String model = field("model", () -> JsonInput.optString(device, "model", ""));
        String claimCode = field("claimCode", () -> JsonInput.optString(device, "claimCode", ""));
        return row(row, endpoint, mode, identity, key, publicKey, tags, metadata == null ? null : metadata.encode(),
                model, claimCode);
    }

    static Parsed csv(String text) {
        List<Csv.Record> records = Csv.parse(text);
        if (records.isEmpty()) {
            throw ApiProblem.badRequest("the CSV is empty; its first line names the columns, e.g."
                    + " endpoint,security,pskKey,tags");
        }
        List<String> header = records.get(0).fields();
        Set<String> seen = new LinkedHashSet<>();
        for (String column : header) {
            if (!COLUMNS.contains(column)) {
                throw ApiProblem.badRequest("CSV column '" + column + "' is unknown; the first line names the columns,"
                        + " from: " + String.join(", ", COLUMNS));
            }
            if (!seen.add(column)) {
                throw ApiProblem.badRequest("CSV column '" + column + "' is named twice in the header");
            }
        }
        if (!seen.contains("endpoint") || !seen.contains("security")) {
            throw ApiProblem.badRequest("the CSV header must name the columns endpoint and security (the first line"
                    + " names the columns, e.g. endpoint,security,pskKey,tags)");
        }
        checkCount(records.size() - 1);
        if (records.size() == 1) {
            throw ApiProblem.badRequest("the CSV has a header but no devices");
        }
        List<BulkRow> rows = new ArrayList<>(records.size() - 1);
        List<RowError> errors = new ArrayList<>();
        for (int i = 1; i < records.size(); i++) {
            List<String> fields = records.get(i).fields();
            try {
                if (fields.size() != header.size()) {
                    throw new BadField(null, "line " + records.get(i).line() + " has " + fields.size() + " fields; the"
                            + " header names " + header.size());
                }
                Map<String, String> values = new HashMap<>();
                for (int c = 0; c < header.size(); c++) {
                    values.put(header.get(c), fields.get(c).isBlank() ? null : fields.get(c).strip());
                }
                rows.add(csvRow(i, values));
            } catch (BadField e) {
                errors.add(new RowError(i, csvColumn(e.field), e.getMessage()));
            }
        }
        return new Parsed(rows, errors);
    }

    private static BulkRow csvRow(int row, Map<String, String> values) {
        String modeName = values.get("security");
        if (modeName == null) {
            throw new BadField("security.mode", "security is required: one of " + SecurityMode.allWireNames());
        }
        String tags = values.get("tags");
        String metadata = values.get("metadata");
        if (metadata != null) {
            try {
                metadata = new JsonObject(metadata).encode();
            } catch (DecodeException | ClassCastException e) {
                throw new BadField("metadata", "metadata must be a JSON object, e.g. {\"site\": \"hall-3\"}");
            }
        }
        return row(row, values.get("endpoint"), mode(modeName), values.get("pskIdentity"), values.get("pskKey"),
                values.get("publicKey"), tags == null ? null : Arrays.stream(tags.split(";")).map(String::strip)
                        .filter(t -> !t.isEmpty()).toList(), metadata, values.get("model"), values.get("claimCode"));
    }

    private static BulkRow row(int row, String endpoint, SecurityMode mode, String identity, String key,
            String publicKey, List<String> tags, String metadata, String model, String claimCode) {
        if (mode != SecurityMode.PSK && identity != null) {
            throw new BadField("security.identity", "a PSK identity applies to security mode psk only");
        }
        if (mode != SecurityMode.PSK && key != null) {
            throw new BadField("security.key", "a PSK key applies to security mode psk only");
        }
        if (mode != SecurityMode.RPK && publicKey != null) {
            throw new BadField("security.publicKey", "a public key applies to security mode rpk only");
        }
        if (claimCode != null && !claimCode.equals(GENERATE)) {
            throw new BadField("claimCode", "claimCode must be '" + GENERATE + "' (the server makes a code and"
                    + " returns it once) or left out");
        }
        byte[] pskKey = key == null || key.equals(GENERATE) ? null : hex(key);
        byte[] rpk = publicKey == null ? null : base64(publicKey);
        return new BulkRow(row, new ProvisionRequest(endpoint, mode, identity, pskKey, rpk, tags, metadata), model,
                claimCode != null);
    }

    private static void checkCount(int rows) {
        if (rows > BulkProvisioning.MAX_ROWS) {
            throw new ApiProblem(413, "too-many-devices", "Too many devices", "the list has " + rows
                    + " devices; at most " + BulkProvisioning.MAX_ROWS + " per request: split it into several requests")
                    .with("maxRows", BulkProvisioning.MAX_ROWS);
        }
    }

    private static SecurityMode mode(String name) {
        return SecurityMode.fromWireName(name).orElseThrow(() -> new BadField("security.mode",
                "security mode '" + name + "' is not supported; use one of " + SecurityMode.allWireNames()));
    }

    private static byte[] hex(String key) {
        try {
            return HexFormat.of().parseHex(key);
        } catch (IllegalArgumentException e) {
            throw new BadField("security.key", "the PSK key must be hexadecimal (an even number of 0-9a-f digits)"
                    + " or '" + GENERATE + "'");
        }
    }

    private static byte[] base64(String key) {
        try {
            return Base64.getDecoder().decode(key);
        } catch (IllegalArgumentException e) {
            throw new BadField("security.publicKey", "the public key must be standard base64 of its DER encoding");
        }
    }

    private static <T> T field(String name, Supplier<T> read) {
        try {
            return read.get();
        } catch (ApiProblem e) {
            throw new BadField(name, e.getMessage());
        }
    }
}
