package dev.ferry.server.command;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The command queue's meters: {@code ferry.commands.queued} (pending commands over all devices, as last counted)
 * and {@code ferry.commands.outcomes} (commands ended, by outcome).
 */
final class CommandMeters {
    private final AtomicLong queued = new AtomicLong();
    private final Map<CommandState, Counter> outcomes = new EnumMap<>(CommandState.class);

    CommandMeters(MeterRegistry registry) {
        Gauge.builder("ferry.commands.queued", queued, AtomicLong::get)
                .description("Commands queued for devices and not yet sent").register(registry);
        for (CommandState state : CommandState.values()) {
            if (state.isFinal()) {
                outcomes.put(state, Counter.builder("ferry.commands.outcomes").tag("outcome", state.wireName())
                        .description("Queued commands that ended, by outcome").register(registry));
            }
        }
    }

    void queued(long count) {
        queued.set(count);
    }

    void outcome(CommandState state) {
        Counter counter = outcomes.get(state);
        if (counter != null) {
            counter.increment();
        }
    }
}
