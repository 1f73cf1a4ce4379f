package dev.ferry.sim.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ferry.sim.testing.TestBed;
import dev.ferry.sim.testing.TestFirmware;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.node.LwM2mMultipleResource;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.ExecuteRequest;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.server.registration.Registration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Push, verification, health checks, reverts, power cuts and what the server sees of them. */
class UpdatingTest {
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
    void a_package_pushed_with_block1_is_installed() throws Exception {
        SimDevice device = bed.started(bed.device("push-1"));
        CompletableFuture<DeviceEvent> downloaded = device.next(e -> e.type() == DeviceEvent.Type.STATE_CHANGED
                && e.state() == FirmwareState.DOWNLOADED);

        TestBed.assertSuccess(bed.lwm2m.send(device.endpoint(),
                new WriteRequest(ContentFormat.OPAQUE, 5, 0, 0, TestFirmware.NEW)));
        DeviceEvent outcome = bed.executeWhenDownloaded(device, downloaded);

        assertThat(outcome.result()).isEqualTo(UpdateResult.SUCCESS);
        assertThat(device.runningVersion()).isEqualTo(TestFirmware.NEW_VERSION);
        assertThat(device.events()).anyMatch(e -> e.type() == DeviceEvent.Type.DOWNLOAD_STARTED
                && e.detail().equals("push"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "corrupt-download, INTEGRITY_CHECK_FAILURE", "foreign-package, UNSUPPORTED_PACKAGE_TYPE" })
    void a_damaged_download_is_refused_without_a_reboot_and_the_next_attempt_succeeds(String fault,
            UpdateResult refusal) throws Exception {
        SimDevice device = bed.started(bed.device("damaged-" + fault).faults(Faults.parse(fault)));
        String path = bed.coapFirmware.serve(TestFirmware.NEW);

        DeviceEvent outcome = bed.pullUpdate(device, bed.coapFirmware.coapUri(path));

        assertThat(outcome.result()).isEqualTo(refusal);
        assertThat(bed.read(device, 5, 5)).isEqualTo((long) refusal.code());
        assertThat(device.runningVersion()).isEqualTo(TestFirmware.OLD_VERSION);
        assertThat(device.events()).noneMatch(e -> e.type() == DeviceEvent.Type.REBOOTING);

        // The fault fired once: the server's next attempt succeeds.
        assertThat(bed.pullUpdate(device, bed.coapFirmware.coapUri(path)).result()).isEqualTo(UpdateResult.SUCCESS);
    }

    @Test
    void a_failed_health_check_reverts_and_the_server_reads_update_failed_and_the_old_version() throws Exception {
        SimDevice device = bed.started(bed.device("unhealthy-1").faults(Faults.none().failHealthCheck()));
        String path = bed.coapFirmware.serve(TestFirmware.NEW);
        CompletableFuture<DeviceEvent> reverted = device.next(DeviceEvent.Type.REVERTED);

        DeviceEvent outcome = bed.pullUpdate(device, bed.coapFirmware.coapUri(path));
        CompletableFuture<Registration> registration = bed.lwm2m.nextRegistration(device.endpoint());

        assertThat(outcome.result()).isEqualTo(UpdateResult.UPDATE_FAILED);
        assertThat(outcome.running()).isEqualTo(TestFirmware.OLD_VERSION);
        assertThat(await(reverted).running()).isEqualTo(TestFirmware.OLD_VERSION);
        await(registration);
        assertThat(bed.read(device, 3, 3)).isEqualTo("1.0.0+0");
        assertThat(bed.read(device, 5, 5)).isEqualTo(8L);
        assertThat(bed.read(device, 5, 3)).isEqualTo(0L);
        assertThat(bed.read(device, 5, 7)).isEqualTo("1.1.0+7");
        assertThat(device.events()).extracting(DeviceEvent::type).containsSubsequence(
                DeviceEvent.Type.REBOOTING, DeviceEvent.Type.BOOTED, DeviceEvent.Type.REGISTERED,
                DeviceEvent.Type.HEALTH_CHECK_FAILED, DeviceEvent.Type.REBOOTING, DeviceEvent.Type.REVERTED);
    }

    @Test
    void a_power_cut_before_confirmation_reverts() throws Exception {
        SimDevice device = bed.started(bed.device("power-trial").faults(Faults.none().powerLossBeforeConfirm()));
        String path = bed.coapFirmware.serve(TestFirmware.NEW);

        DeviceEvent outcome = bed.pullUpdate(device, bed.coapFirmware.coapUri(path));

        assertThat(outcome.result()).isEqualTo(UpdateResult.UPDATE_FAILED);
        assertThat(device.runningVersion()).isEqualTo(TestFirmware.OLD_VERSION);
        assertThat(device.events()).extracting(DeviceEvent::type).containsSubsequence(
                DeviceEvent.Type.POWERED_OFF, DeviceEvent.Type.POWERED_ON, DeviceEvent.Type.REVERTED);
    }

    @Test
    void a_power_cut_during_a_push_reports_connection_lost() throws Exception {
        SimDevice device = bed.started(bed.device("power-push").persistInterval(1024)
                .faults(Faults.none().powerLossDuringDownload(6000)));
        CompletableFuture<DeviceEvent> outcome = device.nextUpdateOutcome();

        // The device dies in the middle of the write and registers again: the server's request is cancelled.
        catchThrowable(() -> bed.lwm2m.trySend(device.endpoint(),
                new WriteRequest(ContentFormat.OPAQUE, 5, 0, 0, TestFirmware.NEW), 1000));

        assertThat(await(outcome).result()).isEqualTo(UpdateResult.CONNECTION_LOST);
    }

    @Test
    void state_and_result_changes_reach_the_server_as_notifications() throws Exception {
        SimDevice device = bed.started(bed.device("observed-1").healthCheckDelay(Duration.ofMillis(300)));
        String endpoint = device.endpoint();
        TestBed.assertSuccess(bed.lwm2m.send(endpoint, new ObserveRequest(5, 0, 3)));
        TestBed.assertSuccess(bed.lwm2m.send(endpoint, new ObserveRequest(5, 0, 5)));
        var downloading = bed.lwm2m.nextNotification(endpoint, "/5/0/3", 1);
        var downloaded = bed.lwm2m.nextNotification(endpoint, "/5/0/3", 2);
        var updating = bed.lwm2m.nextNotification(endpoint, "/5/0/3", 3);
        CompletableFuture<Registration> again = bed.lwm2m.nextRegistration(endpoint);
        CompletableFuture<DeviceEvent> outcome = device.nextUpdateOutcome();

        TestBed.assertSuccess(bed.lwm2m.send(endpoint,
                new WriteRequest(5, 0, 1, bed.coapFirmware.coapUri(bed.coapFirmware.serve(TestFirmware.NEW)))));
        await(downloaded);
        TestBed.assertSuccess(bed.lwm2m.send(endpoint, new ExecuteRequest(5, 0, 2)));
        await(downloading);
        await(updating);

        // After the reboot the server observes again, as Ferry does, and hears of the confirmation.
        await(again);
        var success = bed.lwm2m.nextNotification(endpoint, "/5/0/5", 1);
        TestBed.assertSuccess(bed.lwm2m.send(endpoint, new ObserveRequest(5, 0, 5)));
        assertThat(await(success).value()).isEqualTo(1L);
        assertThat(await(outcome).result()).isEqualTo(UpdateResult.SUCCESS);
    }

    @Test
    void update_without_a_downloaded_package_is_refused() throws Exception {
        SimDevice device = bed.started(bed.device("premature-1"));

        var response = bed.lwm2m.send(device.endpoint(), new ExecuteRequest(5, 0, 2));

        assertThat(response.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(response.getErrorMessage()).contains("state is 0");
    }

    @Test
    void object_5_says_how_packages_may_arrive() throws Exception {
        SimDevice device = bed.started(bed.device("describe-1"));

        ReadResponse protocols = bed.lwm2m.send(device.endpoint(), new ReadRequest(5, 0, 8));

        LwM2mMultipleResource supported = (LwM2mMultipleResource) protocols.getContent();
        assertThat(supported.getInstances()).hasSize(3);
        assertThat(List.of(supported.getValue(0), supported.getValue(1), supported.getValue(2)))
                .containsExactly(0L, 1L, 2L); // CoAP, CoAPS, HTTP
        assertThat(bed.read(device, 5, 9)).isEqualTo(2L);
        assertThat(bed.read(device, 5, 6)).isEqualTo("app");
        assertThat(bed.read(device, 5, 7)).isEqualTo("1.0.0+0");
        assertThat(bed.read(device, 3, 2)).isEqualTo("describe-1");
    }

    @Test
    void a_reboot_executed_by_the_server_brings_the_same_image_back() throws Exception {
        SimDevice device = bed.started(bed.device("reboot-1"));
        CompletableFuture<DeviceEvent> again = device.next(DeviceEvent.Type.REGISTERED);

        TestBed.assertSuccess(bed.lwm2m.send(device.endpoint(), new ExecuteRequest(3, 0, 4)));

        await(again);
        assertThat(device.runningVersion()).isEqualTo(TestFirmware.OLD_VERSION);
        assertThat(device.events()).extracting(DeviceEvent::type).containsSubsequence(DeviceEvent.Type.REBOOTING,
                DeviceEvent.Type.BOOTED, DeviceEvent.Type.REGISTERED);
    }

    @Test
    void unusable_uris_are_reported_with_their_result() throws Exception {
        SimDevice device = bed.started(bed.device("uris-1"));
        String missing = bed.coapFirmware.coapUri("/fw/0000");

        assertThat(bed.pullUpdate(device, "https://127.0.0.1/fw/x").result())
                .isEqualTo(UpdateResult.UNSUPPORTED_PROTOCOL);
        assertThat(bed.pullUpdate(device, "coaps://127.0.0.1/fw/x").result())
                .isEqualTo(UpdateResult.UNSUPPORTED_PROTOCOL); // no PSK on this device
        assertThat(bed.pullUpdate(device, "not a uri").result()).isEqualTo(UpdateResult.INVALID_URI);
        assertThat(bed.pullUpdate(device, missing).result()).isEqualTo(UpdateResult.INVALID_URI);
        assertThat(bed.pullUpdate(device, bed.httpFirmware.uri("/fw/0000")).result())
                .isEqualTo(UpdateResult.INVALID_URI);
    }

    @Test
    void an_empty_uri_cancels_a_download() throws Exception {
        SimDevice device = bed.started(bed.device("cancel-1").faults(Faults.none().slowLink(4_000)));
        String uri = bed.coapFirmware.coapUri(bed.coapFirmware.serve(TestFirmware.NEW));
        CompletableFuture<DeviceEvent> started = device.next(DeviceEvent.Type.DOWNLOAD_STARTED);
        CompletableFuture<DeviceEvent> idle = device.next(e -> e.type() == DeviceEvent.Type.STATE_CHANGED
                && e.state() == FirmwareState.IDLE);

        TestBed.assertSuccess(bed.lwm2m.send(device.endpoint(), new WriteRequest(5, 0, 1, uri)));
        await(started);
        TestBed.assertSuccess(bed.lwm2m.send(device.endpoint(), new WriteRequest(5, 0, 1, "")));

        assertThat(await(idle).result()).isEqualTo(UpdateResult.INITIAL);
        assertThat(bed.read(device, 5, 3)).isEqualTo(0L);
        assertThat(bed.read(device, 5, 1)).isEqualTo("");
    }

    @Test
    void a_sleeping_device_registers_in_queue_mode_and_hears_nothing_while_asleep() throws Exception {
        SimDevice device = bed.build(bed.device("sleepy-1").lifetime(30)
                .faults(Faults.none().sleeping(Duration.ofSeconds(1), Duration.ofMillis(300))));
        CompletableFuture<DeviceEvent> asleep = device.next(DeviceEvent.Type.FELL_ASLEEP);
        CompletableFuture<Registration> registration = bed.lwm2m.nextRegistration(device.endpoint());
        device.start();

        assertThat(await(registration).usesQueueMode()).isTrue();
        await(asleep);
        assertThat(bed.lwm2m.trySend(device.endpoint(), new ReadRequest(3, 0, 3), 500)).isNull();

        // Its next registration update wakes it, and the server knows.
        CompletableFuture<DeviceEvent> awake = device.next(DeviceEvent.Type.WOKE_UP);
        await(bed.lwm2m.nextAwake(device.endpoint()));
        await(awake);
        TestBed.assertSuccess(bed.lwm2m.send(device.endpoint(), new ReadRequest(3, 0, 3)));
    }
}
