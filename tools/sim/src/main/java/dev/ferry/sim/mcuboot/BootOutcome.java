package dev.ferry.sim.mcuboot;

/** What the simulated MCUboot did at one boot, before it jumped to the primary slot. */
public enum BootOutcome {
    /** Nothing pending: the primary image runs as before. */
    NORMAL,
    /** A test swap: the new image runs unconfirmed and is reverted at the next boot unless confirmed. */
    TEST_SWAP,
    /** A permanent swap: the new image runs and is already confirmed. */
    PERMANENT_SWAP,
    /** The previous boot was a test swap that was never confirmed: the old image is back. */
    REVERT,
    /** An upgrade was pending but the secondary image failed validation; it was erased, the old image runs. */
    UPGRADE_REJECTED
}
