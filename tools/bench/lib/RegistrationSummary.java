import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Medians of the registration benchmark's runs, Ferry beside plain Leshan, as a Markdown table. Reads the JSON
 * that `ferry-sim bench --json` and `ferry-sim load --json` write (their field names differ; each figure lists
 * where either tool puts it). Run with the simulator jar on the class path (for Jackson):
 * java -cp tools/sim/target/ferry-sim.jar tools/bench/lib/RegistrationSummary.java ferry=a.json,b.json leshan=c.json,d.json
 */
public class RegistrationSummary {
    private static final Map<String, String[]> FIGURES = new LinkedHashMap<>();
    static {
        FIGURES.put("registrations/s", new String[] { "/registrationsPerSecond", "/registration/registrationsPerSecond",
                "/storm/registrationsPerSecond" });
        FIGURES.put("p50 ms", new String[] { "/latencyMs/p50", "/registration/p50Ms", "/storm/p50Ms" });
        FIGURES.put("p99 ms", new String[] { "/latencyMs/p99", "/registration/p99Ms", "/storm/p99Ms" });
        FIGURES.put("CPU ms/reg (phase)", new String[] { "/serverCpu/perRegistrationMs",
                "/registrationCpu/duringMsPerRegistration", "/stormCpu/duringMsPerRegistration" });
        FIGURES.put("CPU ms/reg (+after)", new String[] { "/serverCpu/perRegistrationWithAfterMs",
                "/registrationCpu/withAfterMsPerRegistration", "/stormCpu/withAfterMsPerRegistration" });
        FIGURES.put("heap KiB/device", new String[] { "/serverHeap/perDeviceKiB", "/heap/kibPerDevice" });
        FIGURES.put("storm: all registered s", new String[] { "/storm/firstRegisterToLastRegisteredSeconds" });
        FIGURES.put("storm: retransmissions", new String[] { "/storm/retransmissions" });
        FIGURES.put("storm: gave up", new String[] { "/storm/gaveUp" });
    }

    public static void main(String[] args) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        Map<String, Map<String, double[]>> sides = new LinkedHashMap<>();
        for (String arg : args) {
            String[] parts = arg.split("=", 2);
            List<JsonNode> runs = new ArrayList<>();
            for (String file : parts[1].split(",")) {
                runs.add(mapper.readTree(new File(file)));
            }
            Map<String, double[]> figures = new LinkedHashMap<>();
            FIGURES.forEach((name, pointers) -> {
                double[] values = runs.stream().mapToDouble(run -> find(run, pointers)).filter(v -> !Double.isNaN(v))
                        .sorted().toArray();
                if (values.length > 0) {
                    figures.put(name, values);
                }
            });
            sides.put(parts[0], figures);
        }
        List<String> names = sides.values().stream().flatMap(f -> f.keySet().stream()).distinct().toList();
        StringBuilder header = new StringBuilder("| figure (median of runs; all runs) |");
        StringBuilder rule = new StringBuilder("| --- |");
        sides.keySet().forEach(side -> {
            header.append(' ').append(side).append(" |");
            rule.append(" --- |");
        });
        List<String> sideNames = new ArrayList<>(sides.keySet());
        if (sideNames.size() == 2) {
            header.append(' ').append(sideNames.get(0)).append(" / ").append(sideNames.get(1)).append(" |");
            rule.append(" --- |");
        }
        System.out.println(header);
        System.out.println(rule);
        for (String name : names) {
            StringBuilder row = new StringBuilder("| ").append(name).append(" |");
            List<Double> medians = new ArrayList<>();
            for (Map<String, double[]> figures : sides.values()) {
                double[] values = figures.get(name);
                if (values == null) {
                    row.append(" - |");
                    medians.add(Double.NaN);
                    continue;
                }
                double median = values[values.length / 2];
                medians.add(median);
                row.append(' ').append(format(median)).append(" (")
                        .append(String.join(", ", Arrays.stream(values).mapToObj(RegistrationSummary::format).toList()))
                        .append(") |");
            }
            if (medians.size() == 2) {
                double ratio = medians.get(0) / medians.get(1);
                row.append(' ').append(Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.2f×", ratio) : "-")
                        .append(" |");
            }
            System.out.println(row);
        }
    }

    private static double find(JsonNode run, String[] pointers) {
        for (String pointer : pointers) {
            JsonNode node = run.at(pointer);
            if (node.isNumber()) {
                return node.asDouble();
            }
        }
        return Double.NaN;
    }

    private static String format(double value) {
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.2f", value);
    }
}
