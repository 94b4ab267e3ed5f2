package net.flexnbd.cli;

import java.util.ArrayList;
import java.util.List;
import net.flexnbd.acl.Acl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code flexnbd acl}: replace the running server's access list. */
@Command(name = "acl",
        description = "Replace the running server's access list; connected clients it refuses are disconnected."
                + " No entries: everyone is allowed (unless the server runs with --default-deny).",
        footerHeading = "%n",
        footer = "Exit status: the server's answer code (0 success); 1 control socket unreachable; 2 usage error.")
final class AclCommand extends ControlModeCommand {

    @Parameters(paramLabel = "ACL_ENTRY", arity = "0..*",
            description = "IPv4/IPv6 addresses or CIDR ranges allowed to connect.")
    List<String> entries = new ArrayList<>();

    AclCommand(CliEnvironment env, VerbosityChoice verbosity) {
        super(env, verbosity);
    }

    @Override
    String command() {
        return "acl";
    }

    /** One line per entry, as given (checked first). */
    @Override
    List<String> arguments() {
        try {
            Acl.parse(entries, false);
        } catch (IllegalArgumentException e) {
            throw usageError("invalid access list entry: " + e.getMessage());
        }
        return List.copyOf(entries);
    }
}
