package net.flexnbd.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServerEventsTest {
    @Test
    void anEventIsItsNameAndKeyValuePairsQuotedWhereNeeded() {
        assertThat(ServerEvents.line("entrust_received", "peer", "/127.0.0.1:40312"))
                .isEqualTo("event=entrust_received peer=/127.0.0.1:40312");
        assertThat(ServerEvents.line("attempt_abandoned", "peer", "/127.0.0.1:1", "reason", "link closed \"early\""))
                .isEqualTo("event=attempt_abandoned peer=/127.0.0.1:1 reason=\"link closed \\\"early\\\"\"");
        assertThat(ServerEvents.line("control_taken")).isEqualTo("event=control_taken");
    }

    @Test
    void aKeyWithoutAValueIsRefused() {
        assertThatThrownBy(() -> ServerEvents.emit("x", "peer")).hasMessageContaining("event x needs a value");
    }
}
