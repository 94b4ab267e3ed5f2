package net.flexnbd.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StatusReportTest {
    @Test
    void fieldsAppearInOrderAsKeyValuePairs() {
        String line = new StatusReport().put("pid", 42).put("size", 4096).put("has_control", true).toLine();
        assertThat(line).isEqualTo("pid=42 size=4096 has_control=true");
    }

    @Test
    void valuesNeverCarryASpace() {
        assertThat(new StatusReport().put("note", "two words").toLine()).isEqualTo("note=two_words");
    }

    @Test
    void aKeyWithASpaceIsRefused() {
        assertThatThrownBy(() -> new StatusReport().put("bad key", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad key");
    }
}
