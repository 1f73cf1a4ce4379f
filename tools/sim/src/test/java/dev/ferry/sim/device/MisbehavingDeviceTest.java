package dev.ferry.sim.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sim.testing.TestBed;
import dev.ferry.sim.testing.TestFirmware;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Devices that misbehave the way a fleet rollout must notice: crash loops, dead radios, one failed download. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MisbehavingDeviceTest {
    private static TestBed bed;

    @BeforeAll
    static void servers() throws Exception {
        bed = new TestBed();
    }

    @AfterEach
    void devices() {
        bed.closeDevices();
    }

    @AfterAll
    static void stop() {
        bed.close();
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(TestBed.WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void a_crash_looping_image_is_confirmed_then_reboots_and_registers_again_as_often_as_asked() throws Exception {
        SimDevice device = bed.started(bed.device("crash-loop-1")
                .faults(Faults.none().crashLoopAfterUpdate(3, Duration.ofMillis(100))));
        String path = bed.coapFirmware.serve(TestFirmware.NEW);
        // Registration 1 is the first boot, 2 the new image's trial boot, 3 to 5 the crashes.
        CompletableFuture<?> afterCrashes = bed.lwm2m.registrationNumber(device.endpoint(), 5);

        DeviceEvent outcome = bed.pullUpdate(device, bed.coapFirmware.coapUri(path));
        await(afterCrashes);

        assertThat(outcome.result()).isEqualTo(UpdateResult.SUCCESS);
        assertThat(device.events()).filteredOn(e -> e.type() == DeviceEvent.Type.REBOOTING
                && e.detail().contains("crashed")).hasSize(3);
        assertThat(device.events()).noneMatch(e -> e.type() == DeviceEvent.Type.REVERTED);
        assertThat(device.runningVersion()).isEqualTo(TestFirmware.NEW_VERSION);
        assertThat(bed.read(device, 3, 3)).isEqualTo("1.1.0+7");
    }

    @Test
    void a_crash_loop_happens_after_the_first_confirmed_update_only() throws Exception {
        SimDevice device = bed.started(bed.device("crash-once-1")
                .faults(Faults.none().crashLoopAfterUpdate(1, Duration.ZERO).failHealthCheck()));
        String path = bed.coapFirmware.serve(TestFirmware.NEW);

        // A reverted image is never confirmed, so it cannot use up the crash loop.
        DeviceEvent outcome = bed.pullUpdate(device, bed.coapFirmware.coapUri(path));

        assertThat(outcome.result()).isEqualTo(UpdateResult.UPDATE_FAILED);
        assertThat(device.events()).noneMatch(e -> e.detail().contains("crashed"));
    }

    @Test
    void a_radio_that_dies_during_a_download_leaves_the_server_without_an_answer() throws Exception {
        SimDevice device = bed.started(bed.device("silent-1").faults(Faults.none().silentAt(3000)));
        String uri = bed.coapFirmware.coapUri(bed.coapFirmware.serve(TestFirmware.NEW));
        CompletableFuture<DeviceEvent> silent = device.next(DeviceEvent.Type.WENT_SILENT);

        TestBed.assertSuccess(bed.lwm2m.send(device.endpoint(), new WriteRequest(5, 0, 1, uri)));

        assertThat(await(silent).detail()).contains("byte 3000");
        assertThat(bed.lwm2m.trySend(device.endpoint(), new ReadRequest(5, 0, 3), 1000)).isNull();
        assertThat(device.isPoweredOn()).isTrue();
        assertThat(device.runningVersion()).isEqualTo(TestFirmware.OLD_VERSION);
    }

    @Test
    void a_device_silenced_at_once_answers_nothing_until_it_is_powered_off_and_on() throws Exception {
        SimDevice device = bed.started(bed.device("silent-2"));

        await(device.goSilent());

        assertThat(bed.lwm2m.trySend(device.endpoint(), new ReadRequest(3, 0, 3), 1000)).isNull();
        CompletableFuture<DeviceEvent> again = device.next(DeviceEvent.Type.REGISTERED);
        await(device.powerOff());
        await(device.powerOn());
        await(again);
        assertThat(bed.read(device, 3, 3)).isEqualTo("1.0.0+0");
    }

    @Test
    void a_download_that_fails_once_with_connection_lost_succeeds_when_tried_again() throws Exception {
        SimDevice device = bed.started(bed.device("fail-once-1").downloadRetries(2, Duration.ofMillis(20))
                .faults(Faults.none().failDownloadOnce(4000)));
        String uri = bed.coapFirmware.coapUri(bed.coapFirmware.serve(TestFirmware.NEW));

        DeviceEvent first = bed.pullUpdate(device, uri);
        DeviceEvent second = bed.pullUpdate(device, uri);

        assertThat(first.result()).isEqualTo(UpdateResult.CONNECTION_LOST);
        assertThat(device.events()).filteredOn(e -> e.type() == DeviceEvent.Type.DOWNLOAD_INTERRUPTED).hasSize(2);
        assertThat(second.result()).isEqualTo(UpdateResult.SUCCESS);
        assertThat(device.runningVersion()).isEqualTo(TestFirmware.NEW_VERSION);
    }
}
