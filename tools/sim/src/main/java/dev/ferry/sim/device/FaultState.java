package dev.ferry.sim.device;

/** Which of a device's one-shot faults are still to fire; survives reboots like the device object itself. */
final class FaultState {
    final Faults faults;
    private boolean corruptionLeft;
    private boolean foreignPackageLeft;
    private int dropsLeft;
    private boolean powerLossDuringDownloadLeft;
    private boolean powerLossBeforeConfirmLeft;

    FaultState(Faults faults) {
        this.faults = faults;
        this.corruptionLeft = faults.corruptsDownload();
        this.foreignPackageLeft = faults.deliversForeignPackage();
        this.dropsLeft = faults.dropConnectionOffset() >= 0 ? faults.connectionDrops() : 0;
        this.powerLossDuringDownloadLeft = faults.powerLossDuringDownloadOffset() >= 0;
        this.powerLossBeforeConfirmLeft = faults.losesPowerBeforeConfirm();
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
        return dropsLeft > 0 ? faults.dropConnectionOffset() : -1;
    }

    synchronized void dropped() {
        dropsLeft--;
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
