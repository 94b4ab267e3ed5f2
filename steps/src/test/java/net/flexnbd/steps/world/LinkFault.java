package net.flexnbd.steps.world;

import java.util.Locale;
import net.flexnbd.fixtures.faultproxy.Fault;
import net.flexnbd.fixtures.faultproxy.FaultBuilder;

/** What the fault proxy does to the migration link at a step, in the words of the features: cut, reset, held. */
public enum LinkFault {
    CUT, RESET, HELD;

    public static final String REGEX = "cut|reset|held";

    public static LinkFault parse(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }

    public Fault place(FaultBuilder at) {
        return switch (this) {
            case CUT -> at.cut();
            case RESET -> at.reset();
            case HELD -> at.hold();
        };
    }
}
