package net.flexnbd.steps.world;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * What this JVM logged during one scenario: the in-process servers' log lines (and the
 * fixtures'), kept so that a failed scenario's report can show them and so that a step can
 * check that a server noticed something. Only the last lines are kept.
 */
public final class CapturedLog {
    private static final int MAX_LINES = 5000;
    private static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0}: %msg%n";

    private final Deque<String> lines = new ArrayDeque<>();
    private Appender appender;

    /** Starts capturing; does nothing if SLF4J is not bound to Logback. */
    public void start() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.setPattern(PATTERN);
        layout.start();
        appender = new Appender(layout);
        appender.setContext(context);
        appender.setName("scenario-" + System.identityHashCode(this));
        appender.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    }

    /** Stops capturing; what was captured stays readable. */
    public void stop() {
        if (appender != null && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
            appender.stop();
            appender = null;
        }
    }

    /** The captured lines, oldest first. */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    public String text() {
        return String.join("", lines());
    }

    private synchronized void add(String line) {
        if (lines.size() == MAX_LINES) {
            lines.removeFirst();
        }
        lines.addLast(line);
    }

    /** Formats each event into the capture. */
    private final class Appender extends AppenderBase<ILoggingEvent> {
        private final PatternLayout layout;

        Appender(PatternLayout layout) {
            this.layout = layout;
        }

        @Override
        protected void append(ILoggingEvent event) {
            add(layout.doLayout(event));
        }
    }
}
