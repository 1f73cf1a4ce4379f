package dev.ferry.sim.mcuboot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What survives a simulated power cut: the two image slots and a small settings store (like Zephyr's
 * settings subsystem). Every call is durable when it returns; data the device still held in RAM is
 * not here, and so is lost by a power cut. Implementations are thread-safe.
 */
public interface FlashStorage {

    /** The slot's bytes from 0 up to the highest byte written since the last erase. */
    byte[] read(Slot slot);

    /** Bytes written to the slot since its last erase. */
    int length(Slot slot);

    /** Writes {@code data} at {@code offset}; a gap before it reads as erased flash (0xff). */
    void write(Slot slot, int offset, byte[] data);

    /** Drops the slot's contents, as erasing its flash pages would. */
    void erase(Slot slot);

    /** Exchanges the contents of both slots, as MCUboot's swap does (here atomically). */
    void swap();

    Optional<byte[]> readSetting(String key);

    void writeSetting(String key, byte[] value);

    /** Storage in memory: survives simulated power cuts, not the end of the JVM. The default. */
    static FlashStorage inMemory() {
        return new MemoryFlash();
    }

    /**
     * Storage in files under {@code directory} ({@code slot0.bin}, {@code slot1.bin}, {@code settings/}):
     * survives the JVM, so a later run resumes where this one stopped.
     */
    static FlashStorage inDirectory(Path directory) throws IOException {
        return new DirectoryFlash(directory);
    }
}
