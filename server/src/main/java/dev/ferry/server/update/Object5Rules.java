package dev.ferry.server.update;

import java.util.List;

import dev.ferry.image.ImageVersion;

/**
 * The decisions an update session takes from what a device's object 5 and object 3 say; pure functions. Their
 * details say what the device reported, in its own terms (state and result codes), and no more.
 */
final class Object5Rules {

    /** How a session ends: the final state, its failure reason (null on success) and what the device showed. */
    record Verdict(UpdateState state, FailureReason reason, String detail) {
    }

    /** What a session does with the State (5/0/3) and Update Result (5/0/5) the device reported while downloading. */
    enum DownloadStep {
        /** Nothing conclusive yet: keep waiting (and reading). */
        WAIT,
        /** State 2: ask the device to install. */
        INSTALL,
        /** A failure result: the attempt failed for that result's reason. */
        FAIL,
        /** A pushed image is gone without a failure result. */
        DISCARDED
    }

    private Object5Rules() {
    }

    /** "state 2 (downloaded)": a State (5/0/3) as LwM2M names it. */
    static String state(long state) {
        String name = switch ((int) state) {
        case 0 -> "idle";
        case 1 -> "downloading";
        case 2 -> "downloaded";
        case 3 -> "updating";
        default -> "not defined by LwM2M";
        };
        return "state " + state + " (" + name + ")";
    }

    /** "update result 6 (unsupported package type)": an Update Result (5/0/5) as LwM2M names it. */
    static String result(long result) {
        String name = switch ((int) result) {
        case 0 -> "initial";
        case 1 -> "success";
        case 2 -> "not enough flash";
        case 3 -> "out of RAM";
        case 4 -> "connection lost";
        case 5 -> "integrity check failure";
        case 6 -> "unsupported package type";
        case 7 -> "invalid URI";
        case 8 -> "firmware update failed";
        case 9 -> "unsupported protocol";
        default -> "not defined by LwM2M";
        };
        return "update result " + result + " (" + name + ")";
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
     * The next step of a download from what the device reported since it started. {@code pushedWhole}: the server
     * wrote the last block of a pushed image and the device acknowledged it, so an idle device without a failure
     * result did not keep it.
     */
    static DownloadStep download(Long state, Long result, boolean pushedWhole) {
        if (result != null && FailureReason.ofUpdateResult(result) != null) {
            return DownloadStep.FAIL;
        }
        if (state != null && state == 2) {
            return DownloadStep.INSTALL;
        }
        if (pushedWhole && state != null && state == 0) {
            return DownloadStep.DISCARDED;
        }
        return DownloadStep.WAIT;
    }

    /**
     * Whether a session may be cancelled. Once the device was asked to install, only a device that reported since
     * that it is not updating (state 0 or 2, or it refused the request) can still be told to drop the image; one in
     * state 3 or rebooting must be left to finish, and its outcome waited for.
     */
    static boolean mayCancel(UpdateState session, Long stateSinceInstall, boolean installRefused) {
        if (session != UpdateState.UPDATING) {
            return !session.isFinal();
        }
        return installRefused || (stateSinceInstall != null && (stateSinceInstall == 0 || stateSinceInstall == 2));
    }

    /**
     * The outcome once the device reports again after being asked to install: success only when it runs the target
     * and reports result 1. Null while the new image has no verdict yet (it runs on trial and reports its result
     * after its health check). {@code registeredAgain}: the device registered again since the request (a device
     * that installs reboots); false when it reported its result on the registration it installed from.
     */
    static Verdict verdict(String running, String target, String previous, Long result, boolean registeredAgain) {
        FailureReason failure = result == null ? null : FailureReason.ofUpdateResult(result);
        boolean success = result != null && result == 1;
        String reported = result == null ? "no update result" : result(result);
        String how = registeredAgain ? "" : " without registering again";
        if (running == null) {
            return failure == null ? null : new Verdict(UpdateState.FAILED, failure, "the device reported "
                    + reported + how + "; its version (3/0/3) could not be read");
        }
        boolean onTarget = sameVersion(running, target);
        boolean onPrevious = !onTarget && previous != null && sameVersion(running, previous);
        if (onTarget) {
            if (success) {
                return new Verdict(UpdateState.SUCCEEDED, null, "the device runs " + running + " and reported "
                        + reported);
            }
            return failure == null ? null : new Verdict(UpdateState.FAILED, failure, "the device runs " + running
                    + " but reported " + reported);
        }
        if (success) {
            return new Verdict(UpdateState.FAILED, FailureReason.UNEXPECTED_VERSION, "the device reported " + reported
                    + how + " but runs " + running + ", not " + target);
        }
        if (onPrevious && !registeredAgain) {
            return new Verdict(UpdateState.FAILED, failure != null ? failure : FailureReason.REVERTED,
                    "the device reported " + reported + how + " and still runs " + running);
        }
        if (onPrevious) {
            if (result != null && result == 8) {
                return new Verdict(UpdateState.FAILED, FailureReason.REVERTED, "the device came back on " + running
                        + " with " + reported + ": the new image was reverted by the bootloader");
            }
            return new Verdict(UpdateState.FAILED, failure != null ? failure : FailureReason.REVERTED,
                    "the device came back on " + running + " with " + reported);
        }
        return new Verdict(UpdateState.FAILED, failure != null ? failure : FailureReason.UNEXPECTED_VERSION,
                "the device runs " + running + " with " + reported + how + "; the update installs " + target
                        + (previous == null ? "" : " and the device ran " + previous + " before"));
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
