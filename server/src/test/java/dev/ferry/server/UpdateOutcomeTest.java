package dev.ferry.server;

import static dev.ferry.server.UpdateFixture.MODEL;
import static dev.ferry.server.UpdateFixture.detailOf;
import static dev.ferry.server.UpdateFixture.states;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.DeviceEvent.Type;
import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.SimDevice;
import io.vertx.core.json.JsonObject;

/**
 * A session ends with what the device reported, as soon as it reported it, and its messages claim no more than
 * that. Devices that refuse, or answer without installing, end their sessions at once (well within the test
 * server's deadline of {@code TestServer.DEADLINE}, against install timeouts of minutes).
 */
class UpdateOutcomeTest {
    final UpdateFixture fixture = new UpdateFixture();

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void a_pushed_image_the_device_refuses_fails_at_once_with_the_devices_result_and_is_never_installed()
            throws Exception {
        SimDevice device = fixture.device("refuses-push", Faults.none().refusePushedPackage().refuseUpdate());

        JsonObject stored = fixture.outcome(fixture.start("refuses-push", fixture.firmwareV2, "push"), "failed",
                "unsupported-package");

        assertThat(states(stored)).doesNotContain("downloaded", "updating");
        // Result and state are notified separately, so the state the device had reached when the result arrived
        // (1 or 0) depends on their order; the result alone decides.
        assertThat(stored.getString("detail")).startsWith("the device reported update result 6 (unsupported package"
                + " type) in state ");
        assertThat(device.runningVersion()).hasToString("1.0.0+0");
    }

    @Test
    void an_execute_the_device_refuses_ends_the_session_with_the_devices_answer() throws Exception {
        SimDevice device = fixture.device("refuses-update", Faults.none().refuseUpdate());
        var idle = device.next(e -> e.type() == Type.STATE_CHANGED && e.state().code() == 0);

        JsonObject stored = fixture.outcome(fixture.start("refuses-update", fixture.firmwareV2, "pull-coap"),
                "failed", "request-refused");

        assertThat(stored.getString("detail")).isEqualTo("the device answered 4.05 METHOD_NOT_ALLOWED to execute"
                + " 5/0/2 (update)");
        idle.get(20, java.util.concurrent.TimeUnit.SECONDS); // told to drop the image it holds
        assertThat(device.runningVersion()).hasToString("1.0.0+0");
    }

    @Test
    void a_device_reporting_success_without_rebooting_on_its_old_version_ends_as_an_unexpected_version()
            throws Exception {
        fixture.device("no-reboot", Faults.none().updateWithoutReboot());

        JsonObject stored = fixture.outcome(fixture.start("no-reboot", fixture.firmwareV2, "pull-coap"), "failed",
                "unexpected-version");

        assertThat(stored.getString("detail")).contains("update result 1 (success)", "runs 1.0.0+0",
                "not 1.1.0+0");
    }

    @Test
    void a_session_whose_device_stays_in_state_2_after_the_execute_can_be_cancelled() throws Exception {
        SimDevice device = fixture.device("ignores-update", Faults.none().ignoreUpdate());
        JsonObject session = fixture.start("ignores-update", fixture.firmwareV2, "pull-coap");
        fixture.server.waitForEvent(e -> e.detail() != null && e.detail().startsWith("update " + session.getLong("id")
                + " updating"), "the execute of 5/0/2");
        var idle = device.next(e -> e.type() == Type.STATE_CHANGED && e.state().code() == 0);

        // Refused (409) until the server has read that the device is still in state 2, then allowed.
        TestServer.eventually("cancel is accepted", () -> fixture.server.post("/api/v1/devices/ignores-update/updates/"
                + session.getLong("id") + "/cancel", null).status() == 200);

        fixture.outcome(session, "cancelled", null);
        idle.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(device.runningVersion()).hasToString("1.0.0+0");
    }

    @Test
    void a_successful_update_says_what_the_device_reported_at_each_step() throws Exception {
        fixture.device("honest", Faults.none());

        JsonObject stored = fixture.outcome(fixture.start("honest", fixture.firmwareV2, "push"), "succeeded", null);

        assertThat(detailOf(stored, "downloaded")).isEqualTo("the device reported state 2 (downloaded)");
        assertThat(detailOf(stored, "updating")).isEqualTo("executing 5/0/2 (update)");
        assertThat(stored.getString("detail")).isEqualTo("the device runs 1.1.0+0 and reported update result 1"
                + " (success)");
    }

    @Test
    void a_revert_is_called_a_revert_by_the_bootloader_because_the_device_reported_result_8() throws Exception {
        fixture.device("unhealthy", Faults.none().failHealthCheck());

        JsonObject stored = fixture.outcome(fixture.start("unhealthy", fixture.firmwareV2, "pull-coap"), "failed",
                "reverted");

        assertThat(stored.getString("detail")).isEqualTo("the device came back on 1.0.0+0 with update result 8"
                + " (firmware update failed): the new image was reverted by the bootloader");
    }

    @Test
    void pull_coaps_works_through_either_of_two_firmware_records_sharing_one_image() throws Exception {
        long sameImageForOtherModel = fixture.publish("thermo-2-rev-b", fixture.v2);
        fixture.device("rev-a", MODEL, true, Faults.none());
        fixture.device("rev-b", "thermo-2-rev-b", true, Faults.none());

        JsonObject older = fixture.start("rev-a", fixture.firmwareV2, "pull-coaps");
        JsonObject newer = fixture.start("rev-b", sameImageForOtherModel, "pull-coaps");

        fixture.outcome(older, "succeeded", null);
        fixture.outcome(newer, "succeeded", null);
    }
}
