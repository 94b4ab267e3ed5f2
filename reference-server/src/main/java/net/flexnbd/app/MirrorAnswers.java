package net.flexnbd.app;

import net.flexnbd.control.ControlResponse;
import net.flexnbd.control.StatusReport;
import net.flexnbd.migration.MigrationStatus;
import net.flexnbd.migration.MirrorOutcome;

/**
 * The control socket's side of a migration: the answer code of each {@link MirrorOutcome}
 * (docs/protocol.md lists them; 1 and 2 are the socket's own, {@link
 * net.flexnbd.control.ControlCodes}) and the {@code status} fields of one in progress.
 */
final class MirrorAnswers {
    private MirrorAnswers() {}

    static ControlResponse of(MirrorOutcome outcome) {
        if (outcome instanceof MirrorOutcome.Refused refused) {
            return ControlResponse.error(code(refused.reason()), refused.message());
        }
        return ControlResponse.ok(outcome.message());
    }

    static int code(MirrorOutcome.Reason reason) {
        return switch (reason) {
            case ALREADY_MIRRORING -> 3;
            case SHUTTING_DOWN -> 4;
            case CONNECT_FAILED -> 5;
            case REJECTED -> 6;
            case NO_RESPONSE -> 7;
            case SIZE_MISMATCH -> 8;
            case PROTOCOL_ERROR -> 9;
            case STOPPED -> 10;
            case NOT_MIRRORING -> 11;
            case TOO_LATE -> 12;
            case TOO_SMALL -> 13;
            case TLS_REQUIRED -> 14;
            case TLS_FAILED -> 15;
        };
    }

    static void describe(MigrationStatus status, StatusReport report) {
        report.put("migration_speed", status.bytesPerSecond())
                .put("migration_duration", status.elapsedSeconds())
                .put("migration_seconds_left", status.secondsLeft())
                .put("migration_bytes_left", status.bytesLeft())
                .put("migration_speed_limit", status.speedLimit().isPresent()
                        ? Long.toString(status.speedLimit().getAsLong()) : "unlimited")
                .put("migration_pass", status.pass())
                .put("migration_attempts", status.attempts());
    }
}
