package dev.ferry.server.rollout;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Optional;

import dev.ferry.server.rollout.RolloutSpec.MaintenanceWindow;

/**
 * When a maintenance window is open. A window opens on each of its days at its start time in its zone and stays
 * open for its duration, which may run past midnight (a Friday 22:00 window of 4 hours is still open Saturday
 * 01:00). Daylight-saving gaps are resolved as {@link ZonedDateTime} does: a 02:30 start on a day without 02:30
 * opens at 03:30.
 */
final class MaintenanceWindows {
    /** A window lasts at most a week, so an opening more than 8 days back cannot still be open. */
    private static final int LOOK_BACK_DAYS = 8;

    private MaintenanceWindows() {
    }

    /** True without a window. */
    static boolean isOpen(MaintenanceWindow window, OffsetDateTime now) {
        if (window == null) {
            return true;
        }
        LocalDate today = now.atZoneSameInstant(window.zone()).toLocalDate();
        for (int back = 0; back <= LOOK_BACK_DAYS; back++) {
            LocalDate day = today.minusDays(back);
            if (window.days().contains(day.getDayOfWeek())) {
                ZonedDateTime opens = day.atTime(window.start()).atZone(window.zone());
                ZonedDateTime closes = opens.plus(window.duration());
                if (!now.toInstant().isBefore(opens.toInstant()) && now.toInstant().isBefore(closes.toInstant())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The next time the window opens after {@code now}; empty when it never does (no days). */
    static Optional<OffsetDateTime> nextOpening(MaintenanceWindow window, OffsetDateTime now) {
        LocalDate today = now.atZoneSameInstant(window.zone()).toLocalDate();
        for (int ahead = 0; ahead <= LOOK_BACK_DAYS; ahead++) {
            LocalDate day = today.plusDays(ahead);
            if (window.days().contains(day.getDayOfWeek())) {
                ZonedDateTime opens = day.atTime(window.start()).atZone(window.zone());
                if (opens.toInstant().isAfter(now.toInstant())) {
                    return Optional.of(opens.toOffsetDateTime());
                }
            }
        }
        return Optional.empty();
    }
}
