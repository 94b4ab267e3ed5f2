package net.flexnbd.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.flexnbd.export.NamedExport;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.server.ServerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flexnbd serve}: serve a file until a signal or a completed migration away. */
@Command(name = "serve",
        description = "Serve FILE on ADDR:PORT until SIGINT, SIGTERM or SIGQUIT, or until it has been"
                + " migrated away.",
        sortOptions = false,
        footerHeading = "%n",
        footer = "Exit status: 0 stopped cleanly or migrated away; 1 could not start or failed; 2 usage error.")
final class ServeCommand extends ServerModeCommand {

    @Option(names = "--export", paramLabel = "NAME=FILE",
            description = "Also serve FILE as the export NAME (repeatable). FILE of --file stays the default"
                    + " export, the one the empty name asks for and a migration would move; a server with"
                    + " named exports refuses to mirror.")
    List<String> exports = new ArrayList<>();

    @Option(names = "--export-description", paramLabel = "NAME=TEXT",
            description = "NBD_INFO_DESCRIPTION of the named export NAME (repeatable).")
    List<String> exportDescriptions = new ArrayList<>();

    ServeCommand(CliEnvironment env, VerbosityChoice verbosity) {
        super(env, verbosity);
    }

    @Override
    ServerSettings.Mode mode() {
        return ServerSettings.Mode.SERVE;
    }

    /** {@code --export} and {@code --export-description}, checked: names once each, files that exist and differ. */
    @Override
    List<NamedExport> namedExports() {
        if (!exports.isEmpty() && handshake == HandshakeStyle.OLDSTYLE) {
            throw usageError("--export needs the newstyle handshake (the oldstyle hello carries no export name)");
        }
        Map<String, Path> files = new LinkedHashMap<>();
        List<Path> served = new ArrayList<>(List.of(file));
        for (String export : exports) {
            String[] nameAndFile = split("--export", export, "NAME=FILE");
            Path path = Path.of(nameAndFile[1]);
            checkFile(path, served);
            if (files.putIfAbsent(nameAndFile[0], path) != null) {
                throw usageError("invalid value for --export: the name '" + nameAndFile[0] + "' is given twice");
            }
        }
        Map<String, String> descriptions = new LinkedHashMap<>();
        for (String description : exportDescriptions) {
            String[] nameAndText = split("--export-description", description, "NAME=TEXT");
            if (!files.containsKey(nameAndText[0])) {
                throw usageError("invalid value for --export-description: no --export is named '" + nameAndText[0] + "'");
            }
            descriptions.put(nameAndText[0], nameAndText[1]);
        }
        List<NamedExport> named = new ArrayList<>();
        files.forEach((name, path) -> {
            try {
                named.add(new NamedExport(name, path, descriptions.getOrDefault(name, "")));
            } catch (IllegalArgumentException e) {
                throw usageError("invalid value for --export: " + e.getMessage());
            }
        });
        return named;
    }

    private String[] split(String option, String value, String form) {
        int equals = value.indexOf('=');
        if (equals <= 0) {
            throw usageError("invalid value for " + option + ": '" + value + "' is not " + form
                    + " (a name that is not empty, '=', then the " + form.substring(form.indexOf('=') + 1).toLowerCase(java.util.Locale.ROOT) + ")");
        }
        return new String[] {value.substring(0, equals), value.substring(equals + 1)};
    }

    /** The same checks as for --file, and no file served twice (its lock would refuse the second). */
    private void checkFile(Path path, List<Path> served) {
        if (!Files.exists(path)) {
            throw usageError("invalid value for --export: " + path + " does not exist");
        }
        if (Files.isDirectory(path)) {
            throw usageError("invalid value for --export: " + path + " is a directory; expected a file");
        }
        for (Path other : served) {
            try {
                if (Files.exists(other) && Files.isSameFile(other, path)) {
                    throw usageError("invalid value for --export: " + path + " is already served (as " + other + ")");
                }
            } catch (IOException e) {
                throw usageError("invalid value for --export: cannot compare " + path + " with " + other + ": "
                        + e.getMessage());
            }
        }
        served.add(path);
    }
}
