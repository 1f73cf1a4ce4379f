package dev.ferry.sim.load;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;

import dev.ferry.sim.BenchKeys;
import dev.ferry.sim.bench.ServerGauge;

/**
 * The phases of a load run: provisioning, warm-up round (registered, then deregistered), the measured round,
 * the storm, heap after the settle time, hold, deregistration. Every wait ends at the run's deadline.
 */
final class LoadRun {
    /** What to run; see {@link LoadCommand} for each option. */
    record Plan(URI server, String api, int devices, String prefix, int firstIndex, int warmup, int concurrency,
            double rate, boolean storm, long stormWindowMillis, boolean stormCold, Long serverPid, int afterSeconds,
            int settleSeconds, int holdSeconds, boolean deregister, long lifetimeSeconds, List<Integer> objects,
            int threads, int dtlsThreads, List<CipherSuite> cipherSuites, String label, Path json, int firstOctet,
            long maxSeconds, String token, String notifyPath, long notifyMillis, int notifySeconds,
            int observeWaitSeconds) {
        boolean secure() {
            return "coaps".equals(server.getScheme());
        }
    }

    private final Plan plan;
    private final LoadReport report;
    private final long deadline;
    private boolean allWell = true;

    LoadRun(Plan plan, PrintStream out) {
        this.plan = plan;
        this.report = new LoadReport(plan.label(), out);
        this.deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(plan.maxSeconds());
    }

    /** Runs the plan; true when every Register of every round was answered 2.01 within the deadline. */
    boolean run() throws Exception {
        InetSocketAddress server = serverAddress(plan.server());
        LoadFleet.checkOpenFileLimit(Math.max(plan.devices(), plan.warmup()));
        if (plan.api() != null) {
            provision();
        }
        Transport transport = plan.secure()
                ? new DtlsTransport(plan.devices() + plan.warmup(), plan.dtlsThreads(), plan.cipherSuites())
                : new PlainTransport();
        LoadCounters counters = new LoadCounters();
        LoadEndpoint.Shared shared = new LoadEndpoint.Shared(server, transport,
                ObjectValues.of(plan.objects(), plan.lifetimeSeconds()), counters, plan.lifetimeSeconds(),
                Math.max(1_000, plan.lifetimeSeconds() * 900),
                plan.notifyPath() == null ? null : new Notifications.Plan(plan.notifyPath(), plan.notifyMillis()));
        ServerGauge probe = plan.serverPid() == null ? null : gaugeOf(plan.serverPid());
        try (LoadFleet fleet = new LoadFleet(shared, plan.threads(), plan.firstOctet())) {
            if (plan.warmup() > 0) {
                warmUp(fleet, counters);
            }
            List<LoadEndpoint> endpoints = fleet.open(plan.prefix(), plan.firstIndex(), plan.devices());
            long heapBefore = probe == null ? -1 : probe.heapUsedKiB(true);
            if (!plan.storm() || !plan.stormCold()) {
                measuredRound("registration", endpoints, counters, probe, false);
            }
            if (shared.notifications() != null) {
                notificationRound(shared.notifications(), endpoints, fleet, counters, probe);
            }
            if (plan.storm()) {
                if (!plan.stormCold()) {
                    // the outage: every endpoint forgets its registration and DTLS session, as after power loss
                    check(fleet.forget(endpoints, deadline), "forgetting the registrations");
                }
                measuredRound("storm", endpoints, counters, probe, true);
            }
            if (transport instanceof DtlsTransport dtls) {
                report.dtls(dtls);
            }
            if (probe != null) {
                pause(plan.settleSeconds());
                report.heap(heapBefore, probe.heapUsedKiB(true), fleet.registered(endpoints, deadline),
                        plan.settleSeconds());
            }
            pause(plan.holdSeconds());
            if (plan.deregister()) {
                int registered = fleet.registered(endpoints, deadline);
                int confirmed = fleet.deregister(endpoints, plan.concurrency(), deadline);
                report.put("deregistered", confirmed);
                report.line("deregistered %d of %d registered endpoints", confirmed, registered);
                allWell &= confirmed == registered;
            }
            report.counters(counters);
            fleet.close(endpoints, deadline);
        } finally {
            report.put("complete", allWell);
            if (plan.json() != null) {
                report.writeJson(plan.json());
            }
        }
        return allWell;
    }

