package net.flexnbd.control;

/**
 * One control-socket answer, sent as the line {@code CODE: MESSAGE}. Code 0 is success.
 */
public record ControlResponse(int code, String message) {
    public ControlResponse {
        if (code < 0) {
            throw new IllegalArgumentException("code (" + code + ") must not be negative");
        }
        // One line on the wire: a message never carries a line break.
        message = message.replace('\n', ' ').replace('\r', ' ');
    }

    public static ControlResponse ok(String message) {
        return new ControlResponse(0, message);
    }

    public static ControlResponse error(int code, String message) {
        return new ControlResponse(code, message);
    }

    public boolean isSuccess() {
        return code == 0;
    }

    /** The wire form, without the trailing newline. */
    public String toLine() {
        return code + ": " + message;
    }
}
