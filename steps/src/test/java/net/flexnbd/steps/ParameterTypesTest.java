package net.flexnbd.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import net.flexnbd.fixtures.faultproxy.Step;
import net.flexnbd.fixtures.peers.DestinationFault;
import net.flexnbd.fixtures.peers.SourceStep;
import net.flexnbd.fixtures.toxiproxy.Fault;
import net.flexnbd.steps.world.LinkFault;
import net.flexnbd.steps.world.MirrorFailure;
import net.flexnbd.steps.world.ProtocolStepWords;
import net.flexnbd.steps.world.Quantities;
import org.junit.jupiter.api.Test;

/** The parameter types' regexes name exactly the words the fixtures understand, and parse them. */
class ParameterTypesTest {
    private final ParameterTypes types = new ParameterTypes();

    private static List<String> alternatives(String regex) {
        return Arrays.asList(regex.split("\\|"));
    }

    @Test
    void everySourceStepPhraseIsAWordOfTheFeatures() {
        assertThat(alternatives(ParameterTypes.SOURCE_STEP))
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(SourceStep.values()).map(SourceStep::phrase).toList());
        for (SourceStep step : SourceStep.values()) {
            assertThat(types.sourceStep(step.phrase())).isEqualTo(step);
        }
    }

    @Test
    void everyDestinationFaultPhraseIsAWordOfTheFeatures() {
        assertThat(alternatives(ParameterTypes.DESTINATION_FAULT)).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(DestinationFault.values()).map(DestinationFault::phrase).toList());
        for (DestinationFault fault : DestinationFault.values()) {
            assertThat(types.destinationFault(fault.phrase())).isEqualTo(fault);
        }
    }

    @Test
    void everyNetworkFaultIsAWordOfTheFeatures() {
        assertThat(alternatives(ParameterTypes.FAULT)).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(Fault.values()).map(f -> f.name().toLowerCase(Locale.ROOT)).toList());
        assertThat(types.fault("reset_peer")).isEqualTo(Fault.RESET_PEER);
    }

    @Test
    void everyMirrorFailureIsAWordOfTheFeatures() {
        assertThat(alternatives(ParameterTypes.MIRROR_FAILURE)).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(MirrorFailure.values()).map(MirrorFailure::phrase).toList());
        assertThat(types.mirrorFailure("did not answer").code()).isEqualTo(7);
    }

    @Test
    void sizesAreInPowersOf1024() {
        assertThat(matches(ParameterTypes.SIZE, "64 MiB")).isTrue();
        assertThat(matches(ParameterTypes.SIZE, "64MB")).isFalse();
        assertThat(types.size("64", "MiB")).isEqualTo(64L << 20);
        assertThat(types.size("4", "KiB")).isEqualTo(4096L);
        assertThat(types.size("0", "bytes")).isZero();
        assertThatThrownBy(() -> Quantities.bytes("9", "parsecs")).hasMessageContaining("'parsecs'");
        assertThatThrownBy(() -> Quantities.requestLength(4L << 30)).hasMessageContaining(Long.toString(4L << 30));
    }

    @Test
    void durationsReadAsWritten() {
        assertThat(matches(ParameterTypes.DURATION, "300 ms")).isTrue();
        assertThat(matches(ParameterTypes.DURATION, "2 seconds")).isTrue();
        assertThat(types.duration("300", "ms")).isEqualTo(Duration.ofMillis(300));
        assertThat(types.duration("2", "seconds")).isEqualTo(Duration.ofSeconds(2));
        assertThat(types.duration("1", "minute")).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void patternsAreInBackquotes() {
        assertThat(Pattern.compile(ParameterTypes.PATTERN).matcher("`f0_f`").results().map(r -> r.group(1)).toList())
                .containsExactly("f0_f");
    }

    @Test
    void errnoNamesAreTheirValues() {
        assertThat(types.errno("EINVAL")).isEqualTo(22);
        assertThat(types.errno("ESHUTDOWN")).isEqualTo(108);
    }

    @Test
    void everyFaultProxyStepHasAPhraseThatParsesBack() {
        List<Step> steps = List.of(Step.AFTER_HELLO, Step.AFTER_HANDSHAKE, Step.afterWriteHeader(1), Step.midWrite(2),
                Step.afterWrite(3), Step.afterWrite(11), Step.afterWrite(22), Step.BEFORE_ENTRUST, Step.AFTER_ENTRUST,
                Step.BEFORE_ENTRUST_REPLY, Step.AFTER_ENTRUST_REPLY, Step.BEFORE_DISCONNECT, Step.AFTER_DISCONNECT);
        assertThat(steps.stream().map(Step::kind).distinct()).containsExactlyInAnyOrder(Step.Kind.values());
        for (Step step : steps) {
            String phrase = ProtocolStepWords.phrase(step);
            assertThat(matches(ProtocolStepWords.REGEX, phrase)).as(phrase).isTrue();
            assertThat(types.protocolStep(phrase)).as(phrase).isEqualTo(step);
        }
        assertThat(ProtocolStepWords.phrase(Step.afterWrite(11))).isEqualTo("after the 11th WRITE");
        assertThat(ProtocolStepWords.phrase(Step.midWrite(2))).isEqualTo("in the middle of the 2nd WRITE");
        assertThatThrownBy(() -> types.protocolStep("in the middle of the 2nd WRITE's header"))
                .hasMessageContaining("no protocol step");
        assertThatThrownBy(() -> types.protocolStep("after the 0th WRITE")).hasMessageContaining("1 or more");
    }

    @Test
    void linkFaultsAreTheWordsOfTheFeatures() {
        assertThat(alternatives(LinkFault.REGEX)).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(LinkFault.values()).map(f -> f.name().toLowerCase(Locale.ROOT)).toList());
    }

    private static boolean matches(String regex, String text) {
        return Pattern.compile(regex).matcher(text).matches();
    }
}