    /** Provisions the run's devices, warm-up ones included, through the API. */
    void provision() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < plan.warmup(); i++) {
            names.add(BenchKeys.endpoint(plan.prefix() + "-warm", i));
        }
        for (int i = plan.firstIndex(); i < plan.firstIndex() + plan.devices(); i++) {
            names.add(BenchKeys.endpoint(plan.prefix(), i));
        }
        long started = System.nanoTime();
        int there = ApiProvisioning.provision(plan.api(), plan.token(), names, plan.secure());
        report.line("provisioned %d devices through %s in %.1f s (%d already there)", names.size(), plan.api(),
                (System.nanoTime() - started) / 1e9, there);
    }

    private void warmUp(LoadFleet fleet, LoadCounters counters) throws Exception {
        List<LoadEndpoint> warm = fleet.open(plan.prefix() + "-warm", 0, plan.warmup());
        RegistrationRound round = new RegistrationRound(warm, counters);
        check(round.runLimited(plan.concurrency(), plan.rate(), deadline), "the warm-up round");
        report.round("warmup", round.result(), fleet.transport().name());
        fleet.deregister(warm, plan.concurrency(), deadline);
        fleet.close(warm, deadline);
        pause(plan.afterSeconds()); // what the server writes behind the warm-up lands before the measured round
    }

    private void measuredRound(String key, List<LoadEndpoint> endpoints, LoadCounters counters, ServerGauge probe,
            boolean storm) throws Exception {
        RegistrationRound round = new RegistrationRound(endpoints, counters);
        long cpuBefore = probe == null ? 0 : probe.cpuMillis();
        boolean complete = storm ? round.runStorm(plan.stormWindowMillis(), deadline)
                : round.runLimited(plan.concurrency(), plan.rate(), deadline);
        long cpuDuring = probe == null ? 0 : probe.cpuMillis() - cpuBefore;
        check(complete, "the " + key + " round");
        RegistrationRound.Result result = round.result();
        report.round(key, result, transportName());
        allWell &= result.registered() == result.endpoints();
        if (probe != null) {
            pause(plan.afterSeconds());
            report.cpu(key, cpuDuring, probe.cpuMillis() - cpuBefore, result.registered(), plan.afterSeconds());
        }
    }

    /**
     * Waits until the server observes the notified path on every registered endpoint (its observation profile
     * reached them), then lets them notify for {@code --notify-seconds}, reading the server's CPU meanwhile.
     */
    private void notificationRound(Notifications.Plan notify, List<LoadEndpoint> endpoints, LoadFleet fleet,
            LoadCounters counters, ServerGauge probe) throws Exception {
        int registered = fleet.registered(endpoints, deadline);
        long waitUntil = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(plan.observeWaitSeconds()));
        long waitStarted = System.nanoTime();
        while (counters.notifiedObservations.sum() < registered && System.nanoTime() < waitUntil) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        long observed = counters.notifiedObservations.sum();
        report.put("observedEndpoints", observed);
        report.line("the server observes %s on %d of %d registered endpoints (%.1f s after registration)",
                notify.path, observed, registered, (System.nanoTime() - waitStarted) / 1e9);
        allWell &= observed == registered;
        long sentBefore = counters.notifications.sum();
        long cpuBefore = probe == null ? 0 : probe.cpuMillis();
        long started = System.nanoTime();
        notify.running = true;
        pause(plan.notifySeconds());
        notify.running = false;
        double seconds = (System.nanoTime() - started) / 1e9;
        long sent = counters.notifications.sum() - sentBefore;
        report.put("notifications", sent);
        report.put("notificationsPerSecond", Math.round(sent / seconds));
        report.line("%d endpoints sent %d notifications of %s in %.1f s: %.0f/s offered (every %d ms each)", observed,
                sent, notify.path, seconds, sent / seconds, notify.periodMillis);
        if (probe != null && sent > 0) {
            long cpu = probe.cpuMillis() - cpuBefore;
            report.put("serverCpuMsPerNotification", Math.round(cpu * 1000.0 / sent) / 1000.0);
            report.line("server CPU during the notifications: %.1f s, %.3f ms per notification sent", cpu / 1000.0,
                    (double) cpu / sent);
        }
    }

    private String transportName() {
        return plan.secure() ? "DTLS-PSK" : "CoAP";
    }

    private void check(boolean complete, String what) {
        if (!complete) {
            allWell = false;
            report.line("%s did not finish before the run's deadline (--max-seconds %d)", what, plan.maxSeconds());
        }
    }

    /** The server to measure, refused at once when there is no such process to read. */
    private static ServerGauge gaugeOf(long pid) {
        if (!Files.isReadable(Path.of("/proc/" + pid + "/stat"))) {
            throw new IllegalArgumentException("no process " + pid + " to measure (/proc/" + pid + "/stat unreadable)");
        }
        return new ServerGauge(pid);
    }

    private void pause(int seconds) throws InterruptedException {
        long nanos = Math.min(TimeUnit.SECONDS.toNanos(seconds), deadline - System.nanoTime());
        if (nanos > 0) {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    }

    private static InetSocketAddress serverAddress(URI uri) {
        String scheme = uri.getScheme();
        if (!"coap".equals(scheme) && !"coaps".equals(scheme) || uri.getHost() == null) {
            throw new IllegalArgumentException("--server must be coap://host:port or coaps://host:port, not " + uri);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : "coaps".equals(scheme) ? 5684 : 5683;
        InetSocketAddress address = new InetSocketAddress(uri.getHost(), port);
        if (address.isUnresolved() || address.getAddress().getAddress().length != 4) {
            throw new IllegalArgumentException("--server must be an IPv4 address the loopback endpoints can reach: "
                    + uri);
        }
        return address;
    }
}
