package net.flexnbd.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native calls and their errors, named with call, offset, length and errno text. */
class LinuxFilesTest {

    @TempDir(factory = TargetTempDir.class)
    Path dir;

    /** Opens {@code file} natively, skipping the calling test where that is impossible. */
    static int assumeNativeOpen(Path file) throws IOException {
        assumeTrue(LinuxFiles.isAvailable(), "native file calls unavailable: " + LinuxFiles.unavailableReason());
        return LinuxFiles.openReadWrite(file);
    }

    @Test
    void availableOn64BitLinux() {
        assumeTrue(System.getProperty("os.name").equals("Linux"));

        assertThat(LinuxFiles.isAvailable()).as(LinuxFiles.unavailableReason()).isTrue();
    }

    @Test
    void seeksFindDataAndHoles() throws IOException {
        Path file = dir.resolve("sparse.img");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(1 << 24);
            raf.seek(1 << 20);
            raf.write(new byte[] {1});
        }
        int fd = assumeNativeOpen(file);
        try {
            long data = LinuxFiles.seekData(fd, 0);
            assertThat(data).isBetween(0L, 1L << 20);
            assertThat(LinuxFiles.seekHole(fd, data)).isGreaterThan(1L << 20);
            assertThat(LinuxFiles.seekData(fd, (1 << 20) + (1 << 16))).isEqualTo(-1);
            assertThat(LinuxFiles.seekHole(fd, 1 << 24)).isEqualTo(-1);
        } finally {
            LinuxFiles.close(fd);
        }
    }

    @Test
    void aFailedCallNamesItsArgumentsAndTheErrno() {
        assumeTrue(LinuxFiles.isAvailable());

        assertThatThrownBy(() -> LinuxFiles.punchHole(-1, 4096, 8192))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(ErrnoException.EBADF))
                .hasMessageContaining("fallocate")
                .hasMessageContaining("PUNCH_HOLE")
                .hasMessageContaining("offset 4096")
                .hasMessageContaining("length 8192")
                .hasMessageContaining("EBADF")
                .hasMessageContaining("Bad file descriptor");
        assertThatThrownBy(() -> LinuxFiles.seekData(-1, 12345))
                .hasMessageContaining("lseek")
                .hasMessageContaining("offset 12345")
                .hasMessageContaining("SEEK_DATA")
                .hasMessageContaining("EBADF");
    }

    @Test
    void openingAMissingFileFailsWithENOENT() {
        assumeTrue(LinuxFiles.isAvailable());
        Path missing = dir.resolve("missing");

        assertThatThrownBy(() -> LinuxFiles.openReadWrite(missing))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(ErrnoException.ENOENT))
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("No such file or directory");
    }

    @Test
    void unsupportedMeansTheFileSystemCannot() {
        assertThat(new ErrnoException("x", ErrnoException.EOPNOTSUPP, "y").isUnsupported()).isTrue();
        assertThat(new ErrnoException("x", ErrnoException.ENOSYS, "y").isUnsupported()).isTrue();
        assertThat(new ErrnoException("x", ErrnoException.EIO, "y").isUnsupported()).isFalse();
        assertThat(ErrnoException.name(1234)).isEqualTo("errno 1234");
    }
}
