package dev.ferry.server.store;

import java.io.IOException;
import java.nio.channels.FileChannel;

import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * An H2 file system ({@code synced:/path/db}) that opens the database file for synchronous data writes (O_DSYNC,
 * Java's "rwd" mode), so every write H2 makes, and with it every commit, is on the disk when it returns. H2 2.3
 * itself never flushes a commit to the disk: its MVStore calls {@code FileChannel.force} only when it compacts or
 * closes the file. Other files H2 opens through this scheme (temporary files) are opened as asked.
 */
public final class SyncedFilePath extends FilePathWrapper {
    static final String SCHEME = "synced";
    private static final String DATABASE_FILE_SUFFIX = ".mv.db";

    /** Makes the scheme known to H2; harmless when done more than once. */
    static void register() {
        FilePath.register(new SyncedFilePath());
    }

    @Override
    public FileChannel open(String mode) throws IOException {
        boolean databaseFile = name.endsWith(DATABASE_FILE_SUFFIX);
        return getBase().open(databaseFile && mode.equals("rw") ? "rwd" : mode);
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }
}
