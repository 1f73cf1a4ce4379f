package dev.ferry.sim.mcuboot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@link FlashStorage} in files, so a device's flash outlives the JVM. */
final class DirectoryFlash implements FlashStorage {
    private static final Pattern SETTING_KEY = Pattern.compile("[a-z0-9.-]{1,64}");

    private final Path directory;
    private final Path settings;

    DirectoryFlash(Path directory) throws IOException {
        this.directory = directory;
        this.settings = directory.resolve("settings");
        Files.createDirectories(settings);
    }

    private Path file(Slot slot) {
        return directory.resolve(slot == Slot.PRIMARY ? "slot0.bin" : "slot1.bin");
    }

    @Override
    public synchronized byte[] read(Slot slot) {
        try {
            return Files.exists(file(slot)) ? Files.readAllBytes(file(slot)) : new byte[0];
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file(slot), e);
        }
    }

    @Override
    public synchronized int length(Slot slot) {
        try {
            return Files.exists(file(slot)) ? (int) Files.size(file(slot)) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file(slot), e);
        }
    }

    @Override
    public synchronized void write(Slot slot, int offset, byte[] data) {
        try (FileChannel channel = FileChannel.open(file(slot), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long length = channel.size();
            if (offset > length) {
                byte[] erased = new byte[(int) (offset - length)];
                Arrays.fill(erased, (byte) 0xff);
                channel.write(ByteBuffer.wrap(erased), length);
            }
            channel.write(ByteBuffer.wrap(data), offset);
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file(slot), e);
        }
    }

    @Override
    public synchronized void erase(Slot slot) {
        try {
            Files.deleteIfExists(file(slot));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot erase " + file(slot), e);
        }
    }

    @Override
    public synchronized void swap() {
        Path primary = file(Slot.PRIMARY);
        Path secondary = file(Slot.SECONDARY);
        Path scratch = directory.resolve("scratch.bin");
        try {
            // Like MCUboot's scratch area; a missing slot file is an erased slot.
            Files.deleteIfExists(scratch);
            if (Files.exists(primary)) {
                Files.move(primary, scratch);
            }
            if (Files.exists(secondary)) {
                Files.move(secondary, primary);
            }
            if (Files.exists(scratch)) {
                Files.move(scratch, secondary);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot swap the slots in " + directory, e);
        }
    }

    @Override
    public synchronized Optional<byte[]> readSetting(String key) {
        Path file = settings.resolve(checkKey(key));
        try {
            return Files.exists(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read setting " + file, e);
        }
    }

    @Override
    public synchronized void writeSetting(String key, byte[] value) {
        Path file = settings.resolve(checkKey(key));
        Path temporary = settings.resolve(key + ".tmp");
        try {
            Files.write(temporary, value);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write setting " + file, e);
        }
    }

    private static String checkKey(String key) {
        if (!SETTING_KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("setting key '" + key + "' must match " + SETTING_KEY);
        }
        return key;
    }
}
