package dev.ferry.server.store;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.ferry.server.config.FerryConfig;

/**
 * The server's database: a connection pool, the schema migrated to the newest version at start, and a jOOQ
 * context over it. All calls block, so they belong on worker threads, never on an event loop or in a
 * Leshan/Californium callback.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final DSLContext dsl;

    static {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        // The embedded database also serves other processes of this machine (LocalDatabaseServer), so that
        // 'ferry-server token create' works while the server runs: on loopback only, never on the network.
        if (System.getProperty("h2.bindAddress") == null) {
            System.setProperty("h2.bindAddress", "127.0.0.1");
        }
    }

    private Database(HikariDataSource dataSource, SQLDialect dialect) {
        this.dataSource = dataSource;
        // Unquoted names let each database fold identifiers its own way (H2 upper, PostgreSQL lower), so the
        // same generated classes work on both.
        this.dsl = DSL.using(dataSource, dialect, new Settings().withRenderQuotedNames(RenderQuotedNames.NEVER));
    }

    public static Database open(FerryConfig config) {
        try {
            Files.createDirectories(config.dataDir());
        } catch (Exception e) {
            throw new IllegalStateException("cannot create data directory " + config.dataDir().toAbsolutePath()
                    + ": " + e.getMessage(), e);
        }
        SyncedFilePath.register();
        return open(config, config.databaseUrl());
    }

    /**
     * Opens the database as {@link #open} does, or, when a running server has the embedded database open, reaches
     * it through that server ({@link LocalDatabaseServer}); for commands run beside the server.
     */
    public static Database openBesideServer(FerryConfig config) {
        try {
            return open(config);
        } catch (RuntimeException e) {
            Optional<String> served = LocalDatabaseServer.urlIn(config.dataDir());
            if (!config.embeddedDatabase() || !alreadyOpen(e) || served.isEmpty()) {
                throw e;
            }
            return open(config, served.get());
        }
    }

    private static boolean alreadyOpen(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getErrorCode() == org.h2.api.ErrorCode.DATABASE_ALREADY_OPEN_1) {
                return true;
            }
        }
        return false;
    }

    private static Database open(FerryConfig config, String url) {
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(url);
        pool.setUsername(config.databaseUser());
        pool.setPassword(config.databasePassword());
        pool.setMaximumPoolSize(8);
        pool.setPoolName("ferry-db");
        HikariDataSource dataSource = new HikariDataSource(pool);
        try {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Database(dataSource, dialectOf(url));
    }

    /**
     * One read-only connection to the database {@code config} names, without a pool and without migrating, for
     * offline tools. An embedded H2 database must exist and must not be open in a running server (H2 locks its
     * file): both refusals are {@link SQLException}s naming the cause ({@link #isInUse} tells the second).
     */
    public static Connection connectReadOnly(FerryConfig config) throws SQLException {
        SyncedFilePath.register();
        String url = config.databaseUrl();
        if (url.startsWith("jdbc:h2:")) {
            url = url + ";IFEXISTS=TRUE;ACCESS_MODE_DATA=r";
        }
        Connection connection = java.sql.DriverManager.getConnection(url, config.databaseUser(),
                config.databasePassword());
        connection.setReadOnly(true);
        return connection;
    }

    /** Whether a connection was refused because another process (a running server) holds the H2 database. */
    public static boolean isInUse(SQLException e) {
        return e.getErrorCode() == org.h2.api.ErrorCode.DATABASE_ALREADY_OPEN_1;
    }

    /** Whether a connection was refused because the H2 database does not exist. */
    public static boolean isMissing(SQLException e) {
        return e.getErrorCode() == org.h2.api.ErrorCode.DATABASE_NOT_FOUND_WITH_IF_EXISTS_1;
    }

    private static SQLDialect dialectOf(String url) {
        return url.startsWith("jdbc:postgresql:") ? SQLDialect.POSTGRES : SQLDialect.H2;
    }

    public DSLContext dsl() {
        return dsl;
    }

    /** Work on one JDBC connection inside a transaction; see {@link #inTransaction}. */
    @FunctionalInterface
    public interface ConnectionWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction on a pooled connection, for hot paths that prepare their statements
     * with bind values themselves: committed when it returns, rolled back when it throws (the pool restores
     * auto-commit). SQL failures surface as jOOQ's {@link DataAccessException}, as they do through {@link #dsl()}.
     */
    public <T> T inTransaction(ConnectionWork<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new DataAccessException("database transaction failed: " + e.getMessage(), e);
        }
    }

    /** True when a trivial query answers; used by the health check. */
    public boolean isReachable() {
        try {
            return dsl.selectOne().fetchOne() != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether this process runs the embedded H2 engine; false when it reached a database another process opened
     * ({@link LocalDatabaseServer}), which this process must then not shut down.
     */
    private boolean runsEmbeddedEngine() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.unwrap(org.h2.jdbc.JdbcConnection.class).getSession() instanceof org.h2.engine.SessionLocal;
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (dataSource.getJdbcUrl().startsWith("jdbc:h2:") && runsEmbeddedEngine()) {
            try {
                // Compacts and closes the file cleanly, so the next start needs no recovery.
                dsl.execute("SHUTDOWN");
            } catch (RuntimeException ignored) {
                // Already closed or unreachable: nothing more to flush.
            }
        }
        dataSource.close();
    }
}
