package net.flexnbd.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the control-socket request reader (seed corpus in
 * {@code ControlRequestReaderFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes). Whatever a
 * client writes, the reader either returns a request within its bounds (a non-empty
 * command, at most {@link ControlRequestReader#MAX_ARGUMENTS} non-empty text lines, none
 * over {@link ControlRequestReader#MAX_LINE_BYTES} bytes) or refuses it with a message;
 * it never throws anything else.
 */
class ControlRequestReaderFuzzTest {

    @FuzzTest(maxDuration = "3m")
    void readsAnyBytesSafely(byte[] input) throws IOException {
        ControlRequest request;
        try {
            request = new ControlRequestReader(new ByteArrayInputStream(input)).read();
        } catch (ControlRequestReader.BadRequestException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(request.command()).isNotEmpty();
        assertThat(request.arguments()).hasSizeLessThanOrEqualTo(ControlRequestReader.MAX_ARGUMENTS);
        for (String line : request.arguments()) {
            assertThat(line).isNotEmpty();
            assertThat(line.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(ControlRequestReader.MAX_LINE_BYTES);
            assertThat(line.chars()).noneMatch(c -> Character.isISOControl(c) && c != '\t');
        }
    }
}
