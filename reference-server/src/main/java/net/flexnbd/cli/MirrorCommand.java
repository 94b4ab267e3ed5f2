package net.flexnbd.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexnbd mirror}: ask the running server to migrate to a listening destination.
 *
 * <p>The control request's argument lines, in order (SPEC section 3; the trailing
 * optional ones are left off when not needed):
 * <ol>
 *   <li>the destination address (an IP literal, as given);
 *   <li>the destination port;
 *   <li>the action once the migration completes: {@code unlink} with {@code --unlink},
 *       else {@code exit} (the server also accepts {@code nothing}; this mode never sends
 *       it);
 *   <li>the bind (source) address, sent when {@code --bind} or {@code --max-bps} is given;
 *       without {@code --bind} it is the unspecified address of the destination's family
 *       ({@code 0.0.0.0} or {@code ::}), which means "let the kernel pick", exactly as
 *       when the line is left off;
 *   <li>the bandwidth cap in bytes per second, sent only with {@code --max-bps};
 *   <li>the word {@code tls}, last, sent only with {@code --tls}.
 * </ol>
 * So {@code mirror -l 10.0.0.2 -p 4000 --max-bps 1000000} sends
 * {@code mirror / 10.0.0.2 / 4000 / exit / 0.0.0.0 / 1000000}.
 */
@Command(name = "mirror",
        description = "Ask the server behind SOCK to migrate its file to the server listening on ADDR:PORT;"
                + " once the migration completes the destination takes over and this server exits.",
        sortOptions = false,
        footerHeading = "%n",
        footer = "Exit status: the server's answer code (0: the migration started); 1 control socket"
                + " unreachable; 2 usage error. With --wait, once started: 0 handed over, 11 stopped before"
                + " the handover.")
final class MirrorCommand extends ControlModeCommand {

    @Option(names = {"-l", "--addr"}, required = true, paramLabel = "ADDR", description = "Destination address.")
    String addr;

    @Option(names = {"-p", "--port"}, required = true, paramLabel = "PORT", description = "Destination port.")
    int port;

    @Option(names = {"-u", "--unlink"}, description = "Delete the served file once the destination has taken over.")
    boolean unlink;

    @Option(names = {"-b", "--bind"}, paramLabel = "ADDR",
            description = "Source address to connect from (default: the kernel picks).")
    String bind;

    @Option(names = "--max-bps", paramLabel = "BYTES_PER_S",
            description = "Cap the migration's bandwidth (default: no cap).")
    Long maxBps;

    @Option(names = "--tls",
            description = "Run the migration link inside TLS (NBD_OPT_STARTTLS), with the server's --tls-certificates"
                    + " directory: the destination must present a certificate signed by its ca-cert.pem that names ADDR;"
                    + " client-cert.pem and client-key.pem are presented if it verifies peers.")
    boolean tls;

    @Option(names = {"-w", "--wait"},
            description = "Once started, follow the migration to its end, showing its progress (a bar on a terminal,"
                    + " plain lines otherwise), and exit with its outcome: 0 handed over, 11 stopped before the handover.")
    boolean await;

    MirrorCommand(CliEnvironment env, VerbosityChoice verbosity) {
        super(env, verbosity);
    }

    @Override
    String command() {
        return "mirror";
    }

    @Override
    public Integer call() {
        int started = super.call();
        if (started != 0 || !await) {
            return started;
        }
        try {
            return MirrorWait.of(env, sock).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    @Override
    List<String> arguments() {
        try {
            return MirrorArguments.lines(addr, port, unlink, bind, maxBps, tls);
        } catch (IllegalArgumentException e) {
            throw usageError(e.getMessage());
        }
    }
}
