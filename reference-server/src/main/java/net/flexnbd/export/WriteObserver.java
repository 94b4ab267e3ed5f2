package net.flexnbd.export;

/**
 * Told of every range a client changed, after the change reached the store and before the
 * client hears of it. A running migration uses it to mark blocks dirty.
 */
@FunctionalInterface
public interface WriteObserver {
    WriteObserver NONE = (offset, length) -> { };

    void changed(long offset, long length);
}
