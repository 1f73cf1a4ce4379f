package dev.ferry.sim.mcuboot;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** {@link FlashStorage} in memory. */
final class MemoryFlash implements FlashStorage {
    private final Map<Slot, byte[]> slots = new EnumMap<>(Slot.class);
    private final Map<Slot, Integer> lengths = new EnumMap<>(Slot.class);
    private final Map<String, byte[]> settings = new HashMap<>();

    MemoryFlash() {
        for (Slot slot : Slot.values()) {
            slots.put(slot, new byte[0]);
            lengths.put(slot, 0);
        }
    }

    @Override
    public synchronized byte[] read(Slot slot) {
        return Arrays.copyOf(slots.get(slot), lengths.get(slot));
    }

    @Override
    public synchronized int length(Slot slot) {
        return lengths.get(slot);
    }

    @Override
    public synchronized void write(Slot slot, int offset, byte[] data) {
        int end = offset + data.length;
        byte[] bytes = slots.get(slot);
        int length = lengths.get(slot);
        if (end > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(end, bytes.length * 2));
            slots.put(slot, bytes);
        }
        if (offset > length) {
            Arrays.fill(bytes, length, offset, (byte) 0xff);
        }
        System.arraycopy(data, 0, bytes, offset, data.length);
        lengths.put(slot, Math.max(length, end));
    }

    @Override
    public synchronized void erase(Slot slot) {
        slots.put(slot, new byte[0]);
        lengths.put(slot, 0);
    }

    @Override
    public synchronized void swap() {
        byte[] primary = slots.get(Slot.PRIMARY);
        int primaryLength = lengths.get(Slot.PRIMARY);
        slots.put(Slot.PRIMARY, slots.get(Slot.SECONDARY));
        lengths.put(Slot.PRIMARY, lengths.get(Slot.SECONDARY));
        slots.put(Slot.SECONDARY, primary);
        lengths.put(Slot.SECONDARY, primaryLength);
    }

    @Override
    public synchronized Optional<byte[]> readSetting(String key) {
        return Optional.ofNullable(settings.get(key)).map(byte[]::clone);
    }

    @Override
    public synchronized void writeSetting(String key, byte[] value) {
        settings.put(key, value.clone());
    }
}
