package net.flexnbd.protocol;

import java.util.Optional;

/**
 * What a token-aware destination holds for the migration a sender names by its token, the
 * answer to {@link Nbd#OPT_FLEXNBD_HANDOVER}. It decides whether the sender has to send data
 * at all: only a {@link #FRESH} destination gets a copy.
 */
public enum HandoverState {
    /** Nothing of this migration: the attempt starts from a zeroed file. */
    FRESH(0),
    /** An entrusted copy under this token, waiting for DISCONNECT: nothing needs sending. */
    HOLDING(1),
    /** This destination took control under this token: the handover is done. */
    CONFIRMED(2);

    private final int wireValue;

    HandoverState(int wireValue) {
        this.wireValue = wireValue;
    }

    public int wireValue() {
        return wireValue;
    }

    public static Optional<HandoverState> fromWire(int value) {
        for (HandoverState state : values()) {
            if (state.wireValue == value) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }
}
