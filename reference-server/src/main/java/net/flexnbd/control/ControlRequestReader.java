package net.flexnbd.control;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one control request (command line, argument lines, empty line or end of stream)
 * within fixed bounds, so that a confused or hostile client costs a few kilobytes and
 * gets a clear refusal instead of exhausting memory.
 */
final class ControlRequestReader {

    /** Longest line accepted, in bytes, without its line break. */
    static final int MAX_LINE_BYTES = 4096;
    /** Most argument lines accepted after the command line. */
    static final int MAX_ARGUMENTS = 64;

    /** The request could not be read; the message is the answer to send back. */
    static final class BadRequestException extends Exception {
        BadRequestException(String message) {
            super(message);
        }
    }

    private final InputStream in;
    private final byte[] line = new byte[MAX_LINE_BYTES];

    ControlRequestReader(InputStream in) {
        this.in = in;
    }

    /**
     * Reads the request.
     *
     * @throws BadRequestException when the request breaks a rule; its message says which
     * @throws IOException when the connection fails
     */
    ControlRequest read() throws IOException, BadRequestException {
        String command = readLine(0);
        if (command == null || command.isEmpty()) {
            throw new BadRequestException("empty request: expected a command name on the first line");
        }
        List<String> arguments = new ArrayList<>();
        while (true) {
            String argument = readLine(arguments.size() + 1);
            if (argument == null || argument.isEmpty()) {
                return new ControlRequest(command, arguments);
            }
            if (arguments.size() == MAX_ARGUMENTS) {
                throw new BadRequestException("too many arguments: at most " + MAX_ARGUMENTS + " lines are accepted");
            }
            arguments.add(argument);
        }
    }

    /** The next line without its line break ("\n" or "\r\n"), or null at end of stream before any byte. */
    private String readLine(int lineNumber) throws IOException, BadRequestException {
        int length = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                return length == 0 ? null : decode(length, lineNumber);
            }
            if (b == '\n') {
                if (length > 0 && line[length - 1] == '\r') {
                    length--;
                }
                return decode(length, lineNumber);
            }
            if (length == MAX_LINE_BYTES) {
                throw new BadRequestException("line " + (lineNumber + 1) + " is longer than " + MAX_LINE_BYTES + " bytes");
            }
            line[length++] = (byte) b;
        }
    }

    private String decode(int length, int lineNumber) throws BadRequestException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadRequestException("line " + (lineNumber + 1) + " is not UTF-8 text");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && c != '\t') {
                throw new BadRequestException("line " + (lineNumber + 1) + " holds control character 0x"
                        + Integer.toHexString(c) + "; expected text");
            }
        }
        return text;
    }
}
