package net.flexnbd.cli;

import java.util.regex.Pattern;

/**
 * The status line ({@code pid=1 size=4096 is_mirroring=false ...}) as one JSON object with
 * typed values, for {@code status --json}: whole numbers as numbers, {@code true} and
 * {@code false} as booleans, {@code unlimited} (the speed limit) as {@code null}, anything
 * else as a string. Keys keep the server's order.
 */
final class StatusJson {
    private static final Pattern WHOLE_NUMBER = Pattern.compile("-?(0|[1-9][0-9]{0,17})");

    private StatusJson() {}

    static String of(String line) {
        StringBuilder json = new StringBuilder("{");
        String text = line.strip();
        if (!text.isEmpty()) {
            for (String pair : text.split("\\s+")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("the status item '" + pair + "' is not key=value");
                }
                if (json.length() > 1) {
                    json.append(',');
                }
                json.append(string(pair.substring(0, eq))).append(':').append(value(pair.substring(eq + 1)));
            }
        }
        return json.append('}').toString();
    }

    private static String value(String text) {
        if (text.equals("true") || text.equals("false")) {
            return text;
        }
        if (text.equals("unlimited")) {
            return "null";
        }
        return WHOLE_NUMBER.matcher(text).matches() ? text : string(text);
    }

    private static String string(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
