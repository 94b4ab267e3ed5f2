package net.flexnbd.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How much of a file is really allocated on disk, and on what file system, read with
 * {@code stat(1)}: the JDK offers neither {@code st_blocks} nor the file-system type.
 */
final class Allocation {

    private Allocation() {
    }

    /** Bytes allocated to {@code file} ({@code st_blocks} times 512). */
    static long allocatedBytes(Path file) throws IOException {
        return Long.parseLong(stat("-c", "%b", file)) * 512;
    }

    /** The file system type holding {@code path}, e.g. {@code ext2/ext3} (ext4), {@code xfs}, {@code tmpfs}. */
    static String fileSystemType(Path path) throws IOException {
        return stat("-f", "-c", "%T", path);
    }

    /** The fundamental block size of the file system holding {@code path}. */
    static long fileSystemBlockSize(Path path) throws IOException {
        return Long.parseLong(stat("-f", "-c", "%S", path));
    }

    private static String stat(String a, String b, Path path) throws IOException {
        return run(List.of("stat", a, b, path.toString()));
    }

    private static String stat(String a, String b, String c, Path path) throws IOException {
        return run(List.of("stat", a, b, c, path.toString()));
    }

    private static String run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(command + " failed: " + out);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(command + " interrupted", e);
        } finally {
            p.destroy();
        }
    }
}
