package dev.ferry.server.testing;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;

/**
 * Everything the server logs while it is open, Ferry's own debug messages included, so a test can check that
 * secrets never reach the log.
 */
public final class LogCapture implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger ferry = (Logger) org.slf4j.LoggerFactory.getLogger("dev.ferry");
    private final Level ferryLevel = ferry.getLevel();

    public LogCapture() {
        appender.start();
        ferry.setLevel(Level.DEBUG);
        root().addAppender(appender);
    }

    /** Every message so far with its stack trace, one string. */
    public String text() {
        StringBuilder text = new StringBuilder();
        List<ILoggingEvent> events;
        synchronized (appender) {
            events = List.copyOf(appender.list);
        }
        for (ILoggingEvent event : events) {
            text.append(event.getFormattedMessage()).append('\n');
            if (event.getThrowableProxy() != null) {
                text.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append('\n');
            }
        }
        return text.toString();
    }

    @Override
    public void close() {
        root().detachAppender(appender);
        ferry.setLevel(ferryLevel);
    }

    private static Logger root() {
        return (Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
