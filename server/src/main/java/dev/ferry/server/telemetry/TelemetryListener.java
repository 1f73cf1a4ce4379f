package dev.ferry.server.telemetry;

import java.util.List;

/** Hears telemetry once it is stored; called on the telemetry writer's thread, so it must not block. */
@FunctionalInterface
public interface TelemetryListener {
    void stored(List<TelemetryPoint> points);
}
