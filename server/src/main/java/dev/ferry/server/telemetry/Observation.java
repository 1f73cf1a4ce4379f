package dev.ferry.server.telemetry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One path a device is to report, with the LwM2M notification attributes written before observing it.
 *
 * @param path an object, instance or resource path, "/3303/0/5700"
 * @param attributes pmin and pmax (whole seconds), gt, lt and st (numbers), in LwM2M's names; may be empty
 */
public record Observation(String path, Map<String, Number> attributes) {
    /** The attributes a profile may name, as LwM2M 1.1 spells them. */
    public static final List<String> ATTRIBUTES = List.of("pmin", "pmax", "gt", "lt", "st");
    private static final Pattern PATH = Pattern.compile("/\\d{1,5}(/\\d{1,5}){0,2}");

    public Observation {
        attributes = Map.copyOf(new LinkedHashMap<>(attributes));
    }

    /**
     * The problem with this observation, or null when there is none.
     *
     * @param where how the message names it, "observations[2]"
     */
    public static String problem(String path, Map<String, ?> attributes, String where) {
        if (path == null || !PATH.matcher(path).matches()) {
            return where + ".path must be an LwM2M object, instance or resource path such as \"/3303/0/5700\", got "
                    + (path == null ? "nothing" : "\"" + path + "\"");
        }
        if (path.startsWith("/5/") || path.equals("/5")) {
            return where + ".path " + path + " is the firmware update object, which update sessions observe;"
                    + " it cannot be telemetry";
        }
        for (Map.Entry<String, ?> attribute : attributes.entrySet()) {
            String name = attribute.getKey();
            if (!ATTRIBUTES.contains(name)) {
                return where + ".attributes." + name + " is not an attribute; use " + String.join(", ", ATTRIBUTES);
            }
            if (!(attribute.getValue() instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                return where + ".attributes." + name + " must be a number, got " + attribute.getValue();
            }
            boolean period = name.equals("pmin") || name.equals("pmax");
            if (period && (n.doubleValue() < 0 || n.doubleValue() != Math.rint(n.doubleValue())
                    || n.doubleValue() > Integer.MAX_VALUE)) {
                return where + ".attributes." + name + " must be a whole number of seconds, got " + n;
            }
            if (name.equals("st") && n.doubleValue() <= 0) {
                return where + ".attributes.st (step) must be above 0, got " + n;
            }
        }
        Object pmin = attributes.get("pmin");
        Object pmax = attributes.get("pmax");
        if (pmin instanceof Number min && pmax instanceof Number max && max.doubleValue() < min.doubleValue()) {
            return where + ".attributes.pmax (" + max + ") must not be below pmin (" + min + ")";
        }
        return null;
    }
}
