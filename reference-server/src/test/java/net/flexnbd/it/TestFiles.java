package net.flexnbd.it;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Files for the servers and clients under test: sparse, filled with one byte, or random. */
final class TestFiles {
    private static final int CHUNK = 1024 * 1024;

    private TestFiles() {}

    /** A file of {@code size} bytes with no data blocks at all (truncate). */
    static Path sparse(Path file, long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
        return file;
    }

    /** A file of {@code size} bytes, every one of them {@code value}. */
    static Path filled(Path file, long size, int value) throws IOException {
        byte[] chunk = new byte[CHUNK];
        Arrays.fill(chunk, (byte) value);
        return write(file, size, chunk, null);
    }

    /** A file of {@code size} bytes of pseudo-random data from {@code seed}. */
    static Path random(Path file, long size, long seed) throws IOException {
        return write(file, size, new byte[CHUNK], new SplittableRandom(seed));
    }

    private static Path write(Path file, long size, byte[] chunk, SplittableRandom random) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long at = 0; at < size; at += chunk.length) {
                if (random != null) {
                    random.nextBytes(chunk);
                }
                ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, (int) Math.min(chunk.length, size - at));
                while (buffer.hasRemaining()) {
                    channel.write(buffer, at + buffer.position());
                }
            }
        }
        return file;
    }
}
