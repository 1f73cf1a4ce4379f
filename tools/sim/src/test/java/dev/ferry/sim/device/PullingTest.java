package dev.ferry.sim.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.image.ImageVersion;
import dev.ferry.sim.testing.TestBed;
import dev.ferry.sim.testing.TestFirmware;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Pulls over CoAP, CoAP/DTLS and HTTP from real servers, with and without interruptions. */
class PullingTest {
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

    @ParameterizedTest
    @ValueSource(ints = {16, 64, 512, 1024})
    void pulls_over_coap_with_the_block_size_it_asks_for(int blockSize) throws Exception {
        SimDevice device = bed.started(bed.device("coap-" + blockSize).coapBlockSize(blockSize));
        String path = bed.coapFirmware.serve(TestFirmware.NEW);

        var newRegistration = bed.lwm2m.nextRegistration(device.endpoint());
        DeviceEvent outcome = bed.pullUpdate(device, bed.coapFirmware.coapUri(path));

        assertThat(outcome.result()).isEqualTo(UpdateResult.SUCCESS);
        assertThat(device.runningVersion()).isEqualTo(TestFirmware.NEW_VERSION);
        assertThat(bed.coapFirmware.requests()).contains("0@" + blockSize, "3@" + blockSize);
        newRegistration.get(TestBed.WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(bed.read(device, 3, 3)).isEqualTo("1.1.0+7");
        assertThat(bed.read(device, 5, 5)).isEqualTo(1L);
        assertThat(bed.read(device, 5, 7)).isEqualTo("1.1.0+7");
    }

    @Test
    void pulls_over_coaps_with_its_own_psk() throws Exception {
        byte[] key = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        bed.lwm2m.addPsk("secure-1", "secure-1-id", key);
        bed.coapFirmware.allowPsk("secure-1-id", key);
        SimDevice device = bed.started(bed.device("secure-1").server(bed.lwm2m.coapsUri()).psk("secure-1-id", key));
        String path = bed.coapFirmware.serve(TestFirmware.NEW);

        DeviceEvent outcome = bed.pullUpdate(device, bed.coapFirmware.coapsUri(path));

        assertThat(outcome.result()).isEqualTo(UpdateResult.SUCCESS);
        assertThat(device.runningVersion()).isEqualTo(TestFirmware.NEW_VERSION);
    }

    @Test
    void pulls_over_http_and_resumes_with_a_range_after_a_dropped_connection() throws Exception {
        SimDevice device = bed.started(bed.device("http-drop").faults(Faults.none().dropConnectionAt(8000)));
        String path = bed.httpFirmware.serve(TestFirmware.NEW);

        DeviceEvent outcome = bed.pullUpdate(device, bed.httpFirmware.uri(path));

        assertThat(outcome.result()).isEqualTo(UpdateResult.SUCCESS);
        assertThat(bed.httpFirmware.ranges()).containsSubsequence("-", "bytes=8000-");
        assertThat(device.events()).anyMatch(e -> e.type() == DeviceEvent.Type.DOWNLOAD_INTERRUPTED
                && e.bytes() == 8000);
        assertThat(device.events()).anyMatch(e -> e.type() == DeviceEvent.Type.DOWNLOAD_RESUMED && e.bytes() == 8000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"coap", "http"})
    void a_package_that_changed_before_the_resume_is_downloaded_again_from_zero(String scheme) throws Exception {
        byte[] changed = FirmwareImages.signed(new ImageVersion(1, 2, 0, 0), 20_000, TestFirmware.KEY);
        SimDevice device = bed.started(bed.device("changed-" + scheme).downloadRetries(5, Duration.ofMillis(300))
                .faults(Faults.none().dropConnectionAt(6000)));
        boolean coap = scheme.equals("coap");
        String path = coap ? bed.coapFirmware.serve(TestFirmware.NEW) : bed.httpFirmware.serve(TestFirmware.NEW);
        device.addListener(event -> {
            if (event.type() == DeviceEvent.Type.DOWNLOAD_INTERRUPTED) {
                if (coap) {
                    bed.coapFirmware.replace(path, changed);
                } else {
                    bed.httpFirmware.replace(path, changed);
                }
            }
        });

        DeviceEvent outcome = bed.pullUpdate(device, coap ? bed.coapFirmware.coapUri(path) : bed.httpFirmware.uri(path));

        assertThat(outcome.result()).isEqualTo(UpdateResult.SUCCESS);
        assertThat(device.runningVersion()).hasToString("1.2.0+0");
    }

    @Test
    void a_coap_pull_resumes_from_the_block_it_lost() throws Exception {
        SimDevice device = bed.started(bed.device("coap-drop").coapBlockSize(512)
                .faults(Faults.none().dropConnectionAt(5000)));
        String path = bed.coapFirmware.serve(TestFirmware.NEW);

        DeviceEvent outcome = bed.pullUpdate(device, bed.coapFirmware.coapUri(path));

        assertThat(outcome.result()).isEqualTo(UpdateResult.SUCCESS);
        // Blocks 0..9 hold bytes 0..5119; the cut at 5000 falls in block 9, asked for again on resume.
        assertThat(bed.coapFirmware.requests()).containsSubsequence("9@512", "9@512", "10@512");
    }

    @Test
    void a_connection_that_keeps_dropping_ends_with_connection_lost() throws Exception {
        SimDevice device = bed.started(bed.device("coap-gone").downloadRetries(3, Duration.ofMillis(20))
                .faults(Faults.none().dropConnectionAt(3000, 10)));
        String path = bed.coapFirmware.serve(TestFirmware.NEW);

        DeviceEvent outcome = bed.pullUpdate(device, bed.coapFirmware.coapUri(path));

        assertThat(outcome.result()).isEqualTo(UpdateResult.CONNECTION_LOST);
        assertThat(device.runningVersion()).isEqualTo(TestFirmware.OLD_VERSION);
        assertThat(device.events()).filteredOn(e -> e.type() == DeviceEvent.Type.DOWNLOAD_INTERRUPTED).hasSize(3);
    }

    @Test
    void a_lossy_link_still_delivers_the_update() throws Exception {
        SimDevice device = bed.started(bed.device("lossy").coapBlockSize(1024).seed(42)
                .coapTimeouts(Duration.ofMillis(100), 8).faults(Faults.none().lossRate(0.2)));
        String path = bed.coapFirmware.serve(TestFirmware.NEW);

        DeviceEvent outcome = bed.pullUpdate(device, bed.coapFirmware.coapUri(path));

        assertThat(outcome.result()).isEqualTo(UpdateResult.SUCCESS);
        assertThat(device.droppedDatagrams()).isPositive();
    }

    @Test
    void a_power_cut_during_a_pull_resumes_from_the_last_checkpoint() throws Exception {
        SimDevice device = bed.started(bed.device("power-pull").coapBlockSize(512).persistInterval(4096)
                .faults(Faults.none().powerLossDuringDownload(10_000)));
        String path = bed.coapFirmware.serve(TestFirmware.NEW);

        DeviceEvent outcome = bed.pullUpdate(device, bed.coapFirmware.coapUri(path));

        assertThat(outcome.result()).isEqualTo(UpdateResult.SUCCESS);
        assertThat(device.events()).extracting(DeviceEvent::type).containsSubsequence(
                DeviceEvent.Type.POWERED_OFF, DeviceEvent.Type.POWERED_ON, DeviceEvent.Type.REGISTERED,
                DeviceEvent.Type.DOWNLOAD_RESUMED, DeviceEvent.Type.DOWNLOAD_FINISHED);
        assertThat(device.events()).anyMatch(e -> e.type() == DeviceEvent.Type.DOWNLOAD_RESUMED && e.bytes() == 8192);
    }
}
