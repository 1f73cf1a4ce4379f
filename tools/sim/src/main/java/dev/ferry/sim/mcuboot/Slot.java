package dev.ferry.sim.mcuboot;

/** MCUboot's two image slots of a single-image device. */
public enum Slot {
    /** Slot 0: the image that runs. */
    PRIMARY,
    /** Slot 1: where a new image is downloaded before the swap. */
    SECONDARY
}
