package net.flexnbd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import net.flexnbd.export.NamedExport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code serve --export NAME=FILE} and {@code --export-description NAME=TEXT}: settings and usage errors. */
class ServeExportsOptionsTest {
    @TempDir
    Path dir;

    private Path disk;
    private Path alpha;
    private Path beta;
    private final FakeEnvironment fake = new FakeEnvironment();

    @BeforeEach
    void createDisks() throws Exception {
        disk = Files.write(dir.resolve("disk.img"), new byte[4096]);
        alpha = Files.write(dir.resolve("alpha.img"), new byte[4096]);
        beta = Files.write(dir.resolve("beta.img"), new byte[4096]);
    }

    @Test
    void exportsKeepTheirOrderAndTheirDescriptions() {
        assertThat(serve("--export", "beta=" + beta, "--export", "alpha=" + alpha,
                "--export-description", "alpha=the first = one")).isZero();

        assertThat(fake.started.get(0).namedExports()).containsExactly(
                new NamedExport("beta", beta, ""),
                new NamedExport("alpha", alpha, "the first = one"));
        assertThat(fake.started.get(0).file()).isEqualTo(disk);
    }

    @Test
    void withoutExportsThereAreNone() {
        assertThat(serve()).isZero();

        assertThat(fake.started.get(0).namedExports()).isEmpty();
    }

    @Test
    void aNameIsGivenOnce() {
        assertThat(serve("--export", "a=" + alpha, "--export", "a=" + beta)).isEqualTo(2);

        assertThat(fake.err()).contains("the name 'a' is given twice");
        assertThat(fake.started).isEmpty();
    }

    @Test
    void aFileIsServedOnce() {
        assertThat(serve("--export", "a=" + disk)).isEqualTo(2);
        assertThat(fake.err()).contains("is already served");

        FakeEnvironment twice = new FakeEnvironment();
        assertThat(twice.run("serve", "-l", "127.0.0.1", "-p", "0", "-f", disk.toString(),
                "--export", "a=" + alpha, "--export", "b=" + dir.resolve(".").resolve("alpha.img"))).isEqualTo(2);
        assertThat(twice.err()).contains("is already served");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--export|noequals|is not NAME=FILE",
            "--export|=FILE|is not NAME=FILE",
            "--export|a=DIR/missing.img|does not exist",
            "--export|a=DIR|is a directory",
            "--export-description|nobody=text|no --export is named 'nobody'",
    })
    void badValuesAreUsageErrorsNamingTheOption(String option, String value, String message) {
        assertThat(serve(option, value.replace("DIR", dir.toString()))).isEqualTo(2);

        assertThat(fake.err()).contains("invalid value for " + option).contains(message);
        assertThat(fake.started).isEmpty();
    }

    @Test
    void anOverlongNameIsAUsageError() {
        assertThat(serve("--export", "x".repeat(4097) + "=" + alpha)).isEqualTo(2);

        assertThat(fake.err()).contains("invalid value for --export").contains("4097 bytes");
    }

    @Test
    void namedExportsNeedTheNewstyleHandshake() {
        assertThat(serve("--handshake", "oldstyle", "--export", "a=" + alpha)).isEqualTo(2);

        assertThat(fake.err()).contains("--export needs the newstyle handshake");
        assertThat(serve("--handshake", "oldstyle")).isZero();
    }

    @Test
    void listenHasNoNamedExports() {
        assertThat(fake.run("listen", "-l", "127.0.0.1", "-p", "0", "-f", disk.toString(),
                "--export", "a=" + alpha)).isEqualTo(2);

        assertThat(fake.err()).contains("--export");
    }

    private int serve(String... options) {
        String[] args = new String[7 + options.length];
        System.arraycopy(new String[] {"serve", "-l", "127.0.0.1", "-p", "0", "-f", disk.toString()}, 0, args, 0, 7);
        System.arraycopy(options, 0, args, 7, options.length);
        return fake.run(args);
    }
}
