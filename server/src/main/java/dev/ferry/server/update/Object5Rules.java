package dev.ferry.server.update;

import java.util.List;

import dev.ferry.image.ImageVersion;

/** The decisions an update session takes from what a device's object 5 and object 3 say; pure functions. */
final class Object5Rules {

    /** How a session ends: the final state, its failure reason (null on success) and what the device showed. */
    record Verdict(UpdateState state, FailureReason reason, String detail) {
    }

    private Object5Rules() {
    }

    /**
     * Why the device cannot take the image by {@code delivery}, judged by 5/0/8 (protocols) and 5/0/9 (delivery
     * method), or null when it can. Absent resources mean the device did not say: the session tries.
     */
    static String unsupported(Delivery delivery, List<Long> protocols, List<Long> methods) {
        // 5/0/9: 0 pull only, 1 push only, 2 both.
        if (!methods.isEmpty()) {
            long method = methods.get(0);
            if (delivery.isPull() && method == 1) {
                return "the device accepts only pushed images (5/0/9 = 1); use delivery push";
            }
            if (!delivery.isPull() && method == 0) {
                return "the device only pulls images (5/0/9 = 0); use a pull delivery";
            }
        }
        if (delivery.isPull() && !protocols.isEmpty() && !protocols.contains((long) delivery.protocol())) {
            return "the device does not support " + delivery.wireName() + " (5/0/8 lists " + protocols + ")";
        }
        return null;
    }

    /**
     * The outcome once the device is back after being asked to install: success only when it runs the target and
     * reports result 1; back on the previous version is a revert. Null while the new image has no verdict yet (it
     * runs on trial and reports its result after its health check).
     */
    static Verdict verdict(String running, String target, String previous, Long result) {
        FailureReason failure = result == null ? null : FailureReason.ofUpdateResult(result);
        boolean onTarget = sameVersion(running, target);
        boolean onPrevious = previous != null && sameVersion(running, previous);
        if (onTarget && result != null && result == 1) {
            return new Verdict(UpdateState.SUCCEEDED, null, "running " + running + " (update result 1)");
        }
        if (onPrevious && !onTarget) {
            return new Verdict(UpdateState.FAILED, FailureReason.REVERTED, "back on " + running
                    + (result == null ? "" : " with update result " + result));
        }
        if (failure != null) {
            return new Verdict(UpdateState.FAILED, failure, "running " + running + ", update result " + result);
        }
        if (!onTarget && running != null) {
            return new Verdict(UpdateState.FAILED, FailureReason.UNEXPECTED_VERSION, "running " + running
                    + ", expected " + target);
        }
        return null;
    }

    /** Versions compare as MCUboot versions when both parse ("1.2.0" equals "1.2.0+0"), else as text. */
    static boolean sameVersion(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        try {
            return ImageVersion.parse(a).equals(ImageVersion.parse(b));
        } catch (IllegalArgumentException e) {
            return a.strip().equals(b.strip());
        }
    }
}
