package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The framer alone: flags, headers and data split at any byte, skipping, stopping, the TLS rule. */
class OptionFramerTest {
    private final Recorder recorder = new Recorder();
    private final OptionFramer framer = new OptionFramer(recorder);

    @Test
    void readsFlagsAndOptionsFedOneByteAtATime() {
        ByteBuf stream = Unpooled.buffer().writeInt(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES)
                .writeBytes(Wire.option(Nbd.OPT_LIST, new byte[0]))
                .writeBytes(Wire.option(Nbd.OPT_GO, new byte[] {1, 2, 3}));
        ByteBuf in = Unpooled.buffer();

        while (stream.isReadable()) {
            in.writeByte(stream.readByte());
            framer.read(null, in);
            in.discardReadBytes();
        }

        assertThat(recorder.events).containsExactly("flags noZeroes=true", "admit 3 (0 bytes)", "option 3 []",
                "admit 7 (3 bytes)", "option 7 [010203]");
        assertThat(in.readableBytes()).isZero();
    }

    @Test
    void skipsTheDataOfARefusedOptionEvenWhenItArrivesLater() {
        recorder.admission = OptionFramer.Admission.SKIP;
        ByteBuf in = Unpooled.buffer().writeInt(0).writeBytes(Wire.option(99, new byte[10]));
        in.writerIndex(in.writerIndex() - 6);

        framer.read(null, in);
        assertThat(framer.state()).isEqualTo(OptionFramer.State.SKIP_OPTION_DATA);
        recorder.admission = OptionFramer.Admission.READ;
        framer.read(null, in.writeZero(6).writeBytes(Wire.option(Nbd.OPT_LIST, new byte[0])));

        assertThat(recorder.events).containsExactly("flags noZeroes=false", "admit 99 (10 bytes)",
                "admit 3 (0 bytes)", "option 3 []");
    }

    @Test
    void unknownClientFlagsAndBadMagicAreMalformedAndStopTheFramer() {
        framer.read(null, Unpooled.buffer().writeInt(0x80));
        assertThat(recorder.events).containsExactly("malformed client flags 0x00000080 carry unknown bits (known: 0x00000003)");
        assertThat(framer.state()).isEqualTo(OptionFramer.State.STOPPED);

        OptionFramer other = new OptionFramer(recorder);
        other.read(null, Unpooled.buffer().writeInt(0).writeLong(0x1234).writeInt(1).writeInt(0));
        assertThat(recorder.events.get(recorder.events.size() - 1)).startsWith("malformed bad option magic: got 0x0000000000001234");
    }

    @Test
    void afterStopNothingMoreIsRead() {
        recorder.step = OptionFramer.Step.STOP;
        ByteBuf in = Unpooled.buffer().writeInt(0).writeBytes(Wire.option(Nbd.OPT_GO, new byte[0]))
                .writeBytes(Wire.option(Nbd.OPT_LIST, new byte[0]));

        framer.read(null, in);

        assertThat(recorder.events).containsExactly("flags noZeroes=false", "admit 7 (0 bytes)", "option 7 []");
        assertThat(in.readableBytes()).isEqualTo(16);
    }

    @Test
    void bytesLeftInClearAfterTheTlsStepAreMalformed() {
        recorder.step = OptionFramer.Step.NEXT_INSIDE_TLS;
        ByteBuf in = Unpooled.buffer().writeInt(0).writeBytes(Wire.option(Nbd.OPT_STARTTLS, new byte[0])).writeByte(7);

        framer.read(null, in);

        assertThat(recorder.events).endsWith("malformed 1 bytes in clear after NBD_OPT_STARTTLS");
        assertThat(framer.state()).isEqualTo(OptionFramer.State.STOPPED);
    }

    /** Records what the framer hands over, and answers as told. */
    private static final class Recorder implements OptionFramer.Options {
        final List<String> events = new ArrayList<>();
        OptionFramer.Admission admission = OptionFramer.Admission.READ;
        OptionFramer.Step step = OptionFramer.Step.NEXT;

        @Override
        public void clientFlags(ChannelHandlerContext ctx, boolean noZeroes) {
            events.add("flags noZeroes=" + noZeroes);
        }

        @Override
        public OptionFramer.Admission admit(ChannelHandlerContext ctx, int option, long length) {
            events.add("admit " + option + " (" + length + " bytes)");
            return admission;
        }

        @Override
        public OptionFramer.Step option(ChannelHandlerContext ctx, int option, ByteBuf data) {
            events.add("option " + option + " [" + ByteBufUtil.hexDump(data) + "]");
            return step;
        }

        @Override
        public void malformed(ChannelHandlerContext ctx, String reason) {
            events.add("malformed " + reason);
        }
    }
}
