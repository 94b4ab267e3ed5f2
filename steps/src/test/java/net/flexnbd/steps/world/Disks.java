package net.flexnbd.steps.world;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import net.flexnbd.fixtures.files.TempFileWriter;

/**
 * The files of one scenario: "the disk" (a {@link TempFileWriter} that knows what the disk
 * should hold, original pattern plus every write a client had acknowledged) and the empty
 * files destinations receive it into, all in one temporary directory deleted afterwards.
 */
public final class Disks {
    private Path directory;
    private TempFileWriter disk;
    private int files;

    /** Builds the disk: {@code size} bytes, the pattern's blocks spread evenly over it. */
    public TempFileWriter create(long size, String pattern) {
        if (disk != null) {
            throw new IllegalStateException("this scenario already has a disk: " + disk);
        }
        disk = TempFileWriter.createWithSize(directory().resolve("disk.img"), pattern, size);
        return disk;
    }

    /** The disk this scenario built; fails if it built none. */
    public TempFileWriter disk() {
        if (disk == null) {
            throw new IllegalStateException("no disk yet: start with a step like "
                    + "'Given a 8 MiB disk written with pattern `f0_f`'");
        }
        return disk;
    }

    /**
     * Fails unless {@code file}, the {@code role}'s, holds what the disk should: its pattern
     * with every acknowledged write laid over it. (The source serves the disk's own file.)
     */
    public void assertHolds(Role role, Path file) {
        TempFileWriter disk = disk();
        disk.firstDifference(file).ifPresent(m -> {
            String which = file.equals(disk.path()) ? "the disk's own file, " + file : file.toString();
            throw new AssertionError("the " + role.word() + "'s file (" + which + ") does not hold what the disk should "
                    + "(pattern `" + disk.pattern() + "` plus " + disk.recordedWrites() + " acknowledged writes): "
                    + m.describe());
        });
    }

    /** A new sparse file as big as the disk, for a destination to receive it into. */
    public Path emptyFileForDestination() {
        Path file = directory().resolve("destination-" + (++files) + ".img");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(disk().size());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /** This scenario's directory, created on first use. */
    public Path directory() {
        if (directory == null) {
            try {
                directory = Files.createTempDirectory("flexnbd-scenario-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a scenario directory: " + e.getMessage(), e);
            }
        }
        return directory;
    }

    /** Deletes the directory and everything in it. */
    public void delete() throws IOException {
        if (directory == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
        directory = null;
    }
}
