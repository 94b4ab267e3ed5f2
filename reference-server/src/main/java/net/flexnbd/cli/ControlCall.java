package net.flexnbd.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import net.flexnbd.control.ControlResponse;

/**
 * One checked control request from the command line, and how it is run: send it, print
 * the answer's MESSAGE (stdout for code 0, stderr otherwise) and exit with its CODE.
 * Both {@link ControlModeCommand} and {@link QuickControl} end here.
 */
record ControlCall(String mode, Path socket, List<String> arguments, Duration timeout, UnaryOperator<String> format) {

    ControlCall {
        arguments = List.copyOf(arguments);
    }

    /** A call that prints the answer's message as it is. */
    ControlCall(String mode, Path socket, List<String> arguments, Duration timeout) {
        this(mode, socket, arguments, timeout, UnaryOperator.identity());
    }

    int run(CliEnvironment env) {
        return run(env.control(), env.out(), env.err());
    }

    /** Sends the request through {@code control}; returns the exit status. */
    int run(CliEnvironment.ControlSender control, PrintStream out, PrintStream err) {
        ControlResponse response;
        try {
            response = control.send(socket, mode, arguments, timeout);
        } catch (IOException e) {
            err.println("flexnbd " + mode + ": " + e.getMessage());
            return 1;
        }
        if (response.isSuccess()) {
            out.println(format.apply(response.message()));
        } else {
            err.println(response.message());
        }
        return response.code();
    }
}
