package dev.ferry.sim.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.sim.device.DeviceEvent;
import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.SimDevice;
import dev.ferry.sim.device.UpdateResult;
import dev.ferry.sim.testing.TestBed;
import dev.ferry.sim.testing.TestFirmware;
import dev.ferry.sim.testing.TestProvisioningApi;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.leshan.core.request.ExecuteRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SimFleetTest {
    private static TestBed bed;
    private static TestProvisioningApi api;

    @BeforeAll
    static void servers() throws Exception {
        bed = new TestBed();
        api = new TestProvisioningApi(bed.lwm2m);
    }

    @AfterAll
    static void stop() {
        api.close();
        bed.close();
    }

    private static SimFleet.Builder fleet(int devices, String prefix) {
        return SimFleet.builder().devices(devices).endpointPrefix(prefix).server(bed.lwm2m.coapUri())
                .primaryImage(TestFirmware.OLD).trustedKeys(TestFirmware.TRUSTED).threads(4)
                .eachDevice(d -> d.rebootDelay(Duration.ofMillis(50)).coapTimeouts(Duration.ofMillis(300), 4));
    }

    @Test
    void a_fleet_with_a_quarter_failing_its_health_check_ends_with_those_reverted() throws Exception {
        try (SimFleet fleet = fleet(12, "fleet-a-").faults(FaultPlan.none().with(0.25, Faults.none().failHealthCheck()))
                .seed(7).build()) {
            fleet.start().get(TestBed.WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(fleet.summary().registered()).isEqualTo(12);

            String uri = bed.coapFirmware.coapUri(bed.coapFirmware.serve(TestFirmware.NEW));
            List<CompletableFuture<DeviceEvent>> downloaded = new ArrayList<>();
            List<CompletableFuture<DeviceEvent>> outcomes = new ArrayList<>();
            for (SimDevice device : fleet.devices()) {
                downloaded.add(device.next(e -> e.type() == DeviceEvent.Type.DOWNLOAD_FINISHED));
                outcomes.add(device.nextUpdateOutcome());
                TestBed.assertSuccess(bed.lwm2m.send(device.endpoint(), new WriteRequest(5, 0, 1, uri)));
            }
            CompletableFuture.allOf(downloaded.toArray(new CompletableFuture<?>[0]))
                    .get(TestBed.WAIT_SECONDS, TimeUnit.SECONDS);
            for (SimDevice device : fleet.devices()) {
                TestBed.assertSuccess(bed.lwm2m.send(device.endpoint(), new ExecuteRequest(5, 0, 2)));
            }
            CompletableFuture.allOf(outcomes.toArray(new CompletableFuture<?>[0]))
                    .get(TestBed.WAIT_SECONDS, TimeUnit.SECONDS);

            FleetSummary summary = fleet.summary();
            assertThat(summary.succeeded()).isEqualTo(9);
            assertThat(summary.reverted()).isEqualTo(3);
            assertThat(summary.failedTotal()).isZero();
            assertThat(summary.versions()).isEqualTo(Map.of("1.0.0+0", 3, "1.1.0+7", 9));
            assertThat(summary.faulty()).isEqualTo(3);
            assertThat(summary.format()).contains("succeeded 9", "reverted 3", "running 1.0.0+0 x3, 1.1.0+7 x9");
        }
    }

    @Test
    void devices_provisioned_through_the_api_register_with_the_keys_the_server_generated() throws Exception {
        ApiProvisioner provisioner = new ApiProvisioner(URI.create(api.uri()),
                ApiProvisioner.KeySource.SERVER_GENERATED, false, TestProvisioningApi.TOKEN);
        try (SimFleet fleet = fleet(4, "fleet-psk-").server(bed.lwm2m.coapsUri()).provisioner(provisioner).build()) {
            fleet.start().get(TestBed.WAIT_SECONDS, TimeUnit.SECONDS);

            assertThat(fleet.summary().registered()).isEqualTo(4);
        }
        assertThatThrownBy(() -> provisioner.provision(List.of("fleet-psk-0"), true))
                .hasMessageContaining("fleet-psk-0 is provisioned already");

        ApiProvisioner replacing = new ApiProvisioner(URI.create(api.uri()),
                ApiProvisioner.KeySource.SERVER_GENERATED, true, TestProvisioningApi.TOKEN);
        try (SimFleet fleet = fleet(2, "fleet-psk-").server(bed.lwm2m.coapsUri()).provisioner(replacing).build()) {
            fleet.start().get(TestBed.WAIT_SECONDS, TimeUnit.SECONDS);

            assertThat(fleet.summary().registered()).isEqualTo(2);
        }
    }

    @Test
    void derived_keys_survive_a_second_provisioning() throws Exception {
        ApiProvisioner provisioner = new ApiProvisioner(URI.create(api.uri() + "/"), ApiProvisioner.KeySource.DERIVED,
                false, TestProvisioningApi.TOKEN);

        Map<String, DeviceCredentials> first = provisioner.provision(List.of("derived-0"), true);
        Map<String, DeviceCredentials> again = provisioner.provision(List.of("derived-0"), true);

        assertThat(again.get("derived-0").key()).isEqualTo(first.get("derived-0").key());
        assertThat(provisioner.provision(List.of("plain-0"), false).get("plain-0").hasPsk()).isFalse();
    }

    @Test
    void provisioning_without_the_api_token_is_refused_with_the_servers_answer() {
        ApiProvisioner anonymous = new ApiProvisioner(URI.create(api.uri()), ApiProvisioner.KeySource.DERIVED, false,
                null);

        assertThatThrownBy(() -> anonymous.provision(List.of("anonymous-0"), true)).hasMessageContaining("401");
    }

    @Test
    void fault_groups_are_disjoint_and_the_same_for_the_same_seed() {
        FaultPlan plan = FaultPlan.none().with(0.1, Faults.none().failHealthCheck())
                .with(0.2, Faults.none().corruptDownload());

        List<Faults> faults = plan.assign(100, 3);

        assertThat(faults).filteredOn(Faults::failsHealthCheck).hasSize(10);
        assertThat(faults).filteredOn(Faults::corruptsDownload).hasSize(20);
        assertThat(faults).filteredOn(f -> f.failsHealthCheck() && f.corruptsDownload()).isEmpty();
        assertThat(plan.assign(100, 3)).extracting(Faults::toString)
                .isEqualTo(faults.stream().map(Faults::toString).toList());
        assertThat(plan.assign(100, 4)).extracting(Faults::toString)
                .isNotEqualTo(faults.stream().map(Faults::toString).toList());
        assertThatThrownBy(() -> plan.with(0.8, Faults.none())).hasMessageContaining("at most 1");
    }

    @Test
    void faults_read_back_what_they_write() {
        Faults faults = Faults.parse("fail-health-check, drop-connection-at=64kx3,loss=0.05, slow-link=2k,"
                + "sleeping=30s/5s,power-loss-during-download=8k,power-loss-before-confirm,latency=20ms,corrupt-download,"
                + "foreign-package,refuse-pushed-package,refuse-update,update-without-reboot,ignore-update,"
                + "fail-download-once=4k,silent-at=2k,crash-loop=4/200ms");

        assertThat(faults.dropConnectionOffset()).isEqualTo(64 * 1024);
        assertThat(faults.connectionDrops()).isEqualTo(3);
        assertThat(faults.sleepPeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(faults.refusesPushedPackages() && faults.refusesUpdate() && faults.updatesWithoutReboot()
                && faults.ignoresUpdate()).isTrue();
        assertThat(faults.failDownloadOnceOffset()).isEqualTo(4096);
        assertThat(faults.silentOffset()).isEqualTo(2048);
        assertThat(faults.crashLoopReboots()).isEqualTo(4);
        assertThat(faults.crashLoopUpTime()).isEqualTo(Duration.ofMillis(200));
        assertThat(Faults.parse(faults.toString()).toString()).isEqualTo(faults.toString());
        assertThat(Faults.parse("none").isNone()).isTrue();
        assertThatThrownBy(() -> Faults.parse("gremlins")).hasMessageContaining("unknown fault 'gremlins'");
        assertThatThrownBy(() -> Faults.parse("loss")).hasMessageContaining("needs a value");
    }
}
