package dev.ferry.server.store;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a commit of the embedded H2 database survives once the server has acknowledged it. Either way H2 writes
 * the commit into the database file before the commit returns; the difference is whether it also waits until the
 * disk holds it.
 */
public enum Durability {
    /**
     * The commit is in the operating system's file cache when it returns, so it survives the server process dying
     * in any way ({@code kill -9}, an out-of-memory kill, a JVM crash). An OS crash or power cut loses the commits
     * the kernel had not yet written back (Linux writes dirty pages back within about 30 seconds by default); the
     * database then opens at an earlier, consistent state.
     */
    PROCESS_CRASH("process-crash", "file:"),
    /**
     * The commit is on the disk when it returns (the database file is opened for synchronous data writes,
     * O_DSYNC), so it also survives an OS crash or power cut, as far as the disk honours its flushes. Each commit
     * costs a disk flush.
     */
    POWER_LOSS("power-loss", SyncedFilePath.SCHEME + ":");

    private final String wireName;
    private final String fileScheme;

    Durability(String wireName, String fileScheme) {
        this.wireName = wireName;
        this.fileScheme = fileScheme;
    }

    public String wireName() {
        return wireName;
    }

    /** The H2 file system prefix of the database file name in the JDBC URL. */
    public String fileScheme() {
        return fileScheme;
    }

    public static Optional<Durability> fromWireName(String name) {
        return Arrays.stream(values()).filter(d -> d.wireName.equals(name)).findFirst();
    }
}
