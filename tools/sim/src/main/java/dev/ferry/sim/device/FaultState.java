package dev.ferry.sim.device;

/** Which of a device's one-shot faults are still to fire; survives reboots like the device object itself. */
final class FaultState {
    final Faults faults;
    private boolean corruptionLeft;
    private boolean foreignPackageLeft;
    private int dropsLeft;
    private boolean powerLossDuringDownloadLeft;
    private boolean powerLossBeforeConfirmLeft;
    private boolean failingDownloadLeft;
    private boolean silenceLeft;
    private boolean crashLoopLeft;
    private int crashesLeft;

    FaultState(Faults faults) {
        this.faults = faults;
        this.corruptionLeft = faults.corruptsDownload();
        this.foreignPackageLeft = faults.deliversForeignPackage();
        this.dropsLeft = faults.dropConnectionOffset() >= 0 ? faults.connectionDrops() : 0;
        this.powerLossDuringDownloadLeft = faults.powerLossDuringDownloadOffset() >= 0;
        this.powerLossBeforeConfirmLeft = faults.losesPowerBeforeConfirm();
        this.failingDownloadLeft = faults.failDownloadOnceOffset() >= 0;
        this.silenceLeft = faults.silentOffset() >= 0;
        this.crashLoopLeft = faults.crashLoopReboots() > 0;
    }

    /** The damage the next package suffers, or null when no such fault is left. */
    synchronized Corruption takeCorruption() {
        if (foreignPackageLeft) {
            foreignPackageLeft = false;
            return Corruption.ofMagic();
        }
        if (corruptionLeft) {
            corruptionLeft = false;
            return Corruption.ofBody();
        }
        return null;
    }

    /** The offset where the next connection drop happens, or -1 when none is left. */
    synchronized long nextDropAt() {
        if (dropsLeft > 0) {
            return faults.dropConnectionOffset();
        }
        return failingDownloadLeft ? faults.failDownloadOnceOffset() : -1;
    }

    synchronized void dropped() {
        if (dropsLeft > 0) {
            dropsLeft--;
        }
    }

    /** A download ended with result 4: the download that was to fail once did. */
    synchronized void downloadFailed() {
        failingDownloadLeft = false;
    }

    /** The offset of a download where the radio dies, or -1 when that already happened. */
    synchronized long silenceAt() {
        return silenceLeft ? faults.silentOffset() : -1;
    }

    synchronized void silenced() {
        silenceLeft = false;
    }

    /** A new image was confirmed: true when it is the one that crash-loops (the first only). */
    synchronized boolean armCrashLoop() {
        if (!crashLoopLeft) {
            return false;
        }
        crashLoopLeft = false;
        crashesLeft = faults.crashLoopReboots();
        return true;
    }

    /** Whether the running image still has crashes to come. */
    synchronized boolean crashesLeft() {
        return crashesLeft > 0;
    }

    /** True, and one crash fewer to come, when the running image is to crash now. */
    synchronized boolean takeCrash() {
        if (crashesLeft <= 0) {
            return false;
        }
        crashesLeft--;
        return true;
    }

    /** The offset where power fails during a download, or -1 when that already happened. */
    synchronized long powerLossAt() {
        return powerLossDuringDownloadLeft ? faults.powerLossDuringDownloadOffset() : -1;
    }

    synchronized void powerLost() {
        powerLossDuringDownloadLeft = false;
    }

    synchronized boolean takePowerLossBeforeConfirm() {
        boolean take = powerLossBeforeConfirmLeft;
        powerLossBeforeConfirmLeft = false;
        return take;
    }
}
