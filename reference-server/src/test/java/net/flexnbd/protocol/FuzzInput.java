package net.flexnbd.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How the fuzz targets read their input: the first byte chooses the size of the socket reads
 * (1 to 64 bytes), the rest is the byte stream the peer sends. A seed file is therefore one
 * byte followed by wire bytes, easy to write by hand.
 */
final class FuzzInput {
    private FuzzInput() {}

    static List<byte[]> pieces(byte[] input) {
        List<byte[]> pieces = new ArrayList<>();
        if (input.length == 0) {
            return pieces;
        }
        int readSize = (input[0] & 63) + 1;
        for (int at = 1; at < input.length; at += readSize) {
            pieces.add(Arrays.copyOfRange(input, at, Math.min(input.length, at + readSize)));
        }
        return pieces;
    }
}
