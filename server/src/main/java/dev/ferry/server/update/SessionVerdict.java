package dev.ferry.server.update;

import java.time.OffsetDateTime;

import org.eclipse.leshan.server.registration.Registration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second half of a session: ask the device to install (execute 5/0/2) and judge what it reports afterwards.
 * A device that installs reboots and registers again, and is judged by its version and result then; one that
 * answers the Execute with an error, or reports a result without registering again, is judged at once.
 */
final class SessionVerdict {
    private static final Logger LOG = LoggerFactory.getLogger(SessionVerdict.class);

    private final SessionSteps steps;
    private final Object5Link link;

    SessionVerdict(SessionSteps steps, Object5Link link) {
        this.steps = steps;
        this.link = link;
    }

    /** DOWNLOADED → UPDATING. */
    void install(ActiveSession a, Registration registration) {
        a.registrationAtInstall = registration.getId();
        a.installRefused = false;
        a.nextRead = null;
        a.forgetDeviceState();
        steps.move(a, UpdateState.UPDATING, null, "executing 5/0/2 (update)");
        steps.then(a, link.executeUpdate(registration), (ok, error) -> {
            String answer = error == null ? null : Object5Link.deviceAnswer(error);
            if (answer != null) {
                a.installRefused = true;
                steps.fail(a, FailureReason.REQUEST_REFUSED, "the device answered " + answer
                        + " to execute 5/0/2 (update)");
                return;
            }
            if (error != null) {
                // A device may reboot before its answer leaves; its next registration tells the outcome.
                LOG.debug("Update {}: execute 5/0/2 got no answer ({}); waiting for the device to come back",
                        a.session.id(), error.getMessage());
                steps.advance(a);
                return;
            }
            // A device that installs reboots soon; one that does not may have reported its outcome already.
            steps.readObject5(a, registration, readError -> steps.advance(a));
        });
    }

    /** UPDATING: judges the device once it registered again, or once it reported a result without doing so. */
    void watch(ActiveSession a, Registration registration, OffsetDateTime now) {
        if (!registration.getId().equals(a.registrationAtInstall)) {
            judge(a, true);
            return;
        }
        if (!reportedWithoutRebooting(a) || (a.nextRead != null && now.isBefore(a.nextRead))) {
            return;
        }
        a.nextRead = now.plus(SessionDelivery.READ_AGAIN);
        steps.then(a, link.readString(registration, 3, 3), (running, error) -> {
            if (error == null) {
                a.runningVersion = running;
            }
            judge(a, false);
        });
    }

    /**
     * A result other than 0 in a state other than 3 (updating), on the registration the device was asked to
     * install from: the device finished (or gave up) without rebooting.
     */
    private static boolean reportedWithoutRebooting(ActiveSession a) {
        return a.deviceResult != null && a.deviceResult != 0 && a.deviceState != null && a.deviceState != 3;
    }

    private void judge(ActiveSession a, boolean registeredAgain) {
        Object5Rules.Verdict verdict = Object5Rules.verdict(a.runningVersion, a.image.version().toString(),
                a.session.previousVersion(), a.deviceResult, registeredAgain);
        // No verdict: the device runs the new image and is still proving itself; the result notification will come.
        if (verdict != null) {
            steps.move(a, verdict.state(), verdict.reason(), verdict.detail());
        }
    }
}
