package dev.ferry.server.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

/**
 * Gauges of what the database holds by state (update sessions by state and failure reason, rollouts and waves by
 * status), counted with one grouped query each when {@link #refresh} is called, just before a scrape, on the
 * scrape's worker thread. A state no row is in any more drops out of the scrape.
 */
public final class StateGauges {
    private static final Logger LOG = LoggerFactory.getLogger(StateGauges.class);

    /** One gauge family: its name, description, tag keys, and the counts by tag values. */
    public record Source(String name, String description, List<String> tagKeys,
            Supplier<Map<List<String>, Long>> counts) {
    }

    private record Family(Source source, MultiGauge gauge) {
    }

    private final List<Family> families = new ArrayList<>();

    public StateGauges(MeterRegistry meters, List<Source> sources) {
        for (Source source : sources) {
            families.add(new Family(source, MultiGauge.builder(source.name()).description(source.description())
                    .register(meters)));
        }
        refresh();
    }

    /** A source with one tag, from counts by one value. */
    public static Source single(String name, String description, String tagKey, Supplier<Map<String, Long>> counts) {
        return new Source(name, description, List.of(tagKey), () -> {
            Map<List<String>, Long> byTags = new java.util.LinkedHashMap<>();
            counts.get().forEach((value, count) -> byTags.put(List.of(value), count));
            return byTags;
        });
    }

    /** Counts again; blocking. A family whose query fails keeps its last counts and the failure is logged. */
    public void refresh() {
        for (Family family : families) {
            try {
                List<MultiGauge.Row<?>> rows = new ArrayList<>();
                family.source().counts().get().forEach((values, count) -> {
                    Tags tags = Tags.empty();
                    for (int i = 0; i < values.size(); i++) {
                        tags = tags.and(family.source().tagKeys().get(i), values.get(i));
                    }
                    rows.add(MultiGauge.Row.of(tags, count));
                });
                family.gauge().register(rows, true);
            } catch (RuntimeException e) {
                LOG.warn("Metric {} not refreshed: {}", family.source().name(), e.toString());
            }
        }
    }
}
