package net.flexnbd.steps.world;

import java.util.Locale;
import net.flexnbd.fixtures.nbd.RequestFrame;

/** The ordinary requests a scenario sends by name ("a write of 4 KiB at offset 4 MiB"). */
public enum RequestKind {
    READ,
    WRITE,
    TRIM,
    WRITE_ZEROES;

    /** "read", "write", "trim" or "write zeroes". */
    public static RequestKind parse(String words) {
        return valueOf(words.trim().toUpperCase(Locale.ROOT).replace(' ', '_'));
    }

    /** The request; a write carries {@code length} bytes of data. */
    public RequestFrame frame(long offset, int length) {
        return switch (this) {
            case READ -> RequestFrame.read(offset, length);
            case WRITE -> RequestFrame.write(offset, new byte[length]);
            case TRIM -> RequestFrame.trim(offset, length);
            case WRITE_ZEROES -> RequestFrame.writeZeroes(offset, length);
        };
    }
}
