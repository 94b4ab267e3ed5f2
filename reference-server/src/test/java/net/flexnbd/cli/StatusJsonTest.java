package net.flexnbd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StatusJsonTest {
    @Test
    void valuesAreTyped() {
        assertThat(StatusJson.of("pid=42 size=8388608 is_mirroring=true clients_allowed=false num_clients=1 has_control=true "
                + "migration_speed_limit=unlimited migration_pass=3"))
                .isEqualTo("{\"pid\":42,\"size\":8388608,\"is_mirroring\":true,\"clients_allowed\":false,\"num_clients\":1,"
                        + "\"has_control\":true,\"migration_speed_limit\":null,\"migration_pass\":3}");
    }

    @Test
    void otherValuesAreStringsAndAnEmptyStatusIsAnEmptyObject() {
        assertThat(StatusJson.of("reason=\"a\\b\" version=1.2 big=123456789012345678901")).isEqualTo(
                "{\"reason\":\"\\\"a\\\\b\\\"\",\"version\":\"1.2\",\"big\":\"123456789012345678901\"}");
        assertThat(StatusJson.of("  ")).isEqualTo("{}");
        assertThatThrownBy(() -> StatusJson.of("pid=1 nonsense")).hasMessageContaining("'nonsense'");
    }
}
