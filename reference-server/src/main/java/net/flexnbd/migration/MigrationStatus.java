package net.flexnbd.migration;

import java.util.OptionalLong;

/**
 * A running migration's progress at one moment, for {@code status}.
 *
 * @param bytesPerSecond average speed since the mirror started
 * @param elapsedSeconds time since the mirror started
 * @param secondsLeft    estimate from the speed and the bytes left (0 while nothing has moved)
 * @param bytesLeft      bytes the current pass still has to send
 * @param speedLimit     the bandwidth cap, absent when there is none
 * @param pass           the current pass, from 1 (0 before the first starts)
 * @param attempts       attempts so far, the current one included
 */
public record MigrationStatus(long bytesPerSecond, long elapsedSeconds, long secondsLeft, long bytesLeft,
        OptionalLong speedLimit, int pass, int attempts) {}
