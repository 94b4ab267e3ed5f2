package net.flexnbd.cli;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback's {@code %pid}: the process id on every line, so that the logs of a source and
 * a destination written to one terminal or file can be told apart.
 */
public final class PidConverter extends ClassicConverter {
    private static final String PID = Long.toString(ProcessHandle.current().pid());

    @Override
    public String convert(ILoggingEvent event) {
        return PID;
    }
}
