package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** When a window is open: on its days, in its zone, past midnight, across a daylight-saving change. */
class MaintenanceWindowsTest {
    private static final RolloutSpec.MaintenanceWindow FRIDAY_NIGHT = new RolloutSpec.MaintenanceWindow(
            Set.of(DayOfWeek.FRIDAY), LocalTime.of(22, 0), Duration.ofHours(4), ZoneId.of("Europe/Berlin"));

    @Test
    void aWindowIsOpenFromItsStartForItsDurationEvenPastMidnight() {
        // Friday 2026-03-06
        assertThat(MaintenanceWindows.isOpen(FRIDAY_NIGHT, OffsetDateTime.parse("2026-03-06T21:59:59+01:00")))
                .isFalse();
        assertThat(MaintenanceWindows.isOpen(FRIDAY_NIGHT, OffsetDateTime.parse("2026-03-06T22:00:00+01:00")))
                .isTrue();
        assertThat(MaintenanceWindows.isOpen(FRIDAY_NIGHT, OffsetDateTime.parse("2026-03-07T01:30:00+01:00")))
                .isTrue();
        assertThat(MaintenanceWindows.isOpen(FRIDAY_NIGHT, OffsetDateTime.parse("2026-03-07T02:00:00+01:00")))
                .isFalse();
        // the same instant written in another offset
        assertThat(MaintenanceWindows.isOpen(FRIDAY_NIGHT, OffsetDateTime.parse("2026-03-06T21:30:00Z"))).isTrue();
        assertThat(MaintenanceWindows.isOpen(null, OffsetDateTime.parse("2026-03-04T12:00:00Z"))).isTrue();
    }

    @Test
    void theNextOpeningIsTheNextStartOnOneOfItsDays() {
        assertThat(MaintenanceWindows.nextOpening(FRIDAY_NIGHT, OffsetDateTime.parse("2026-03-07T03:00:00+01:00")))
                .contains(OffsetDateTime.parse("2026-03-13T22:00:00+01:00"));
        // after the clocks go forward on 2026-03-29, 22:00 in Berlin is 20:00 UTC
        assertThat(MaintenanceWindows.nextOpening(FRIDAY_NIGHT, OffsetDateTime.parse("2026-03-28T12:00:00Z")))
                .contains(OffsetDateTime.parse("2026-04-03T22:00:00+02:00"));
        assertThat(MaintenanceWindows.nextOpening(new RolloutSpec.MaintenanceWindow(Set.of(), LocalTime.NOON,
                Duration.ofHours(1), ZoneId.of("UTC")), OffsetDateTime.parse("2026-03-28T12:00:00Z"))).isEmpty();
    }
}
