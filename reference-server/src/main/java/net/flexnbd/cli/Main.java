package net.flexnbd.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import net.flexnbd.control.ControlClient;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The {@code flexnbd} launcher: {@code flexnbd MODE [options]} with the modes and option
 * names of the original flexnbd (serve, listen, mirror, break, acl, status, read, write,
 * proxy, help). Usage errors are one line on stderr and exit status 2.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        Optional<ControlCall> quick = QuickControl.parse(args);
        if (quick.isPresent()) {
            // A control mode in its plain form needs neither picocli nor Logback (QuickControl).
            useJdkSelectorProvider();
            System.exit(quick.get().run(ControlClient::send, System.out, System.err));
        }
        // Netty's pooled allocator keeps the 256 KiB - 32 MiB buffers of large READs and joined
        // WRITEs in its arenas; the default adaptive one frees and faults them in again, which
        // cost about a quarter more CPU per GiB in bench/serve.sh. An explicit choice wins.
        if (System.getProperty("io.netty.allocator.type") == null) {
            System.setProperty("io.netty.allocator.type", "pooled");
        }
        // Each network thread keeps up to 16 freed buffers of each size up to 1 MiB (the socket
        // reads that WRITE payloads arrive in, READ replies) for its next allocation. At Netty's
        // 32 KiB limit they went back to the arena, which unmapped emptied 4 MiB chunks and
        // mapped and zeroed new ones: about a quarter of the server's user CPU per GiB written.
        if (System.getProperty("io.netty.allocator.maxCachedBufferCapacity") == null) {
            System.setProperty("io.netty.allocator.maxCachedBufferCapacity", String.valueOf(1 << 20));
            System.setProperty("io.netty.allocator.normalCacheSize", "16");
        }
        // Netty's default leak detection samples one buffer in 128 and records a stack trace for
        // it: with a 256 KiB WRITE arriving in two or three socket reads, that is a Throwable
        // filled in every few dozen requests on the network threads (perf: fill_in_stack_trace
        // and identity hash codes). Tests keep it on (they do not start through here); an
        // explicit choice (-Dio.netty.leakDetection.level=simple, paranoid) wins.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        System.exit(run(args, CliEnvironment.system()));
    }

    /**
     * Names the JDK's own Linux selector provider, so that the control socket's first
     * channel does not make the JDK search every jar of the class path for another one
     * (about 20 of a control mode's 140 ms). Left alone when set, or on a JDK without it.
     */
    private static void useJdkSelectorProvider() {
        String property = "java.nio.channels.spi.SelectorProvider";
        String linuxProvider = "sun.nio.ch.EPollSelectorProvider";
        if (System.getProperty(property) != null) {
            return;
        }
        try {
            Class.forName(linuxProvider, false, null);
            System.setProperty(property, linuxProvider);
        } catch (ClassNotFoundException e) {
            // Not a Linux JDK: the JDK's own search finds its provider.
        }
    }

    /** Runs one command line against {@code env} and returns the exit status. */
    static int run(String[] args, CliEnvironment env) {
        Optional<ControlCall> quick = QuickControl.parse(args);
        if (quick.isPresent()) {
            return quick.get().run(env);
        }
        return commandLine(env).execute(args);
    }

    static CommandLine commandLine(CliEnvironment env) {
        VerbosityChoice verbosity = new VerbosityChoice();
        CommandLine root = new CommandLine(new RootCommand(env, verbosity));
        root.addSubcommand(new ServeCommand(env, verbosity));
        root.addSubcommand(new ListenCommand(env, verbosity));
        root.addSubcommand(new MirrorCommand(env, verbosity));
        root.addSubcommand(new BreakCommand(env, verbosity));
        root.addSubcommand(new AclCommand(env, verbosity));
        root.addSubcommand(new StatusCommand(env, verbosity));
        root.addSubcommand(new ReadCommand(env, verbosity));
        root.addSubcommand(new WriteCommand(env, verbosity));
        root.addSubcommand(new ProxyCommand(env, verbosity));
        root.addSubcommand(new HelpMode(env, verbosity));

        // Set after the subcommands so that every one of them inherits these.
        root.setOut(new PrintWriter(env.out(), true));
        root.setErr(new PrintWriter(env.err(), true));
        root.setCaseInsensitiveEnumValuesAllowed(true);
        root.setOverwrittenOptionsAllowed(true);
        root.setExpandAtFiles(false);
        root.setParameterExceptionHandler(Main::usageError);
        root.setExecutionExceptionHandler((e, command, parseResult) -> {
            env.err().println(command.getCommandSpec().qualifiedName() + ": " + oneLine(String.valueOf(e.getMessage())));
            return 1;
        });
        root.setExecutionStrategy(parseResult -> {
            env.logs().apply(verbosity.get());
            return new CommandLine.RunLast().execute(parseResult);
        });
        return root;
    }

    /** One line: where, what, and where to look. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        String name = command.getCommandSpec().qualifiedName();
        String help = command.getParent() == null ? "flexnbd help" : "flexnbd help " + command.getCommandName();
        command.getErr().println(name + ": " + oneLine(describe(e, command)) + " (see '" + help + "')");
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * Picocli's message, except that a misspelt option is named before the required options
     * it hid, and an unknown mode is called one.
     */
    private static String describe(ParameterException e, CommandLine command) {
        List<String> unmatched = command.getUnmatchedArguments();
        if (e instanceof CommandLine.MissingParameterException && !unmatched.isEmpty()) {
            return "unknown option or argument '" + unmatched.get(0) + "'";
        }
        if (e instanceof CommandLine.UnmatchedArgumentException && command.getParent() == null
                && !unmatched.isEmpty() && !unmatched.get(0).startsWith("-")) {
            return "unknown MODE '" + unmatched.get(0) + "': expected one of "
                    + String.join(", ", command.getSubcommands().keySet());
        }
        return e.getMessage();
    }

    private static String oneLine(String message) {
        return message.strip().replaceAll("\\s*[\r\n]+\\s*", "; ");
    }
}
