package net.flexnbd.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import net.flexnbd.protocol.ExportDescription;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.storage.MemoryBlockStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry of served files: which file each export name leads to, and what the handshake offers. */
class ServedExportsTest {
    private final StorageExecutor storage = StorageExecutor.withThreads(1);
    private final ServedFile defaultFile = new ServedFile(Path.of("default.img"), new MemoryBlockStore(8192), storage,
            new ExportOptions(false, "the default"));
    private final ServedFile alpha = new ServedFile(Path.of("alpha.img"), new MemoryBlockStore(4096), storage,
            new ExportOptions(true, "disk alpha"));
    private final ServedFile beta = new ServedFile(Path.of("beta.img"), new MemoryBlockStore(2048), storage);

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void eachNameLeadsToItsOwnFileAndTheEmptyNameToTheDefault() {
        ServedExports exports = new ServedExports(defaultFile, named());

        assertThat(exports.file("")).isSameAs(defaultFile);
        assertThat(exports.file("alpha")).isSameAs(alpha);
        assertThat(exports.file("beta")).isSameAs(beta);
        assertThat(exports.all()).containsExactly(defaultFile, alpha, beta);
        assertThatThrownBy(() -> exports.file("gamma")).hasMessageContaining("no export named 'gamma'");
    }

    @Test
    void theCatalogueOffersEachUnderItsNameWithItsOwnSizeFlagsAndDescription() {
        var catalogue = new ServedExports(defaultFile, named()).catalogue();

        assertThat(catalogue.listed()).extracting(ExportDescription::name).containsExactly("", "alpha", "beta");
        ExportDescription offered = catalogue.find("alpha").orElseThrow();
        assertThat(offered.size()).isEqualTo(4096);
        assertThat(offered.description()).isEqualTo("disk alpha");
        assertThat(offered.transmissionFlags() & Nbd.TFLAG_READ_ONLY).isEqualTo(Nbd.TFLAG_READ_ONLY);
        assertThat(catalogue.find("beta").orElseThrow().transmissionFlags() & Nbd.TFLAG_READ_ONLY).isZero();
        assertThat(catalogue.find("").orElseThrow().size()).isEqualTo(8192);
    }

    @Test
    void closingOneExportsGateLeavesTheOthersOpen() {
        ServedExports exports = new ServedExports(defaultFile, named());

        exports.file("alpha").gate().close();

        assertThat(alpha.gate().isOpen()).isFalse();
        assertThat(defaultFile.gate().isOpen()).isTrue();
        assertThat(beta.gate().isOpen()).isTrue();
    }

    @Test
    void anEmptyNameBesideTheDefaultIsRefused() {
        Map<String, ServedFile> named = Map.of("", alpha);

        assertThatThrownBy(() -> new ServedExports(defaultFile, named)).hasMessageContaining("must not be empty");
    }

    private Map<String, ServedFile> named() {
        Map<String, ServedFile> named = new LinkedHashMap<>();
        named.put("alpha", alpha);
        named.put("beta", beta);
        return named;
    }
}
