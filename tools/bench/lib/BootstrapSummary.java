import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Min, median and max of the factory provisioning benchmark's runs (`ferry-sim bootstrap-bench --json`) as a
 * Markdown table. Run with the simulator jar on the class path (for Jackson):
 * java -cp tools/sim/target/ferry-sim.jar tools/bench/lib/BootstrapSummary.java a.json b.json c.json
 */
public class BootstrapSummary {
    private static final String[][] FIGURES = {
            { "devices/s", "/devicesPerSecond" },
            { "bootstrap to registered p50 ms", "/latencyMs/p50" },
            { "bootstrap to registered p99 ms", "/latencyMs/p99" },
            { "server CPU ms/device (phase)", "/serverCpu/perDeviceMs" },
            { "server CPU ms/device (+after)", "/serverCpu/perDeviceWithAfterMs" },
            { "devices registered", "/registered" } };

    public static void main(String[] args) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> runs = new ArrayList<>();
        for (String file : args) {
            File f = new File(file);
            if (f.isFile()) {
                runs.add(mapper.readTree(f));
            }
        }
        System.out.printf("| figure | min | median | max | runs |%n| --- | --- | --- | --- | --- |%n");
        for (String[] figure : FIGURES) {
            double[] values = runs.stream().map(r -> r.at(figure[1])).filter(JsonNode::isNumber)
                    .mapToDouble(JsonNode::asDouble).sorted().toArray();
            if (values.length == 0) {
                System.out.printf("| %s | - | - | - | 0 |%n", figure[0]);
                continue;
            }
            double median = values.length % 2 == 1 ? values[values.length / 2]
                    : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %d |%n", figure[0], values[0], median,
                    values[values.length - 1], values.length);
        }
        System.out.println(Arrays.stream(args).count() + " file(s) read");
    }
}
