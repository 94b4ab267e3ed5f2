package net.flexnbd.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ClientLimitTest {
    private final ClientLimit limit = new ClientLimit(2);
    private final AtomicInteger hellos = new AtomicInteger();

    private EmbeddedChannel connect() {
        return new EmbeddedChannel(limit, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                hellos.incrementAndGet(); // where the handshake would send its hello
            }
        });
    }

    @Test
    void connectionsBeyondTheLimitAreClosedBeforeTheHelloUntilOneLeaves() {
        List<EmbeddedChannel> admitted = new ArrayList<>(List.of(connect(), connect()));

        EmbeddedChannel refused = connect();
        EmbeddedChannel alsoRefused = connect();

        assertThat(refused.isOpen()).isFalse();
        assertThat(alsoRefused.isOpen()).isFalse();
        assertThat(hellos.get()).isEqualTo(2);
        assertThat(limit.open()).isEqualTo(2);

        admitted.get(0).close();
        EmbeddedChannel later = connect();

        assertThat(later.isOpen()).isTrue();
        assertThat(hellos.get()).isEqualTo(3);
        assertThat(limit.open()).isEqualTo(2);
    }
}
