package net.flexnbd.architecture;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code net.flexnbd} packages one compiled class refers to, read from its constant pool:
 * every class, field type, method descriptor and generic signature it names. Unlike a scan of
 * {@code import} lines, this also sees fully qualified names written in the code.
 */
final class ClassReferences {
    private static final Pattern PROJECT_CLASS = Pattern.compile("net/flexnbd/((?:[a-z0-9_]+/)*)[A-Za-z0-9_$]+");

    private ClassReferences() {}

    /** The packages (dotted, e.g. {@code net.flexnbd.server}) that the class file names. */
    static Set<String> packagesNamedBy(Path classFile) throws IOException {
        Set<String> packages = new TreeSet<>();
        try (InputStream in = Files.newInputStream(classFile);
                DataInputStream data = new DataInputStream(in)) {
            if (data.readInt() != 0xCAFEBABE) {
                throw new IOException(classFile + " is not a class file");
            }
            data.readUnsignedShort(); // minor version
            data.readUnsignedShort(); // major version
            int count = data.readUnsignedShort();
            for (int index = 1; index < count; index++) {
                int tag = data.readUnsignedByte();
                switch (tag) {
                    case 1 -> collect(data.readUTF(), packages);
                    case 7, 8, 16, 19, 20 -> data.skipBytes(2);
                    case 15 -> data.skipBytes(3);
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> data.skipBytes(4);
                    case 5, 6 -> {
                        data.skipBytes(8);
                        index++; // a long or double takes two slots
                    }
                    default -> throw new IOException(classFile + ": unknown constant pool tag " + tag + " at " + index);
                }
            }
        }
        return packages;
    }

    private static void collect(String text, Set<String> packages) {
        Matcher matcher = PROJECT_CLASS.matcher(text);
        while (matcher.find()) {
            String path = matcher.group(1);
            packages.add(("net/flexnbd/" + path).replaceAll("/$", "").replace('/', '.'));
        }
    }
}
