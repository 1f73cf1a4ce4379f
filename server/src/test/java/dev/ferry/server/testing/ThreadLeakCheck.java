package dev.ferry.server.testing;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves running what it started: a server, a Vert.x instance, a CoAP endpoint or a
 * LwM2M client whose threads outlive the class. Threads that were already running before the class started
 * are not its concern. A thread counts when it is not a daemon, or when its name shows that it belongs to an
 * endpoint, a client or a server. Registered for every test class through JUnit's extension auto-detection
 * (src/test/resources/META-INF/services).
 */
public final class ThreadLeakCheck implements BeforeAllCallback, AfterAllCallback {
    /**
     * Threads of things a test must close: Californium connectors and executors, Leshan, Vert.x, H2, Hikari, the
     * server's audit writer.
     */
    private static final Pattern OWNED = Pattern.compile(
            "(?i)(UDP-|DTLS-|Coap|Leshan|vert\\.x-|MVStore|HikariPool|sim-|ferry-audit-).*");
    /** Time given to threads that are stopping when the class ends. */
    private static final Duration GRACE = Duration.ofSeconds(10);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
            ThreadLeakCheck.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put("before", Set.copyOf(Thread.getAllStackTraces().keySet()));
    }

    @Override
    @SuppressWarnings("unchecked")
    public void afterAll(ExtensionContext context) throws InterruptedException {
        Set<Thread> before = context.getStore(NAMESPACE).get("before", Set.class);
        long deadline = System.nanoTime() + GRACE.toNanos();
        List<Thread> left = lingering(before);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            left.get(0).join(50);
            left = lingering(before);
        }
        if (!left.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + " left " + left.size() + " thread(s) running "
                    + GRACE.toSeconds() + " s after its last test; close what the tests start:\n"
                    + left.stream().map(ThreadLeakCheck::describe).collect(Collectors.joining("\n")));
        }
    }

    private static List<Thread> lingering(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> !before.contains(thread) && thread.isAlive())
                .filter(thread -> !thread.isDaemon() || OWNED.matcher(thread.getName()).matches())
                .sorted(Comparator.comparing(Thread::getName))
                .toList();
    }

    private static String describe(Thread thread) {
        StackTraceElement[] stack = thread.getStackTrace();
        StringBuilder text = new StringBuilder("  ").append(thread.getName())
                .append(thread.isDaemon() ? " (daemon)" : "").append(' ').append(thread.getState());
        for (int i = 0; i < Math.min(stack.length, 6); i++) {
            text.append("\n      at ").append(stack[i]);
        }
        return text.toString();
    }
}
