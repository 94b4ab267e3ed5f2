package net.flexnbd.cli;

/** How much the process logs, chosen by {@code -q} and {@code -v} (the last one given wins). */
enum Verbosity {
    /** Only fatal errors. */
    QUIET,
    /** Start-up, shutdown, connections refused, migrations started and finished. */
    NORMAL,
    /** Everything above plus the migration's progress. */
    VERBOSE
}
