package dev.ferry.server.audit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventListener;

/**
 * Appends the transitions the device event bus carries: provisioning ({@code device.provisioning}: provisioned,
 * changed, deprovisioned), update sessions ({@code update.session}: each state a session enters) and rollouts
 * ({@code rollout.transition}: each state a rollout, one of its waves or one of its devices enters). Registration
 * traffic (registered, updated, deregistered, expired, rejected) is the device event log's business, not the
 * audit log's: it is neither an operator's act nor a change the server decided. Only queues: the bus calls this
 * on the threads that committed the event, which must not wait.
 */
public final class TransitionAuditor implements DeviceEventListener {
    private static final Logger LOG = LoggerFactory.getLogger(TransitionAuditor.class);
    /** "update 7 failed (timeout): ..." as the update repository writes it. */
    private static final Pattern UPDATE = Pattern.compile("update (\\d+) ([a-z]+)\\b.*", Pattern.DOTALL);
    /** "rollout 3 running: ...", "rollout 3 wave 1 passed: ...", "rollout 3 device d-1 updating: ...". */
    private static final Pattern ROLLOUT = Pattern.compile(
            "rollout (\\d+) (?:(wave \\d+|device \\S+) )?([a-z-]+)\\b.*", Pattern.DOTALL);

    private final AuditLog log;

    public TransitionAuditor(AuditLog log) {
        this.log = log;
    }

    @Override
    public void onEvent(DeviceEvent event) {
        String target = event.endpoint() == null ? "" : "device:" + event.endpoint();
        switch (event.type()) {
        case PROVISIONED, CHANGED, DEPROVISIONED -> append(event, "device.provisioning", target,
                event.type().wireName());
        case UPDATE -> {
            Matcher m = UPDATE.matcher(event.detail() == null ? "" : event.detail());
            append(event, "update.session", target, m.matches() ? m.group(2) : "changed");
        }
        case ROLLOUT -> {
            Matcher m = ROLLOUT.matcher(event.detail() == null ? "" : event.detail());
            if (m.matches()) {
                append(event, "rollout.transition", "rollout:" + m.group(1), m.group(2) == null ? m.group(3)
                        : m.group(2).split(" ")[0] + " " + m.group(3));
            } else {
                append(event, "rollout.transition", "rollout", "changed");
            }
        }
        default -> {
            // registration traffic: not audited
        }
        }
    }

    private void append(DeviceEvent event, String action, String target, String outcome) {
        log.appendSoon(new AuditEvent(event.occurredAt().toInstant(), Actor.server(), action, target, outcome,
                Redaction.redactText(event.detail()))).exceptionally(e -> {
                    LOG.error("Audit entry for {} of {} lost: {}", action, event.endpoint(), e.getMessage());
                    return null;
                });
    }

    @Override
    public String toString() {
        return "audit log";
    }
}
