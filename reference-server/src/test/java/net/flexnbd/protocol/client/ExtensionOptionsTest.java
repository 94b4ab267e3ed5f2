package net.flexnbd.protocol.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Negotiation;
import org.junit.jupiter.api.Test;

/** The options asked before NBD_OPT_GO for structured replies and base:allocation, and how replies are read. */
class ExtensionOptionsTest {
    private static final Negotiation BOTH = new Negotiation(true, true);

    @Test
    void asksForStructuredRepliesThenBaseAllocationAndKeepsTheServersId() throws Exception {
        ExtensionOptions options = new ExtensionOptions(BOTH);
        assertThat(options.next().option()).isEqualTo(Nbd.OPT_STRUCTURED_REPLY);
        assertThat(options.reply(Nbd.OPT_STRUCTURED_REPLY, Nbd.REP_ACK, new byte[0])).isTrue();

        ExtensionOptions.Option set = options.next();
        assertThat(set.option()).isEqualTo(Nbd.OPT_SET_META_CONTEXT);
        ByteBuffer data = ByteBuffer.wrap(set.data());
        assertThat(data.getInt()).as("export name length: the default export").isZero();
        assertThat(data.getInt()).as("queries").isEqualTo(1);
        byte[] query = new byte[data.getInt()];
        data.get(query);
        assertThat(new String(query, StandardCharsets.UTF_8)).isEqualTo(Nbd.BASE_ALLOCATION);
        assertThat(data.hasRemaining()).isFalse();

        assertThat(options.reply(Nbd.OPT_SET_META_CONTEXT, Nbd.REP_META_CONTEXT, context(9, "other:thing"))).isFalse();
        assertThat(options.reply(Nbd.OPT_SET_META_CONTEXT, Nbd.REP_META_CONTEXT, context(42, Nbd.BASE_ALLOCATION)))
                .isFalse();
        assertThat(options.reply(Nbd.OPT_SET_META_CONTEXT, Nbd.REP_ACK, new byte[0])).isTrue();
        assertThat(options.next()).isNull();
        assertThat(options.structuredReplies()).isTrue();
        assertThat(options.baseAllocationId()).hasValue(42);
    }

    @Test
    void aServerWithoutStructuredRepliesIsNotAskedForContexts() throws Exception {
        ExtensionOptions options = new ExtensionOptions(BOTH);
        assertThat(options.reply(Nbd.OPT_STRUCTURED_REPLY, Nbd.REP_ERR_UNSUP, new byte[0])).isTrue();
        assertThat(options.next()).isNull();
        assertThat(options.structuredReplies()).isFalse();
        assertThat(options.baseAllocationId()).isEmpty();
    }

    @Test
    void nothingWantedAsksNothingAndStructuredRepliesAloneAskNoContext() throws Exception {
        assertThat(new ExtensionOptions(Negotiation.SIMPLE).next()).isNull();
        ExtensionOptions replies = new ExtensionOptions(new Negotiation(true, false));
        replies.reply(Nbd.OPT_STRUCTURED_REPLY, Nbd.REP_ACK, new byte[0]);
        assertThat(replies.next()).isNull();
        assertThat(replies.structuredReplies()).isTrue();
    }

    @Test
    void aReplyThatBreaksTheProtocolIsRefused() {
        ExtensionOptions options = new ExtensionOptions(BOTH);
        assertThatThrownBy(() -> options.reply(Nbd.OPT_GO, Nbd.REP_ACK, new byte[0]))
                .isInstanceOf(NbdProtocolException.class).hasMessageContaining("expected " + Nbd.OPT_STRUCTURED_REPLY);
        assertThatThrownBy(() -> options.reply(Nbd.OPT_STRUCTURED_REPLY, Nbd.REP_SERVER, new byte[0]))
                .isInstanceOf(NbdProtocolException.class);
        ExtensionOptions meta = new ExtensionOptions(BOTH);
        assertThatThrownBy(() -> {
            meta.reply(Nbd.OPT_STRUCTURED_REPLY, Nbd.REP_ACK, new byte[0]);
            meta.reply(Nbd.OPT_SET_META_CONTEXT, Nbd.REP_META_CONTEXT, new byte[3]);
        }).isInstanceOf(NbdProtocolException.class).hasMessageContaining("no context id");
    }

    private static byte[] context(int id, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + bytes.length).putInt(id).put(bytes).array();
    }
}
