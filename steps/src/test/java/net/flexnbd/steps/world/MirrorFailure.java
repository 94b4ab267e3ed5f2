package net.flexnbd.steps.world;

/**
 * The ways a first migration attempt fails, as the source's {@code mirror} answer reports
 * them (the codes of docs/protocol.md), in the words a feature uses.
 */
public enum MirrorFailure {
    UNREACHABLE("could not be reached", 5),
    REJECTED("rejected the connection", 6),
    SILENT("did not answer", 7),
    WRONG_SIZE("has a different size", 8),
    BAD_HELLO("sent a bad hello", 9);

    private final String phrase;
    private final int code;

    MirrorFailure(String phrase, int code) {
        this.phrase = phrase;
        this.code = code;
    }

    /** The control socket's answer code for it. */
    public int code() {
        return code;
    }

    public String phrase() {
        return phrase;
    }

    public static MirrorFailure parse(String phrase) {
        for (MirrorFailure failure : values()) {
            if (failure.phrase.equals(phrase.trim())) {
                return failure;
            }
        }
        throw new IllegalArgumentException("unknown mirror failure '" + phrase + "'");
    }
}
