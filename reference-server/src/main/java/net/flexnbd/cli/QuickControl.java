package net.flexnbd.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import net.flexnbd.acl.Acl;

/**
 * The lean entry for {@code status}, {@code break}, {@code acl} and {@code mirror}: a
 * control request in its plain form is read here without picocli or Logback, so that the
 * command answers in tens of milliseconds, not a few hundred.
 *
 * <p>It only ever says "this is exactly the request picocli would send" or "not mine":
 * anything else (help, an unknown, repeated or clustered option, a bad value, a missing
 * one) goes to {@link Main#commandLine}, which gives the one-line usage error. Options
 * are accepted as {@code -x VALUE}, {@code --name VALUE} and {@code --name=VALUE}.
 */
final class QuickControl {

    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,9}");

    /** A mode's options: each spelling mapped to one name; true when it takes a value. */
    private record Options(Map<String, String> names, Map<String, Boolean> takesValue, boolean positionals) {}

    private static final Map<String, Options> MODES = Map.of(
            "status", options(false),
            "break", options(false),
            "acl", options(true),
            "mirror", mirrorOptions());

    private QuickControl() {}

    /** The request {@code args} spell, when it is in the plain form; empty otherwise. */
    static Optional<ControlCall> parse(String[] args) {
        if (args.length == 0 || !MODES.containsKey(args[0])) {
            return Optional.empty();
        }
        String mode = args[0];
        Options options = MODES.get(mode);
        Map<String, String> given = new HashMap<>();
        List<String> positionals = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-")) {
                if (!options.positionals()) {
                    return Optional.empty();
                }
                positionals.add(arg);
                continue;
            }
            String spelling = arg;
            String value = null;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 2) {
                spelling = arg.substring(0, equals);
                value = arg.substring(equals + 1);
            }
            String name = options.names().get(spelling);
            if (name == null) {
                return Optional.empty();
            }
            if (options.takesValue().get(name)) {
                if (value == null) {
                    if (i + 1 == args.length) {
                        return Optional.empty();
                    }
                    value = args[++i];
                }
                if (value.isEmpty() || value.startsWith("-")) {
                    return Optional.empty();
                }
            } else if (value != null) {
                return Optional.empty();
            } else {
                value = "";
            }
            if (given.put(name, value) != null) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(call(mode, given, positionals));
        } catch (IllegalArgumentException e) { // InvalidPathException too
            return Optional.empty();
        }
    }

    /** The checked call; IllegalArgumentException when picocli must say what is wrong. */
    private static ControlCall call(String mode, Map<String, String> given, List<String> positionals) {
        String sock = given.get("sock");
        if (sock == null) {
            throw new IllegalArgumentException("--sock is required");
        }
        long timeout = given.containsKey("timeout") ? decimal(given.get("timeout")) : 60;
        if (timeout < 1) {
            throw new IllegalArgumentException("timeout below one second");
        }
        List<String> arguments = switch (mode) {
            case "acl" -> {
                Acl.parse(positionals, false);
                yield positionals;
            }
            case "mirror" -> {
                if (!given.containsKey("addr") || !given.containsKey("port")) {
                    throw new IllegalArgumentException("--addr and --port are required");
                }
                String maxBps = given.get("max-bps");
                yield MirrorArguments.lines(given.get("addr"), (int) decimal(given.get("port")),
                        given.containsKey("unlink"), given.get("bind"), maxBps == null ? null : decimal(maxBps),
                        given.containsKey("tls"));
            }
            default -> List.of();
        };
        return new ControlCall(mode, Path.of(sock), arguments, Duration.ofSeconds(timeout));
    }

    /** Digits only, as picocli reads them; anything fancier is left to picocli. */
    private static long decimal(String text) {
        if (!DECIMAL.matcher(text).matches()) {
            throw new IllegalArgumentException("not a plain decimal number");
        }
        return Long.parseLong(text);
    }

    private static Options options(boolean positionals) {
        Map<String, String> names = new HashMap<>();
        Map<String, Boolean> takesValue = new HashMap<>();
        add(names, takesValue, "sock", true, "-s", "--sock");
        add(names, takesValue, "timeout", true, "--timeout");
        add(names, takesValue, "verbose", false, "-v", "--verbose");
        add(names, takesValue, "quiet", false, "-q", "--quiet");
        return new Options(names, takesValue, positionals);
    }

    private static Options mirrorOptions() {
        Options options = options(false);
        Map<String, String> names = new HashMap<>(options.names());
        Map<String, Boolean> takesValue = new HashMap<>(options.takesValue());
        add(names, takesValue, "addr", true, "-l", "--addr");
        add(names, takesValue, "port", true, "-p", "--port");
        add(names, takesValue, "unlink", false, "-u", "--unlink");
        add(names, takesValue, "bind", true, "-b", "--bind");
        add(names, takesValue, "max-bps", true, "--max-bps");
        add(names, takesValue, "tls", false, "--tls");
        return new Options(names, takesValue, false);
    }

    private static void add(Map<String, String> names, Map<String, Boolean> takesValue, String name, boolean value,
            String... spellings) {
        for (String spelling : spellings) {
            names.put(spelling, name);
        }
        takesValue.put(name, value);
    }
}
