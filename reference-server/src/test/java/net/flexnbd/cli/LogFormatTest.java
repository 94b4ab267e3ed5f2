package net.flexnbd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The shipped logback.xml: one line per event with time, level, pid, thread, logger and message. */
class LogFormatTest {

    private static final String LINE = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) "
            + "(INFO |WARN |ERROR|DEBUG) " + ProcessHandle.current().pid() + " \\[[^\\]]+\\] LogFormatTest: .*";

    @Test
    void everyEventIsOneLineEvenWithLineBreaksAndExceptions() throws Exception {
        List<String> lines = capture(context -> {
            Logger log = context.getLogger(LogFormatTest.class);
            log.info("listening on {}", "127.0.0.1:4000");
            log.warn("two\nlines\r\nmessage");
            log.error("failed", new IllegalStateException("outer", new RuntimeException("inner")));
            log.debug("not shown at the default level");
        });
        assertThat(lines).hasSize(3).allMatch(line -> line.matches(LINE), "matches " + LINE);
        assertThat(lines.get(0)).contains(" INFO  ", " [main] ", "LogFormatTest: listening on 127.0.0.1:4000");
        assertThat(lines.get(1)).endsWith("LogFormatTest: two lines message");
        assertThat(lines.get(2)).contains("LogFormatTest: failed", "IllegalStateException: outer", "inner");
    }

    @Test
    void quietShowsErrorsOnlyAndVerboseShowsDebug() throws Exception {
        List<String> quiet = capture(context -> {
            LogLevels.apply(Verbosity.QUIET, context);
            Logger log = context.getLogger(LogFormatTest.class);
            log.info("hidden");
            log.error("shown");
        });
        assertThat(quiet).singleElement().asString().endsWith("shown");
        List<String> verbose = capture(context -> {
            LogLevels.apply(Verbosity.VERBOSE, context);
            Logger log = context.getLogger(LogFormatTest.class);
            log.debug("progress");
            context.getLogger("io.netty.Noise").debug("hidden");
        });
        assertThat(verbose).singleElement().asString().endsWith("progress");
    }

    interface Logging {
        void log(LoggerContext context);
    }

    /** Runs {@code logging} against a fresh context configured from logback.xml; returns stderr's lines. */
    private static List<String> capture(Logging logging) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
            logging.log(context);
        } finally {
            context.stop();
            System.setErr(original);
        }
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
