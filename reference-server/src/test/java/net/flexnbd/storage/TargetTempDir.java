package net.flexnbd.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Puts {@code @TempDir} directories under the module's {@code target/} rather than
 * {@code /tmp}: the build directory is on a real disk file system more often than
 * {@code /tmp}, and hole tests need one that supports punching and SEEK_DATA.
 */
final class TargetTempDir implements TempDirFactory {

    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
        Path parent = Files.createDirectories(Path.of("target", "storage-tests"));
        return Files.createTempDirectory(parent, "junit-");
    }
}
