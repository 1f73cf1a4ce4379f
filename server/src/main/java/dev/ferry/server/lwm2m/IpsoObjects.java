package dev.ferry.server.lwm2m;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.ResourceModel;
import org.eclipse.leshan.core.model.ResourceModel.Operations;
import org.eclipse.leshan.core.model.ResourceModel.Type;

/**
 * The IPSO smart objects (3300-3350: sensors such as temperature 3303, actuators, controls), read from the table
 * {@code models/ipso-smart-objects.tsv}. Leshan itself ships only LwM2M's core objects, so without these a
 * temperature a device reports in TLV would come back as opaque bytes and could not be written.
 */
final class IpsoObjects {
    private static final String TABLE = "/models/ipso-smart-objects.tsv";

    private IpsoObjects() {
    }

    /**
     * Every IPSO object at its registry version, and again as version 1.0 where the registry's is newer: a device
     * that lists {@code </3303/0>} without {@code ver} declares 1.0, and the later versions only add resources.
     */
    static List<ObjectModel> load() {
        try (InputStream in = IpsoObjects.class.getResourceAsStream(TABLE)) {
            if (in == null) {
                throw new IllegalStateException(TABLE + " is missing from the server's classpath");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + TABLE, e);
        }
    }

    private static List<ObjectModel> parse(BufferedReader table) throws IOException {
        List<ObjectModel> models = new ArrayList<>();
        String[] object = null;
        List<ResourceModel> resources = new ArrayList<>();
        String line;
        int number = 0;
        while ((line = table.readLine()) != null) {
            number++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\t", -1);
            if (fields[0].equals("O") && fields.length == 6) {
                addObject(models, object, resources);
                object = fields;
                resources = new ArrayList<>();
            } else if (fields[0].equals("R") && fields.length == 9 && object != null) {
                resources.add(new ResourceModel(Integer.valueOf(fields[1]), fields[2], operations(fields[3]),
                        fields[4].equals("multiple"), fields[5].equals("mandatory"), type(fields[6]),
                        none(fields[7]), none(fields[8]), ""));
            } else {
                throw new IllegalStateException(TABLE + " line " + number + " is neither an object nor a resource");
            }
        }
        addObject(models, object, resources);
        return models;
    }

    private static void addObject(List<ObjectModel> models, String[] object, List<ResourceModel> resources) {
        if (object == null) {
            return;
        }
        int id = Integer.parseInt(object[1]);
        String version = object[2];
        boolean multiple = object[4].equals("multiple");
        boolean mandatory = object[5].equals("mandatory");
        models.add(new ObjectModel(id, object[3], "", version, multiple, mandatory, resources,
                "urn:oma:lwm2m:ext:" + id + ":" + version, "1.0", ""));
        if (!version.equals(ObjectModel.DEFAULT_VERSION)) {
            models.add(new ObjectModel(id, object[3], "", ObjectModel.DEFAULT_VERSION, multiple, mandatory,
                    resources, "urn:oma:lwm2m:ext:" + id, "1.0", ""));
        }
    }

    private static Operations operations(String field) {
        return field.equals("-") ? Operations.NONE : Operations.valueOf(field);
    }

    private static Type type(String field) {
        return switch (field) {
        case "unsigned integer" -> Type.UNSIGNED_INTEGER;
        case "corelnk" -> Type.CORELINK;
        default -> Type.valueOf(field.toUpperCase(Locale.ROOT));
        };
    }

    private static String none(String field) {
        return field.equals("-") ? "" : field;
    }
}
