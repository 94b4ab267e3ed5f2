package net.flexnbd.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.OptionalLong;
import net.flexnbd.migration.MirrorRequest.AfterHandover;
import org.junit.jupiter.api.Test;

class MirrorRequestTest {
    @Test
    void actionsParseFromTheirControlWords() {
        assertThat(AfterHandover.parse("exit")).isEqualTo(AfterHandover.EXIT);
        assertThat(AfterHandover.parse("unlink")).isEqualTo(AfterHandover.UNLINK);
        assertThat(AfterHandover.parse("nothing")).isEqualTo(AfterHandover.NOTHING);
    }

    @Test
    void anUnknownActionNamesTheWordAndTheChoices() {
        assertThatThrownBy(() -> AfterHandover.parse("explode"))
                .hasMessageContaining("explode").hasMessageContaining("exit, unlink or nothing");
    }

    @Test
    void aNonPositiveCapIsRefused() {
        assertThatThrownBy(() -> new MirrorRequest(new InetSocketAddress("127.0.0.1", 1), AfterHandover.EXIT,
                Optional.empty(), OptionalLong.of(0))).hasMessageContaining("(0)");
    }
}
