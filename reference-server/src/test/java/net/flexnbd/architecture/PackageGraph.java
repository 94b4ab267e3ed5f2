package net.flexnbd.architecture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Which package depends on which, and the cycles among them (strongly connected components). */
final class PackageGraph {
    private final Map<String, Set<String>> dependencies = new TreeMap<>();

    /** The graph of every class file under {@code classes} (a compiled output directory). */
    static PackageGraph of(Path classes) throws IOException {
        PackageGraph graph = new PackageGraph();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).toList();
        }
        for (Path file : files) {
            String from = classes.relativize(file.getParent()).toString().replace(file.getFileSystem().getSeparator(), ".");
            for (String to : ClassReferences.packagesNamedBy(file)) {
                graph.add(from, to);
            }
        }
        return graph;
    }

    void add(String from, String to) {
        dependencies.computeIfAbsent(from, k -> new TreeSet<>());
        dependencies.computeIfAbsent(to, k -> new TreeSet<>());
        if (!from.equals(to)) {
            dependencies.get(from).add(to);
        }
    }

    Set<String> packages() {
        return dependencies.keySet();
    }

    Set<String> dependenciesOf(String from) {
        return dependencies.getOrDefault(from, Set.of());
    }

    /** Every group of packages that reach each other, as sorted lists; empty when there is no cycle. */
    List<List<String>> cycles() {
        return new Tarjan().run();
    }

    /** Tarjan's strongly connected components; a component of two or more packages is a cycle. */
    private final class Tarjan {
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> lowest = new HashMap<>();
        private final Deque<String> stack = new ArrayDeque<>();
        private final Set<String> onStack = new TreeSet<>();
        private final List<List<String>> cycles = new ArrayList<>();

        List<List<String>> run() {
            for (String node : dependencies.keySet()) {
                if (!index.containsKey(node)) {
                    visit(node);
                }
            }
            return cycles;
        }

        private void visit(String node) {
            index.put(node, index.size());
            lowest.put(node, index.get(node));
            stack.push(node);
            onStack.add(node);
            for (String next : dependencies.get(node)) {
                if (!index.containsKey(next)) {
                    visit(next);
                    lowest.put(node, Math.min(lowest.get(node), lowest.get(next)));
                } else if (onStack.contains(next)) {
                    lowest.put(node, Math.min(lowest.get(node), index.get(next)));
                }
            }
            if (lowest.get(node).equals(index.get(node))) {
                List<String> component = new ArrayList<>();
                String member;
                do {
                    member = stack.pop();
                    onStack.remove(member);
                    component.add(member);
                } while (!member.equals(node));
                if (component.size() > 1) {
                    component.sort(null);
                    cycles.add(component);
                }
            }
        }
    }
}
