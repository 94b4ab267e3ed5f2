package net.flexnbd.steps.world;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.flexnbd.fixtures.faultproxy.Step;

/**
 * The words for the fault proxy's steps: "after the hello", "in the middle of the 3rd WRITE",
 * "right after the ENTRUST", "before the DISCONNECT". WRITEs are counted per connection.
 */
public final class ProtocolStepWords {
    /** Every phrase, for the parameter type (no capture groups: the whole phrase is parsed here). */
    public static final String REGEX = "after the hello|after the handshake"
            + "|after the \\d+(?:st|nd|rd|th) WRITE's header|in the middle of the \\d+(?:st|nd|rd|th) WRITE"
            + "|after the \\d+(?:st|nd|rd|th) WRITE"
            + "|before the ENTRUST|right after the ENTRUST|before the ENTRUST reply|after the ENTRUST reply"
            + "|before the DISCONNECT|after the DISCONNECT";

    private static final Pattern NUMBERED = Pattern.compile(
            "(after the|in the middle of the) (\\d+)(?:st|nd|rd|th) WRITE('s header)?");

    private ProtocolStepWords() {}

    public static Step parse(String phrase) {
        Matcher numbered = NUMBERED.matcher(phrase);
        if (numbered.matches()) {
            int n = Integer.parseInt(numbered.group(2));
            if (numbered.group(3) != null) {
                if (!numbered.group(1).equals("after the")) {
                    throw new IllegalArgumentException("no protocol step is called \"" + phrase + "\"");
                }
                return Step.afterWriteHeader(n);
            }
            return numbered.group(1).equals("after the") ? Step.afterWrite(n) : Step.midWrite(n);
        }
        return switch (phrase) {
            case "after the hello" -> Step.AFTER_HELLO;
            case "after the handshake" -> Step.AFTER_HANDSHAKE;
            case "before the ENTRUST" -> Step.BEFORE_ENTRUST;
            case "right after the ENTRUST" -> Step.AFTER_ENTRUST;
            case "before the ENTRUST reply" -> Step.BEFORE_ENTRUST_REPLY;
            case "after the ENTRUST reply" -> Step.AFTER_ENTRUST_REPLY;
            case "before the DISCONNECT" -> Step.BEFORE_DISCONNECT;
            case "after the DISCONNECT" -> Step.AFTER_DISCONNECT;
            default -> throw new IllegalArgumentException("no protocol step is called \"" + phrase + "\"; the steps are: "
                    + REGEX.replace("\\d+(?:st|nd|rd|th)", "Nth").replace("|", ", "));
        };
    }

    /** The phrase for {@code step}, the inverse of {@link #parse}. */
    public static String phrase(Step step) {
        return switch (step.kind()) {
            case AFTER_HELLO -> "after the hello";
            case AFTER_HANDSHAKE -> "after the handshake";
            case AFTER_WRITE_HEADER -> "after the " + ordinal(step.write()) + " WRITE's header";
            case MID_WRITE -> "in the middle of the " + ordinal(step.write()) + " WRITE";
            case AFTER_WRITE -> "after the " + ordinal(step.write()) + " WRITE";
            case BEFORE_ENTRUST -> "before the ENTRUST";
            case AFTER_ENTRUST -> "right after the ENTRUST";
            case BEFORE_ENTRUST_REPLY -> "before the ENTRUST reply";
            case AFTER_ENTRUST_REPLY -> "after the ENTRUST reply";
            case BEFORE_DISCONNECT -> "before the DISCONNECT";
            case AFTER_DISCONNECT -> "after the DISCONNECT";
        };
    }

    static String ordinal(int n) {
        String suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return n + suffix.toLowerCase(Locale.ROOT);
    }
}
