package dev.ferry.sim.load;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry-sim load}: many lightweight LwM2M endpoints over a few threads, each on its own loopback address,
 * registering with a server over CoAP or DTLS-PSK; measures as {@code ferry-sim bench} does, and can storm.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Register up to 100,000 lightweight endpoints (each on its own 127.x.y.z address) and measure "
                + "the server: registrations/s, latency, CPU and heap; --storm for a registration storm.")
public final class LoadCommand implements Callable<Integer> {
    @Option(names = "--server", required = true, description = "coap://127.0.0.1:5683 or coaps://127.0.0.1:5684")
    URI server;

    @Option(names = "--api", description = "Ferry's HTTP API (e.g. http://127.0.0.1:8080) to provision the devices;"
            + " 409 (already there) is fine")
    String api;

    @picocli.CommandLine.Mixin
    dev.ferry.sim.http.ApiToken token = new dev.ferry.sim.http.ApiToken();

    @Option(names = "--provision-only", description = "With --api: provision the devices and end")
    boolean provisionOnly;

    @Option(names = "--devices", defaultValue = "1000")
    int devices;

    @Option(names = "--prefix", defaultValue = "bench", description = "Endpoint names <prefix>-0, <prefix>-1...")
    String prefix;

    @Option(names = "--first-index", defaultValue = "0",
            description = "Number of the first endpoint, for several processes sharing one fleet of names")
    int firstIndex;

    @Option(names = "--warmup", defaultValue = "0",
            description = "Endpoints <prefix>-warm-<i> that register and deregister first, not counted")
    int warmup;

    @Option(names = "--concurrency", defaultValue = "50", description = "Registrations in flight at once")
    int concurrency;

    @Option(names = "--rate", defaultValue = "0", description = "At most this many Registers started per second"
            + " (0: no limit but --concurrency), e.g. to offer the rate another generator reached")
    double rate;

    @Option(names = "--storm", description = "After the first round, every endpoint forgets its registration and "
            + "DTLS session and registers again within --storm-window-ms, without a concurrency limit")
    boolean storm;

    @Option(names = "--storm-window-ms", defaultValue = "1000")
    long stormWindowMillis;

    @Option(names = "--storm-cold", description = "With --storm: no first round, the storm is the endpoints' first "
            + "registration (a server that has just started)")
    boolean stormCold;

    @Option(names = "--server-pid", description = "Server process id, to read its CPU time and heap")
    Long serverPid;

    @Option(names = "--after-seconds", defaultValue = "5",
            description = "CPU is read again this long after each round (Ferry writes registrations behind)")
    int afterSeconds;

    @Option(names = "--settle-seconds", defaultValue = "0", description = "Wait this long, endpoints registered, "
            + "before measuring heap: 540 outlasts Ferry's deduplicator (~494 s), 260 plain Leshan's (~247 s)")
    int settleSeconds;

    @Option(names = "--hold-seconds", defaultValue = "0",
            description = "Keep the endpoints registered this long after the measurements (answering, updating)")
    int holdSeconds;

    @Option(names = "--no-deregister", description = "Leave the endpoints registered at the end")
    boolean noDeregister;

    @Option(names = "--lifetime", defaultValue = "3600",
            description = "Registration lifetime, seconds; each endpoint updates after 90% of it")
    long lifetime;

    @Option(names = "--objects", split = ",", defaultValue = "1,3,5",
            description = "Objects registered (instance 0 each), of 1, 3, 5")
    List<Integer> objects;

    @Option(names = "--threads", defaultValue = "2", description = "Selector threads serving all endpoints")
    int threads;

    @Option(names = "--dtls-threads", defaultValue = "4", description = "Scandium connector threads")
    int dtlsThreads;

    @Option(names = "--cipher-suites", split = ",", defaultValue = "TLS_PSK_WITH_AES_128_CCM_8",
            description = "DTLS cipher suites offered, in order")
    List<String> cipherSuites;

    @Option(names = "--first-octet", defaultValue = "1",
            description = "Endpoints get 127.<first-octet>.1.1, 127.<first-octet>.1.2 ... (250 x 250 per octet)")
    int firstOctet;

    @Option(names = "--max-seconds", defaultValue = "3600", description = "The whole run ends by then at the latest")
    long maxSeconds;

    @Option(names = "--label", defaultValue = "server")
    String label;

    @Option(names = "--json", description = "Write the figures to this file as JSON")
    Path json;

    @Option(names = "--notify-path", description = "After registering, once the server observes this resource"
            + " (e.g. /3/0/10, through its observation profile), every endpoint notifies it every --notify-ms for"
            + " --notify-seconds, the value being the time it was sent in epoch milliseconds")
    String notifyPath;

    @Option(names = "--notify-ms", defaultValue = "5000", description = "Period of each endpoint's notifications")
    long notifyMillis;

    @Option(names = "--notify-seconds", defaultValue = "30", description = "How long the endpoints notify")
    int notifySeconds;

    @Option(names = "--observe-wait-seconds", defaultValue = "120",
            description = "How long to wait for the server to observe --notify-path on every endpoint")
    int observeWaitSeconds;

    @Override
    public Integer call() throws Exception {
        if (devices < 1 || concurrency < 1 || threads < 1 || dtlsThreads < 1) {
            throw new IllegalArgumentException("--devices, --concurrency, --threads and --dtls-threads must be >= 1");
        }
        if (notifyPath != null && (notifyMillis < 1 || notifySeconds < 1)) {
            throw new IllegalArgumentException("--notify-ms and --notify-seconds must be >= 1");
        }
        List<CipherSuite> suites = new ArrayList<>();
        for (String name : cipherSuites) {
            CipherSuite suite = CipherSuite.getTypeByName(name);
            if (suite == null || !suite.isPskBased()) {
                throw new IllegalArgumentException(name + " is not a PSK cipher suite Scandium knows");
            }
            suites.add(suite);
        }
        LoadRun.Plan plan = new LoadRun.Plan(server, api, devices, prefix, firstIndex, warmup, concurrency, rate,
                storm, stormWindowMillis, stormCold, serverPid, afterSeconds, settleSeconds, holdSeconds, !noDeregister,
                lifetime, objects, threads, dtlsThreads, suites, label, json, firstOctet, maxSeconds,
                token.value(), notifyPath, notifyMillis, notifySeconds, observeWaitSeconds);
        try {
            if (provisionOnly) {
                if (api == null) {
                    throw new IllegalArgumentException("--provision-only needs --api");
                }
                new LoadRun(plan, System.out).provision();
                return 0;
            }
            return new LoadRun(plan, System.out).run() ? 0 : 1;
        } catch (IllegalStateException | IllegalArgumentException e) {
            System.err.println("ferry-sim load: " + e.getMessage());
            return 2;
        }
    }
}
