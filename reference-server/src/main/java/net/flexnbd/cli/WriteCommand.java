package net.flexnbd.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code flexnbd write}: one NBD write of SIZE bytes read from stdin. All SIZE bytes are
 * read before connecting, so short input writes nothing.
 */
@Command(name = "write",
        description = "Write exactly SIZE bytes from stdin at OFFSET to the NBD server on ADDR:PORT."
                + " Input shorter than SIZE writes nothing.",
        sortOptions = false,
        footerHeading = "%n",
        footer = "Exit status: 0 written (and flushed to stable storage); 1 short input, connection or write"
                + " failed; 2 usage error.")
final class WriteCommand extends NbdModeCommand {

    /** Largest SIZE: stdin is held in memory until it is all there. */
    static final long MAX_SIZE = 1L << 30;

    WriteCommand(CliEnvironment env, VerbosityChoice verbosity) {
        super(env, verbosity);
    }

    @Override
    public Integer call() {
        checkOptions(MAX_SIZE);
        List<byte[]> chunks;
        try {
            chunks = readInput(env.in());
        } catch (IOException e) {
            failure("cannot read stdin: " + e.getMessage() + "; nothing written");
            return 1;
        }
        long got = chunks.stream().mapToLong(c -> c.length).sum();
        if (got < size) {
            failure("stdin ended after " + got + " of " + size + " bytes; nothing written");
            return 1;
        }
        try (CliEnvironment.RemoteDisk disk = connect()) {
            long offset = from;
            for (byte[] chunk : chunks) {
                disk.write(offset, chunk, true);
                offset += chunk.length;
            }
        } catch (IOException e) {
            failure(e.getMessage());
            return 1;
        }
        return 0;
    }

    /** Up to {@code size} bytes of {@code in}, in pieces of at most {@link #CHUNK}. */
    private List<byte[]> readInput(InputStream in) throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        for (long left = size; left > 0; ) {
            byte[] chunk = in.readNBytes((int) Math.min(CHUNK, left));
            if (chunk.length > 0) {
                chunks.add(chunk);
            }
            if (chunk.length < Math.min(CHUNK, left)) {
                break;
            }
            left -= chunk.length;
        }
        return chunks;
    }
}
