package net.flexnbd.cli;

import java.io.IOException;
import picocli.CommandLine.Command;

/** {@code flexnbd read}: one NBD read, the data to stdout. */
@Command(name = "read",
        description = "Read SIZE bytes at OFFSET from the NBD server on ADDR:PORT and write them to stdout.",
        sortOptions = false,
        footerHeading = "%n",
        footer = "Exit status: 0 success; 1 connection or read failed; 2 usage error.")
final class ReadCommand extends NbdModeCommand {

    ReadCommand(CliEnvironment env, VerbosityChoice verbosity) {
        super(env, verbosity);
    }

    @Override
    public Integer call() {
        checkOptions(Long.MAX_VALUE);
        try (CliEnvironment.RemoteDisk disk = connect()) {
            for (long done = 0; done < size; ) {
                int length = (int) Math.min(CHUNK, size - done);
                byte[] data = disk.read(from + done, length);
                if (data.length != length) {
                    throw new IOException("server sent " + data.length + " bytes for a read of " + length);
                }
                env.out().write(data, 0, data.length);
                done += length;
            }
        } catch (IOException e) {
            failure(e.getMessage());
            return 1;
        }
        env.out().flush();
        if (env.out().checkError()) {
            failure("could not write the data to stdout");
            return 1;
        }
        return 0;
    }
}
