package net.flexnbd.cli;

/**
 * The verbosity the command line asked for, shared by every mode's {@code -v}/{@code -q}
 * setters: picocli calls them in the order the options appear, so the last one wins.
 */
final class VerbosityChoice {
    private Verbosity value = Verbosity.NORMAL;

    Verbosity get() {
        return value;
    }

    void set(Verbosity value) {
        this.value = value;
    }
}
