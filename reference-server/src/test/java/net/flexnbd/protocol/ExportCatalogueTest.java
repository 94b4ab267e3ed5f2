package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which export a name finds, alone and beside named exports, and which catalogues are refused. */
class ExportCatalogueTest {
    private static final ExportDescription DEFAULT = new ExportDescription("", 1 << 20, Nbd.TFLAG_HAS_FLAGS);
    private static final ExportDescription ALPHA = new ExportDescription("alpha", "first", 2 << 20, Nbd.TFLAG_HAS_FLAGS);
    private static final ExportDescription BETA = new ExportDescription("beta", 3 << 20, Nbd.TFLAG_HAS_FLAGS);

    @Test
    void aSingleExportAnswersEveryName() {
        ExportCatalogue single = ExportCatalogue.single(DEFAULT);

        assertThat(single.find("")).contains(DEFAULT);
        assertThat(single.find("anything")).contains(DEFAULT);
        assertThat(single.listed()).containsExactly(DEFAULT);
    }

    @Test
    void besideNamedExportsTheEmptyNameIsTheDefaultAndNamesMatchExactly() {
        ExportCatalogue catalogue = ExportCatalogue.of(DEFAULT, List.of(ALPHA, BETA));

        assertThat(catalogue.find("")).contains(DEFAULT);
        assertThat(catalogue.find("alpha")).contains(ALPHA);
        assertThat(catalogue.find("beta")).contains(BETA);
        assertThat(catalogue.find("Alpha")).isEmpty();
        assertThat(catalogue.find("gamma")).isEmpty();
        assertThat(catalogue.listed()).containsExactly(DEFAULT, ALPHA, BETA);
    }

    @Test
    void aRepeatedOrEmptyOrOverlongNameIsRefused() {
        assertThatThrownBy(() -> ExportCatalogue.of(DEFAULT, List.of(ALPHA, ALPHA)))
                .hasMessageContaining("'alpha' is given twice");
        assertThatThrownBy(() -> ExportCatalogue.of(DEFAULT, List.of(DEFAULT)))
                .hasMessageContaining("must not be empty");
        String overlong = "x".repeat(Nbd.MAX_OPTION_LENGTH + 1);
        assertThatThrownBy(() -> ExportCatalogue.checkName(overlong)).hasMessageContaining("4097 bytes");
        ExportCatalogue.checkName("x".repeat(Nbd.MAX_OPTION_LENGTH));
    }
}
