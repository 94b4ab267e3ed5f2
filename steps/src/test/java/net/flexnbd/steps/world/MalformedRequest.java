package net.flexnbd.steps.world;

import net.flexnbd.fixtures.nbd.RequestFrame;

/** Well-framed requests a server must refuse with EINVAL, by the words a feature uses. */
public enum MalformedRequest {
    /** A command number no NBD command has (nor ENTRUST). */
    UNKNOWN_COMMAND("an unknown command", RequestFrame.command(99, 0, 0)),
    /** A read with a flag bit that no command defines. */
    UNKNOWN_FLAG("a read with an unknown flag", RequestFrame.read(0, 4096).withFlags(0x8000)),
    /** The migration link's handover request, from an ordinary client of a serving server. */
    ENTRUST("an ENTRUST", RequestFrame.entrust());

    private final String phrase;
    private final RequestFrame frame;

    MalformedRequest(String phrase, RequestFrame frame) {
        this.phrase = phrase;
        this.frame = frame;
    }

    public RequestFrame frame() {
        return frame;
    }

    public static MalformedRequest parse(String phrase) {
        for (MalformedRequest request : values()) {
            if (request.phrase.equals(phrase.trim())) {
                return request;
            }
        }
        throw new IllegalArgumentException("unknown malformed request '" + phrase + "'");
    }

}
