package dev.ferry.sim.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The figures of a run: one printed line per figure, and the same as JSON ({@code --json FILE}). */
final class LoadReport {
    private final String label;
    private final PrintStream out;
    private final Map<String, Object> figures = new LinkedHashMap<>();

    LoadReport(String label, PrintStream out) {
        this.label = label;
        this.out = out;
        figures.put("label", label);
    }

    void put(String key, Object value) {
        figures.put(key, value);
    }

    Map<String, Object> figures() {
        return figures;
    }

    void line(String format, Object... args) {
        out.printf(label + ": " + format + "%n", args);
    }

    /** Prints and records one registration round under {@code key} ("registration", "storm", "warmup"). */
    void round(String key, RegistrationRound.Result r, String transport) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("endpoints", r.endpoints());
        values.put("registered", r.registered());
        values.put("refused", r.refused());
        values.put("gaveUp", r.gaveUp());
        values.put("notSent", r.notSent());
        values.put("seconds", round3(r.seconds()));
        values.put("registrationsPerSecond", round3(r.perSecond()));
        values.put("firstRegisterToLastRegisteredSeconds", round3(r.firstToLastSeconds()));
        values.put("p50Ms", round3(r.p50Nanos() / 1e6));
        values.put("p99Ms", round3(r.p99Nanos() / 1e6));
        values.put("maxMs", round3(r.maxNanos() / 1e6));
        values.put("retransmissions", r.retransmissions());
        values.put("failures", r.failures());
        figures.put(key, values);
        line("%s: %d/%d registered over %s in %.1f s: %.0f registrations/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms;"
                + " %d refused, %d gave up, %d not sent, %d retransmissions", key, r.registered(), r.endpoints(),
                transport, r.seconds(), r.perSecond(), r.p50Nanos() / 1e6, r.p99Nanos() / 1e6, r.maxNanos() / 1e6,
                r.refused(), r.gaveUp(), r.notSent(), r.retransmissions());
        if (!r.failures().isEmpty()) {
            line("%s: failures %s", key, r.failures().entrySet().stream().map(e -> e.getValue() + "x " + e.getKey())
                    .collect(Collectors.joining(", ")));
        }
    }

    /** Server CPU per registration during a round and until {@code afterSeconds} after it. */
    void cpu(String key, long duringMillis, long withAfterMillis, int registrations, int afterSeconds) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("duringMs", duringMillis);
        values.put("withAfterMs", withAfterMillis);
        values.put("afterSeconds", afterSeconds);
        values.put("duringMsPerRegistration", round3(duringMillis / (double) Math.max(1, registrations)));
        values.put("withAfterMsPerRegistration", round3(withAfterMillis / (double) Math.max(1, registrations)));
        figures.put(key + "Cpu", values);
        line("%s: server CPU %.2f ms per registration during the round (%d ms), %.2f ms including the %d s after it"
                + " (%d ms)", key, duringMillis / (double) Math.max(1, registrations), duringMillis,
                withAfterMillis / (double) Math.max(1, registrations), afterSeconds, withAfterMillis);
    }

    void heap(long beforeKiB, long afterKiB, int registered, int settleSeconds) {
        double perDevice = (afterKiB - beforeKiB) / (double) Math.max(1, registered);
        figures.put("heap", Map.of("beforeKiB", beforeKiB, "afterKiB", afterKiB, "registered", registered,
                "kibPerDevice", round3(perDevice), "settleSeconds", settleSeconds));
        line("server heap %d KiB before, %d KiB with %d devices registered: %.2f KiB per device (after %d s settle)",
                beforeKiB, afterKiB, registered, perDevice, settleSeconds);
    }

    void dtls(DtlsTransport dtls) {
        Map<String, Long> suites = dtls.suites();
        figures.put("dtls", Map.of("handshakes", dtls.handshakes(), "failedHandshakes", dtls.failedHandshakes(),
                "retransmittedFlights", dtls.retransmittedFlights(), "cipherSuites", suites));
        line("DTLS handshakes %d (%s), %d failed, %d flights retransmitted", dtls.handshakes(),
                suites.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue())
                        .collect(Collectors.joining(", ")), dtls.failedHandshakes(), dtls.retransmittedFlights());
    }

    void counters(LoadCounters counters) {
        Map<String, Long> values = counters.snapshot();
        figures.put("endpoints", values);
        line("endpoints answered %d reads (%d refused), %d observes, %d writes, %d executes, %d other;"
                + " %d updates (%d failed), %d registered again after 4.04, %d deregistrations;"
                + " %d send errors, %d malformed, %d stray datagrams", values.get("reads"), values.get("readsRefused"),
                values.get("observes"), values.get("writes"), values.get("executes"), values.get("otherRequests"),
                values.get("updates"), values.get("updatesFailed"), values.get("reRegistrations"),
                values.get("deregistrations"), values.get("sendErrors"), values.get("malformed"),
                values.get("strayDatagrams"));
    }

    void writeJson(Path file) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), figures);
    }

    private static double round3(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
