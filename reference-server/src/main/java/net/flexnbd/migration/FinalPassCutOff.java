package net.flexnbd.migration;

import java.io.IOException;

/**
 * The final pass ran past its hard limit with client I/O paused: the sender stops, clients
 * resume, and what is left goes in ordinary passes before the final pass is tried again.
 * Not a failure: the link and everything sent on it stay good.
 */
final class FinalPassCutOff extends IOException {
    FinalPassCutOff(long overMillis) {
        super("the final pass ran past its limit (" + overMillis + " ms)");
    }
}
