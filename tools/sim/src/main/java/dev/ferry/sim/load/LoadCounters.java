package dev.ferry.sim.load;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What every endpoint together did and saw, for the report. */
final class LoadCounters {
    final LongAdder retransmissions = new LongAdder();
    final LongAdder reads = new LongAdder();
    final LongAdder readsRefused = new LongAdder();
    final LongAdder observes = new LongAdder();
    final LongAdder writes = new LongAdder();
    final LongAdder executes = new LongAdder();
    final LongAdder otherRequests = new LongAdder();
    final LongAdder duplicateRequests = new LongAdder();
    final LongAdder updates = new LongAdder();
    final LongAdder updatesFailed = new LongAdder();
    final LongAdder reRegistrations = new LongAdder();
    final LongAdder deregistrations = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder strayDatagrams = new LongAdder();
    final LongAdder sendErrors = new LongAdder();
    final LongAdder receiveErrors = new LongAdder();
    final LongAdder notifiedObservations = new LongAdder();
    final LongAdder notifications = new LongAdder();
    final LongAdder notificationsNotEncoded = new LongAdder();

    /** Every counter by name, in a fixed order. */
    Map<String, Long> snapshot() {
        Map<String, Long> values = new LinkedHashMap<>();
        values.put("retransmissions", retransmissions.sum());
        values.put("reads", reads.sum());
        values.put("readsRefused", readsRefused.sum());
        values.put("observes", observes.sum());
        values.put("writes", writes.sum());
        values.put("executes", executes.sum());
        values.put("otherRequests", otherRequests.sum());
        values.put("duplicateRequests", duplicateRequests.sum());
        values.put("updates", updates.sum());
        values.put("updatesFailed", updatesFailed.sum());
        values.put("reRegistrations", reRegistrations.sum());
        values.put("deregistrations", deregistrations.sum());
        values.put("malformed", malformed.sum());
        values.put("strayDatagrams", strayDatagrams.sum());
        values.put("sendErrors", sendErrors.sum());
        values.put("receiveErrors", receiveErrors.sum());
        values.put("notifiedObservations", notifiedObservations.sum());
        values.put("notifications", notifications.sum());
        values.put("notificationsNotEncoded", notificationsNotEncoded.sum());
        return values;
    }
}
