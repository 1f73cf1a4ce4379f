package dev.ferry.server.rollout;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** A maintenance window in a plan: {@code {days: [mon..sun], start: "HH:mm", durationMinutes, timeZone}}. */
final class MaintenanceWindowJson {
    private static final String[] DAY_NAMES = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

    private MaintenanceWindowJson() {
    }

    static RolloutSpec.MaintenanceWindow parse(PlanFields window) {
        window.allowOnly("days", "start", "durationMinutes", "timeZone");
        List<String> dayNames = window.strings("days", true);
        Set<DayOfWeek> days = dayNames == null ? null : days(window, dayNames);
        LocalTime start = time(window);
        Long minutes = window.whole("durationMinutes", true);
        ZoneId zone = zone(window);
        if (days == null || start == null || minutes == null || zone == null) {
            return null;
        }
        return new RolloutSpec.MaintenanceWindow(days, start, Duration.ofMinutes(minutes), zone);
    }

    private static Set<DayOfWeek> days(PlanFields window, List<String> names) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        boolean complete = true;
        for (int i = 0; i < names.size(); i++) {
            int day = Arrays.asList(DAY_NAMES).indexOf(names.get(i));
            if (names.get(i) == null) {
                complete = false;
            } else if (day < 0) {
                window.problem(window.path("days") + "[" + i + "]", "unknown day '" + names.get(i) + "'; use "
                        + String.join(", ", DAY_NAMES));
                complete = false;
            } else {
                days.add(DayOfWeek.of(day + 1));
            }
        }
        return complete ? days : null;
    }

    private static LocalTime time(PlanFields window) {
        String text = window.string("start", true);
        if (text == null) {
            return null;
        }
        try {
            if (text.length() == 5) {
                return LocalTime.parse(text, DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT));
            }
        } catch (DateTimeParseException e) {
            // Answered below, as for any other text.
        }
        window.problem(window.path("start"), "must be a time of day as HH:mm (24 hours, e.g. \"02:00\"), got \""
                + text + "\"");
        return null;
    }

    /** Absent: UTC. */
    private static ZoneId zone(PlanFields window) {
        String text = window.string("timeZone", false);
        if (text == null) {
            return window.has("timeZone") ? null : ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            window.problem(window.path("timeZone"), "unknown time zone '" + text
                    + "'; use a region such as Europe/Berlin, or UTC, or an offset such as +02:00");
            return null;
        }
    }

    static JsonObject render(RolloutSpec.MaintenanceWindow window) {
        return new JsonObject()
                .put("days", new JsonArray(window.days().stream().sorted().map(d -> DAY_NAMES[d.ordinal()]).toList()))
                .put("start", window.start().format(DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT)))
                .put("durationMinutes", window.duration().toMinutes()).put("timeZone", window.zone().getId());
    }
}
