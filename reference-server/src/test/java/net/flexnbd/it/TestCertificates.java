package net.flexnbd.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A certificate authority and certificates made with openssl at run time (no key is ever
 * committed), in the directory layout nbdkit, libnbd and qemu expect: {@code ca-cert.pem},
 * {@code server-cert.pem}, {@code server-key.pem}, {@code client-cert.pem},
 * {@code client-key.pem}. The server certificate names 127.0.0.1 and localhost.
 */
final class TestCertificates {
    private static final Duration OPENSSL = Duration.ofSeconds(60);

    private TestCertificates() {}

    /** A fresh CA in {@code dir} with a server and a client certificate it signed. */
    static Path create(Path dir, String caName) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca-key.pem", "-out", "ca-cert.pem", "-days", "2", "-subj", "/CN=" + caName,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        sign(dir, "server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth");
        sign(dir, "client", "/CN=test-client", "extendedKeyUsage=clientAuth");
        return dir;
    }

    private static void sign(Path dir, String who, String subject, String extensions)
            throws IOException, InterruptedException {
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", who + "-key.pem", "-out", who + ".csr", "-subj", subject);
        Files.writeString(dir.resolve(who + ".ext"), extensions + "\n");
        openssl(dir, "x509", "-req", "-in", who + ".csr", "-CA", "ca-cert.pem", "-CAkey", "ca-key.pem",
                "-CAcreateserial", "-out", who + "-cert.pem", "-days", "2", "-extfile", who + ".ext");
    }

    private static void openssl(Path dir, String... arguments) throws IOException, InterruptedException {
        String[] command = new String[arguments.length + 4];
        command[0] = "sh";
        command[1] = "-c";
        command[2] = "cd \"$0\" && exec openssl \"$@\"";
        command[3] = dir.toString();
        System.arraycopy(arguments, 0, command, 4, arguments.length);
        Tool.run(OPENSSL, command).requireSuccess();
    }
}
