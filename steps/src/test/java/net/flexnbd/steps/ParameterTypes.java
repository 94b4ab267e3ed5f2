package net.flexnbd.steps;

import io.cucumber.java.ParameterType;
import java.time.Duration;
import net.flexnbd.fixtures.faultproxy.Step;
import net.flexnbd.fixtures.nbd.Errno;
import net.flexnbd.fixtures.peers.DestinationFault;
import net.flexnbd.fixtures.peers.FakeSource;
import net.flexnbd.fixtures.peers.SourceStep;
import net.flexnbd.fixtures.toxiproxy.Direction;
import net.flexnbd.fixtures.toxiproxy.Fault;
import net.flexnbd.steps.world.LinkFault;
import net.flexnbd.steps.world.MalformedRequest;
import net.flexnbd.steps.world.MirrorFailure;
import net.flexnbd.steps.world.ProtocolStepWords;
import net.flexnbd.steps.world.Quantities;
import net.flexnbd.steps.world.RequestKind;
import net.flexnbd.steps.world.Role;

/**
 * The words of the domain that steps take as parameters: sizes, durations, block patterns,
 * network faults and directions, protocol steps, destination faults, errno names. Each regex
 * lists exactly the words the fixtures understand (ParameterTypesTest keeps them in step).
 */
public class ParameterTypes {
    static final String SIZE = "(\\d+) ?(bytes|byte|B|KiB|MiB|GiB)";
    static final String DURATION = "(\\d+) ?(ms|milliseconds?|seconds?|s|minutes?)";
    static final String PATTERN = "`([^`]+)`";
    static final String FAULT = "latency|bandwidth|slicer|timeout|reset_peer|limit_data|down";
    static final String DIRECTION = "upstream|downstream|both ways";
    static final String SOURCE_STEP = "after connecting|after the hello|mid-write|after a write request without its data"
            + "|after the final pass|after sending ENTRUST|after the ENTRUST reply|after sending DISCONNECT";
    static final String DESTINATION_FAULT = "rejects the connection|never says hello|says hello with a bad magic"
            + "|announces the wrong size|answers writes with an error|replies with a bad magic|stops answering"
            + "|dies mid-migration|dies on ENTRUST|dies after the ENTRUST reply|refuses ENTRUST|never answers ENTRUST";
    static final String MIRROR_FAILURE = "could not be reached|rejected the connection|did not answer"
            + "|has a different size|sent a bad hello";
    static final String ERRNO = "EPERM|EIO|ENOMEM|EINVAL|ENOSPC|EOVERFLOW|ENOTSUP|ESHUTDOWN";
    static final String CRASH = "close|reset";
    static final String ROLE = "source|destination|server";
    static final String REQUEST = "read|write|trim|write zeroes";
    static final String MALFORMED = "an unknown command|a read with an unknown flag|an ENTRUST";
    static final String ADDRESS = "\\d{1,3}(?:\\.\\d{1,3}){3}";

    /** "64 MiB", "4 KiB", "512 bytes": powers of 1024. */
    @ParameterType(SIZE)
    public Long size(String amount, String unit) {
        return Quantities.bytes(amount, unit);
    }

    /** "300 ms", "2 seconds", "1 minute". */
    @ParameterType(DURATION)
    public Duration duration(String amount, String unit) {
        return Quantities.duration(amount, unit);
    }

    /** A TempFileWriter pattern in backquotes, one character per block: "`f0_f`". */
    @ParameterType(PATTERN)
    public String pattern(String pattern) {
        return pattern;
    }

    /** A Toxiproxy fault by its toxic's name, or "down". */
    @ParameterType(FAULT)
    public Fault fault(String name) {
        return Fault.parse(name);
    }

    /** Upstream is from the source to the destination, downstream back. */
    @ParameterType(DIRECTION)
    public Direction direction(String words) {
        return words.equals("both ways") ? Direction.BOTH : Direction.valueOf(words.toUpperCase(java.util.Locale.ROOT));
    }

    /** A point of a migration at which a fake source stops. */
    @ParameterType(SOURCE_STEP)
    public SourceStep sourceStep(String phrase) {
        return SourceStep.parse(phrase);
    }

    /** How a fake destination misbehaves. */
    @ParameterType(DESTINATION_FAULT)
    public DestinationFault destinationFault(String phrase) {
        return DestinationFault.parse(phrase);
    }

    /** How a first migration attempt failed, as the source reports it. */
    @ParameterType(MIRROR_FAILURE)
    public MirrorFailure mirrorFailure(String phrase) {
        return MirrorFailure.parse(phrase);
    }

    /** An errno name an NBD reply carries. */
    @ParameterType(ERRNO)
    public Integer errno(String name) {
        return Errno.valueOf(name);
    }

    /** How a crashed peer's connection ends: an orderly close or a reset. */
    @ParameterType(CRASH)
    public FakeSource.Crash crash(String word) {
        return FakeSource.Crash.valueOf(word.toUpperCase(java.util.Locale.ROOT));
    }

    /** Which server: the source (also "the server"), or the destination. */
    @ParameterType(ROLE)
    public Role role(String word) {
        return Role.parse(word);
    }

    /** An ordinary request by name. */
    @ParameterType(REQUEST)
    public RequestKind request(String words) {
        return RequestKind.parse(words);
    }

    /** A request a server must refuse with EINVAL. */
    @ParameterType(MALFORMED)
    public MalformedRequest malformedRequest(String phrase) {
        return MalformedRequest.parse(phrase);
    }

    /** A named point of the NBD conversation on the migration link (the fault proxy's steps). */
    @ParameterType(ProtocolStepWords.REGEX)
    public Step protocolStep(String phrase) {
        return ProtocolStepWords.parse(phrase);
    }

    /** What the fault proxy does to the migration link at its step. */
    @ParameterType(LinkFault.REGEX)
    public LinkFault linkFault(String word) {
        return LinkFault.parse(word);
    }

    /** An IPv4 literal. */
    @ParameterType(ADDRESS)
    public String address(String literal) {
        return literal;
    }
}
