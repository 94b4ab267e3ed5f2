package net.flexnbd.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import net.flexnbd.app.Server;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server's packages form no cycle, read from the compiled classes (so a fully qualified
 * name in the code counts as much as an import). The serving side and the migration side
 * meet only in {@code net.flexnbd.app}, which wires them together.
 */
class PackageCycleTest {
    private static PackageGraph graph;

    @BeforeAll
    static void readCompiledClasses() throws Exception {
        graph = PackageGraph.of(compiledClasses());
    }

    @Test
    void theGraphCoversTheServerPackages() {
        assertThat(graph.packages()).contains("net.flexnbd.app", "net.flexnbd.server", "net.flexnbd.migration",
                "net.flexnbd.export", "net.flexnbd.protocol", "net.flexnbd.storage");
        assertThat(graph.dependenciesOf("net.flexnbd.app")).contains("net.flexnbd.server", "net.flexnbd.migration");
    }

    @Test
    void noPackageCycle() {
        assertThat(graph.cycles()).as("groups of packages that depend on each other").isEmpty();
    }

    @Test
    void servingAndMigrationDoNotKnowEachOther() {
        assertThat(graph.dependenciesOf("net.flexnbd.server")).doesNotContain("net.flexnbd.migration");
        assertThat(graph.dependenciesOf("net.flexnbd.migration")).doesNotContain("net.flexnbd.server");
    }

    @Test
    void neitherSideKnowsTheCompositionRootOrTheControlSocket() {
        for (String side : new String[] {"net.flexnbd.server", "net.flexnbd.migration"}) {
            assertThat(graph.dependenciesOf(side)).as(side)
                    .doesNotContain("net.flexnbd.app", "net.flexnbd.cli", "net.flexnbd.control");
        }
    }

    @Test
    void theCycleFinderFindsACycle() {
        PackageGraph made = new PackageGraph();
        made.add("a", "b");
        made.add("b", "c");
        made.add("c", "a");
        made.add("c", "d");
        made.add("e", "e");
        assertThat(made.cycles()).containsExactly(java.util.List.of("a", "b", "c"));
    }

    private static Path compiledClasses() throws URISyntaxException {
        return Path.of(Server.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
