package net.flexnbd.control;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code status} answer: {@code key=value} pairs on one line, in the order added. Keys
 * and values never contain spaces (a space in a value is replaced, so the line stays
 * parseable by splitting on spaces).
 */
public final class StatusReport {
    private final Map<String, String> fields = new LinkedHashMap<>();

    public StatusReport put(String key, Object value) {
        if (key.isEmpty() || key.chars().anyMatch(c -> c == ' ' || c == '=')) {
            throw new IllegalArgumentException("status key '" + key + "' must be non-empty, without spaces or '='");
        }
        fields.put(key, String.valueOf(value).replace(' ', '_'));
        return this;
    }

    public Map<String, String> fields() {
        return Map.copyOf(fields);
    }

    public String toLine() {
        StringBuilder line = new StringBuilder();
        fields.forEach((key, value) -> {
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(key).append('=').append(value);
        });
        return line.toString();
    }
}
