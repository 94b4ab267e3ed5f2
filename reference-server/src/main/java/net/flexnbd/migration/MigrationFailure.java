package net.flexnbd.migration;

import java.io.IOException;

/** An attempt failed in a way the migration retries from the start. */
class MigrationFailure extends IOException {
    MigrationFailure(String message) {
        super(message);
    }
}
