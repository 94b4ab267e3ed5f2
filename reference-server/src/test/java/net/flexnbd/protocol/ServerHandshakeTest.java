package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ServerHandshakeTest {

    private static final int FLAGS = Nbd.TFLAG_HAS_FLAGS | Nbd.TFLAG_SEND_FLUSH | Nbd.TFLAG_SEND_FUA;
    private static final ExportDescription EXPORT = new ExportDescription("disk", 1L << 30, FLAGS);
    private static final int BOTH_CLIENT_FLAGS = Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES;

    private final AtomicReference<ChannelPipeline> transmission = new AtomicReference<>();

    /** One option reply as the client reads it. */
    record OptionReply(int option, int type, byte[] data) {
        ByteBuf buf() {
            return Unpooled.wrappedBuffer(data);
        }
    }

    @Test
    void newstyleHelloOffersFixedNewstyleAndNoZeroes() {
        EmbeddedChannel channel = newstyle();

        ByteBuf hello = Wire.drainOutbound(channel);

        assertThat(hello.readableBytes()).isEqualTo(18);
        assertThat(hello.readLong()).isEqualTo(Nbd.INIT_PASSWD);
        assertThat(hello.readLong()).isEqualTo(Nbd.IHAVEOPT);
        assertThat(hello.readUnsignedShort()).isEqualTo(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES);
        assertThat(transmission.get()).isNull();
    }

    @Test
    void goAnswersExportInfoBlockSizesAndAckThenEntersTransmission() {
        EmbeddedChannel channel = negotiating(BOTH_CLIENT_FLAGS);

        channel.writeInbound(Wire.option(Nbd.OPT_GO, Wire.infoData("", Nbd.INFO_BLOCK_SIZE)));

        List<OptionReply> replies = optionReplies(channel);
        assertThat(replies).extracting(OptionReply::option).containsOnly(Nbd.OPT_GO);
        assertThat(replies).extracting(OptionReply::type).containsExactly(Nbd.REP_INFO, Nbd.REP_INFO, Nbd.REP_ACK);
        assertExportInfo(replies.get(0));
        assertBlockSizeInfo(replies.get(1));
        assertThat(replies.get(2).data()).isEmpty();
        assertInTransmission(channel);
    }

    @Test
    void infoAnswersLikeGoButNegotiationGoesOn() {
        EmbeddedChannel channel = negotiating(BOTH_CLIENT_FLAGS);

        channel.writeInbound(Wire.option(Nbd.OPT_INFO, Wire.infoData("any-name-at-all")));

        List<OptionReply> replies = optionReplies(channel);
        assertThat(replies).extracting(OptionReply::type).containsExactly(Nbd.REP_INFO, Nbd.REP_INFO, Nbd.REP_ACK);
        assertThat(replies).extracting(OptionReply::option).containsOnly(Nbd.OPT_INFO);
        assertExportInfo(replies.get(0));
        assertBlockSizeInfo(replies.get(1));
        assertThat(transmission.get()).isNull();
        assertThat(channel.pipeline().get(ServerHandshake.NAME)).isNotNull();

        channel.writeInbound(Wire.option(Nbd.OPT_GO, Wire.infoData("")));
        assertThat(optionReplies(channel)).extracting(OptionReply::type).endsWith(Nbd.REP_ACK);
        assertInTransmission(channel);
    }

    @Test
    void listNamesTheExportThenAcks() {
        EmbeddedChannel channel = negotiating(BOTH_CLIENT_FLAGS);

        channel.writeInbound(Wire.option(Nbd.OPT_LIST, new byte[0]));

        List<OptionReply> replies = optionReplies(channel);
        assertThat(replies).extracting(OptionReply::type).containsExactly(Nbd.REP_SERVER, Nbd.REP_ACK);
        ByteBuf server = replies.get(0).buf();
        int nameLength = server.readInt();
        assertThat(server.readCharSequence(nameLength, StandardCharsets.UTF_8).toString()).isEqualTo("disk");
        assertThat(server.isReadable()).isFalse();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void listWithDataIsInvalid() {
        EmbeddedChannel channel = negotiating(BOTH_CLIENT_FLAGS);

        channel.writeInbound(Wire.option(Nbd.OPT_LIST, new byte[] {1, 2}));

        assertThat(optionReplies(channel)).extracting(OptionReply::type).containsExactly(Nbd.REP_ERR_INVALID);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void abortAcksThenCloses() {
        EmbeddedChannel channel = negotiating(BOTH_CLIENT_FLAGS);

        channel.writeInbound(Wire.option(Nbd.OPT_ABORT, new byte[0]));

        List<OptionReply> replies = optionReplies(channel);
        assertThat(replies).extracting(OptionReply::option, OptionReply::type, r -> r.data().length)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Nbd.OPT_ABORT, Nbd.REP_ACK, 0));
        assertThat(channel.isOpen()).isFalse();
        assertThat(transmission.get()).isNull();
    }

    @Test
    void exportNameWithoutNoZeroesPadsWith124Zeroes() {
        EmbeddedChannel channel = negotiating(Nbd.FLAG_C_FIXED_NEWSTYLE);

        channel.writeInbound(Wire.option(Nbd.OPT_EXPORT_NAME, "whatever".getBytes(StandardCharsets.UTF_8)));

        ByteBuf reply = Wire.drainOutbound(channel);
        assertThat(reply.readableBytes()).isEqualTo(8 + 2 + 124);
        assertThat(reply.readLong()).isEqualTo(EXPORT.size());
        assertThat(reply.readUnsignedShort()).isEqualTo(FLAGS);
        assertThat(reply.forEachByte(b -> b == 0)).isEqualTo(-1);
        assertInTransmission(channel);
    }

    @Test
    void exportNameWithNoZeroesSendsSizeAndFlagsOnly() {
        EmbeddedChannel channel = negotiating(BOTH_CLIENT_FLAGS);

        channel.writeInbound(Wire.option(Nbd.OPT_EXPORT_NAME, new byte[0]));

        ByteBuf reply = Wire.drainOutbound(channel);
        assertThat(reply.readableBytes()).isEqualTo(10);
        assertThat(reply.readLong()).isEqualTo(EXPORT.size());
        assertThat(reply.readUnsignedShort()).isEqualTo(FLAGS);
        assertInTransmission(channel);
    }

    @Test
    void unsupportedOptionsGetErrUnsupAndGoStillWorks() {
        EmbeddedChannel channel = negotiating(BOTH_CLIENT_FLAGS);

        channel.writeInbound(Unpooled.wrappedBuffer(
                Wire.option(Nbd.OPT_STRUCTURED_REPLY, new byte[0]),
                Wire.option(Nbd.OPT_STARTTLS, new byte[0]),
                Wire.option(Nbd.OPT_SET_META_CONTEXT, new byte[40]),
                Wire.option(Nbd.OPT_EXTENDED_HEADERS, new byte[0]),
                Wire.option(0x1234, new byte[] {9, 9, 9}),
                Wire.option(Nbd.OPT_GO, Wire.infoData("disk"))));

        List<OptionReply> replies = optionReplies(channel);
        assertThat(replies.subList(0, 5)).extracting(OptionReply::type).containsOnly(Nbd.REP_ERR_UNSUP);
        assertThat(replies.subList(0, 5)).extracting(OptionReply::option).containsExactly(
                Nbd.OPT_STRUCTURED_REPLY, Nbd.OPT_STARTTLS, Nbd.OPT_SET_META_CONTEXT, Nbd.OPT_EXTENDED_HEADERS, 0x1234);
        assertThat(replies.subList(5, 8)).extracting(OptionReply::type)
                .containsExactly(Nbd.REP_INFO, Nbd.REP_INFO, Nbd.REP_ACK);
        assertInTransmission(channel);
    }

    @Test
    void malformedGoIsInvalidAndNegotiationGoesOn() {
        EmbeddedChannel channel = negotiating(BOTH_CLIENT_FLAGS);
        byte[] nameLongerThanData = {0, 0, 0, 100, 0, 0};
        byte[] trailingByte = {0, 0, 0, 0, 0, 0, 7};

        channel.writeInbound(Unpooled.wrappedBuffer(
                Wire.option(Nbd.OPT_GO, new byte[0]),
                Wire.option(Nbd.OPT_GO, nameLongerThanData),
                Wire.option(Nbd.OPT_INFO, trailingByte)));

        assertThat(optionReplies(channel)).extracting(OptionReply::type).containsExactly(
                Nbd.REP_ERR_INVALID, Nbd.REP_ERR_INVALID, Nbd.REP_ERR_INVALID);
        assertThat(channel.isOpen()).isTrue();
        assertThat(transmission.get()).isNull();
    }

    @Test
    void oversizedOptionIsSkippedUnreadAndRefused() {
        EmbeddedChannel channel = negotiating(BOTH_CLIENT_FLAGS);
        int length = Nbd.MAX_OPTION_LENGTH + 1;

        channel.writeInbound(Unpooled.buffer().writeLong(Nbd.IHAVEOPT).writeInt(Nbd.OPT_GO).writeInt(length));
        assertThat(optionReplies(channel)).extracting(OptionReply::type).containsExactly(Nbd.REP_ERR_TOO_BIG);
        for (int sent = 0; sent < length; sent += 1000) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[Math.min(1000, length - sent)]));
        }
        assertThat(optionReplies(channel)).isEmpty();

        channel.writeInbound(Wire.option(Nbd.OPT_GO, Wire.infoData("")));
        assertThat(optionReplies(channel)).extracting(OptionReply::type).endsWith(Nbd.REP_ACK);
        assertInTransmission(channel);
    }

    @Test
    void oversizedExportNameCloses() {
        EmbeddedChannel channel = negotiating(BOTH_CLIENT_FLAGS);

        channel.writeInbound(Unpooled.buffer().writeLong(Nbd.IHAVEOPT).writeInt(Nbd.OPT_EXPORT_NAME)
                .writeInt(Nbd.MAX_OPTION_LENGTH + 1));

        assertThat(channel.isOpen()).isFalse();
        assertThat(transmission.get()).isNull();
    }

    @Test
    void unknownClientFlagsClose() {
        EmbeddedChannel channel = newstyle();
        Wire.drainOutbound(channel).release();

        channel.writeInbound(Unpooled.buffer().writeInt(BOTH_CLIENT_FLAGS | 0x100));

        assertThat(channel.isOpen()).isFalse();
        assertThat(Wire.drainOutbound(channel).readableBytes()).isZero();
    }

    @Test
    void badOptionMagicClosesAndReadsNoFurther() {
        EmbeddedChannel channel = negotiating(BOTH_CLIENT_FLAGS);
        ByteBuf input = Unpooled.wrappedBuffer(
                Unpooled.buffer().writeLong(0x1122334455667788L).writeInt(Nbd.OPT_GO).writeInt(0),
                Wire.option(Nbd.OPT_LIST, new byte[0]));

        channel.writeInbound(input);

        assertThat(channel.isOpen()).isFalse();
        assertThat(optionReplies(channel)).isEmpty();
        assertThat(input.refCnt()).isZero();
        assertThat(transmission.get()).isNull();
    }

    @Test
    void oldstyleSendsThe152ByteHelloAndGoesStraightToTransmission() {
        EmbeddedChannel channel = new EmbeddedChannel(
                new ServerHandshake(EXPORT, HandshakeStyle.OLDSTYLE, transmission::set));

        ByteBuf hello = Wire.drainOutbound(channel);

        assertThat(hello.readableBytes()).isEqualTo(Nbd.OLDSTYLE_HELLO_LENGTH);
        assertThat(hello.readLong()).isEqualTo(Nbd.INIT_PASSWD);
        assertThat(hello.readLong()).isEqualTo(Nbd.OLDSTYLE_MAGIC);
        assertThat(hello.readLong()).isEqualTo(EXPORT.size());
        assertThat(hello.readInt()).isEqualTo(FLAGS);
        assertThat(hello.forEachByte(b -> b == 0)).as("124 zero bytes").isEqualTo(-1);
        assertInTransmission(channel);
    }

    @Test
    void requestPipelinedRightAfterGoInTheSameBufferIsDecoded() {
        EmbeddedChannel channel = newstyle();
        Wire.drainOutbound(channel).release();

        channel.writeInbound(Unpooled.wrappedBuffer(
                Unpooled.buffer().writeInt(BOTH_CLIENT_FLAGS),
                Wire.option(Nbd.OPT_GO, Wire.infoData("")),
                Wire.requestHeader(0, Nbd.CMD_READ, 77, 512, 4096),
                Wire.write(78, 0, new byte[] {1, 2, 3})));

        assertInTransmission(channel);
        assertThat(channel.<Object>readInbound()).isEqualTo(Request.of(0, Nbd.CMD_READ, 77, 512, 4096));
        Request write = channel.readInbound();
        assertThat(write.cookie()).isEqualTo(78);
        assertThat(write.payload().readableBytes()).isEqualTo(3);
        write.payload().release();
        assertThat(optionReplies(channel)).extracting(OptionReply::type).endsWith(Nbd.REP_ACK);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void wholeNegotiationByteByByte() {
        EmbeddedChannel channel = newstyle();
        Wire.drainOutbound(channel).release();

        Wire.writeByteByByte(channel, Unpooled.wrappedBuffer(
                Unpooled.buffer().writeInt(BOTH_CLIENT_FLAGS),
                Wire.option(Nbd.OPT_STRUCTURED_REPLY, new byte[] {1}),
                Wire.option(Nbd.OPT_LIST, new byte[0]),
                Wire.option(Nbd.OPT_GO, Wire.infoData("disk", Nbd.INFO_NAME)),
                Wire.requestHeader(0, Nbd.CMD_FLUSH, 5, 0, 0)));

        // GO asked for NBD_INFO_NAME: export, name, block sizes.
        assertThat(optionReplies(channel)).extracting(OptionReply::type).containsExactly(
                Nbd.REP_ERR_UNSUP, Nbd.REP_SERVER, Nbd.REP_ACK, Nbd.REP_INFO, Nbd.REP_INFO, Nbd.REP_INFO, Nbd.REP_ACK);
        assertInTransmission(channel);
        assertThat(channel.<Object>readInbound()).isEqualTo(Request.of(0, Nbd.CMD_FLUSH, 5, 0, 0));
    }

    @Test
    void transmissionHandlersSitBetweenTheCodecAndTheTail() {
        EmbeddedChannel channel = newstyle(pipeline -> pipeline.addLast("server", new io.netty.channel.ChannelInboundHandlerAdapter()));
        Wire.drainOutbound(channel).release();

        channel.writeInbound(Unpooled.wrappedBuffer(
                Unpooled.buffer().writeInt(BOTH_CLIENT_FLAGS), Wire.option(Nbd.OPT_GO, Wire.infoData(""))));

        assertThat(channel.pipeline().names()).containsSubsequence(RequestDecoder.NAME, ReplyEncoder.NAME, "server");
        assertThat(channel.pipeline().names()).doesNotContain(ServerHandshake.NAME);
    }

    // ---- helpers ------------------------------------------------------------------------

    private EmbeddedChannel newstyle() {
        return newstyle(transmission::set);
    }

    private EmbeddedChannel newstyle(java.util.function.Consumer<ChannelPipeline> enter) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(ServerHandshake.NAME, new ServerHandshake(EXPORT, HandshakeStyle.NEWSTYLE,
                pipeline -> {
                    transmission.set(pipeline);
                    enter.accept(pipeline);
                }));
        // EmbeddedChannel is active before the handler is added: replay activation for it
        channel.pipeline().fireChannelActive();
        return channel;
    }

    private EmbeddedChannel negotiating(int clientFlags) {
        EmbeddedChannel channel = newstyle();
        Wire.drainOutbound(channel).release();
        channel.writeInbound(Unpooled.buffer().writeInt(clientFlags));
        return channel;
    }

    private static List<OptionReply> optionReplies(EmbeddedChannel channel) {
        ByteBuf all = Wire.drainOutbound(channel);
        List<OptionReply> replies = new ArrayList<>();
        while (all.isReadable()) {
            assertThat(all.readLong()).as("option reply magic").isEqualTo(Nbd.OPTION_REPLY_MAGIC);
            int option = all.readInt();
            int type = all.readInt();
            byte[] data = new byte[all.readInt()];
            all.readBytes(data);
            replies.add(new OptionReply(option, type, data));
        }
        all.release();
        return replies;
    }

    private static void assertExportInfo(OptionReply reply) {
        ByteBuf info = reply.buf();
        assertThat(info.readableBytes()).isEqualTo(12);
        assertThat(info.readUnsignedShort()).isEqualTo(Nbd.INFO_EXPORT);
        assertThat(info.readLong()).isEqualTo(EXPORT.size());
        assertThat(info.readUnsignedShort()).isEqualTo(FLAGS);
    }

    private static void assertBlockSizeInfo(OptionReply reply) {
        ByteBuf info = reply.buf();
        assertThat(info.readableBytes()).isEqualTo(14);
        assertThat(info.readUnsignedShort()).isEqualTo(Nbd.INFO_BLOCK_SIZE);
        assertThat(info.readInt()).as("minimum").isEqualTo(1);
        assertThat(info.readInt()).as("preferred").isEqualTo(4096);
        assertThat(info.readInt()).as("maximum").isEqualTo(Nbd.MAX_PAYLOAD);
    }

    private void assertInTransmission(EmbeddedChannel channel) {
        assertThat(transmission.get()).as("enterTransmission called").isSameAs(channel.pipeline());
        assertThat(channel.pipeline().get(ServerHandshake.NAME)).isNull();
        assertThat(channel.pipeline().get(RequestDecoder.NAME)).isInstanceOf(RequestDecoder.class);
        assertThat(channel.pipeline().get(ReplyEncoder.NAME)).isInstanceOf(ReplyEncoder.class);
        assertThat(channel.isOpen()).isTrue();
    }
}
