package io.sluice.sanitize;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A fixed set of literals found in one pass over a text (Aho-Corasick), so that many {@link LiteralFilter}s can be
 * answered without one {@code contains} scan per literal: the injection rules hold some six hundred of them.
 */
final class LiteralIndex {
    private static final int ASCII = 128;

    /** Ids of the literals' folded strings, which the automaton finds. */
    private final Map<String, Integer> ids = new HashMap<>();
    /** The literals with each string, told apart by their word-boundary marks, and their own ids. */
    private final List<List<LiteralFilter.Literal>> variants = new ArrayList<>();
    /** By identity: the rules' filters ask for the very literals the index was built from, and this is the hot path. */
    private final Map<LiteralFilter.Literal, Integer> literalIds = new java.util.IdentityHashMap<>();
    /** By value, for {@link #compile}: one id for equal literals. */
    private final Map<LiteralFilter.Literal, Integer> valueIds = new HashMap<>();
    /** For each string id, its variants' literal ids, in the order of {@code variants}. */
    private final int[][] variantIds;
    private final int variantCount;
    /**
     * Each ASCII character's column in {@link #table}, upper-case letters their lower case's (the literals are
     * folded); 0 for a character in no literal, which leads from every node back to the root.
     */
    private final byte[] column = new byte[ASCII];
    private final int columns;
    /**
     * ASCII transitions of the completed automaton, node * {@link #columns} + column, with {@link #ENDS} set on a
     * target where literals end. Small (a few hundred KiB for the rules): the scan is a chain of dependent loads from
     * it, one a character. Other characters go through {@code wide}.
     */
    private final char[] table;
    /** Marks a transition in {@link #table} whose target has {@link #output}: the scan's one test per character. */
    private static final char ENDS = 0x8000;
    private final List<Map<Character, Integer>> wide = new ArrayList<>();
    private final int[] failure;
    /** The literals that end at each node, its failure chain's included. */
    private final int[][] output;

    LiteralIndex(Collection<LiteralFilter.Literal> literals) {
        List<Map<Character, Integer>> children = new ArrayList<>();
        List<List<Integer>> ends = new ArrayList<>();
        children.add(new HashMap<>());
        ends.add(new ArrayList<>());
        for (LiteralFilter.Literal literal : literals) {
            // every instance by identity (rules repeat equal literals, e.g. a shared alternation), one id per value
            Integer id = valueIds.get(literal);
            if (id == null) {
                id = valueIds.size();
                valueIds.put(literal, id);
                add(literal, children, ends);
            }
            literalIds.put(literal, id);
        }
        variantCount = valueIds.size();
        variantIds = new int[variants.size()][];
        for (int id = 0; id < variants.size(); id++) {
            variantIds[id] = variants.get(id).stream().mapToInt(valueIds::get).toArray();
        }
        int nodes = children.size();
        failure = new int[nodes];
        int[] ascii = new int[nodes * ASCII];
        output = new int[nodes][];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int node = 0; node < nodes; node++) {
            wide.add(new HashMap<>());
        }
        for (char c = 0; c < ASCII; c++) {
            Integer child = children.get(0).get(c);
            ascii[c] = child == null ? 0 : child;
            if (child != null) {
                queue.add(child);
            }
        }
        children.get(0).forEach((c, child) -> {
            if (c >= ASCII) {
                wide.get(0).put(c, child);
                queue.add(child);
            }
        });
        output[0] = new int[0];
        while (!queue.isEmpty()) { // breadth first: a node's failure target is complete before the node
            int node = queue.poll();
            List<Integer> out = new ArrayList<>(ends.get(node));
            for (int f : output[failure[node]]) {
                out.add(f);
            }
            output[node] = out.stream().mapToInt(Integer::intValue).toArray();
            for (char c = 0; c < ASCII; c++) {
                Integer child = children.get(node).get(c);
                if (child == null) {
                    ascii[node * ASCII + c] = ascii[failure[node] * ASCII + c];
                } else {
                    ascii[node * ASCII + c] = child;
                    failure[child] = ascii[failure[node] * ASCII + c];
                    queue.add(child);
                }
            }
            for (Map.Entry<Character, Integer> e : children.get(node).entrySet()) {
                if (e.getKey() >= ASCII) {
                    wide.get(node).put(e.getKey(), e.getValue());
                    failure[e.getValue()] = step(failure[node], e.getKey());
                    queue.add(e.getValue());
                }
            }
        }
        if (nodes > ENDS) {
            throw new IllegalArgumentException("literal index: " + nodes + " nodes, at most " + (int) ENDS);
        }
        int used = 1;
        for (char c = 0; c < ASCII; c++) {
            boolean inLiteral = false;
            for (int from = 0; from < nodes && !inLiteral; from++) {
                inLiteral = children.get(from).containsKey(c);
            }
            column[c] = inLiteral ? (byte) used++ : 0;
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            column[c] = column[Character.toLowerCase(c)];
        }
        columns = used;
        table = new char[nodes * columns];
        for (int from = 0; from < nodes; from++) {
            for (char c = 0; c < ASCII; c++) {
                int to = ascii[from * ASCII + c];
                if (column[c] != 0 && c == Character.toLowerCase(c)) {
                    table[from * columns + column[c]] = (char) (to | (output[to].length > 0 ? ENDS : 0));
                }
            }
        }
    }

    /** Adds a literal of a new value: as a variant of its string, and the string to the trie if it is new. */
    private void add(LiteralFilter.Literal literal, List<Map<Character, Integer>> children, List<List<Integer>> ends) {
        Integer known = ids.get(literal.folded());
        if (known != null) {
            variants.get(known).add(literal);
            return;
        }
        variants.add(new ArrayList<>(List.of(literal)));
        String text = literal.folded();
        int node = 0;
        for (int i = 0; i < text.length(); i++) {
            Integer next = children.get(node).get(text.charAt(i));
            if (next == null) {
                next = children.size();
                children.get(node).put(text.charAt(i), next);
                children.add(new HashMap<>());
                ends.add(new ArrayList<>());
            }
            node = next;
        }
        int id = ids.size();
        ids.put(text, id);
        ends.get(node).add(id);
    }

    private int step(int node, char c) {
        if (c < ASCII) {
            return table[node * columns + column[c]] & ~ENDS;
        }
        while (true) {
            Integer next = wide.get(node).get(c);
            if (next != null) {
                return next;
            }
            if (node == 0) {
                return 0;
            }
            node = failure[node];
        }
    }

    /**
     * The literals of this index that {@code text} contains; asking for any other literal scans the text. Folds as it
     * goes, as {@link LiteralFilter#fold} does: ASCII through the transition table, other characters one by one.
     */
    Scan scan(String text) {
        BitSet found = new BitSet(variantCount);
        int node = 0;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < ASCII) {
                int col = column[c];
                if (col == 0) {
                    node = 0;
                    continue;
                }
                char next = table[node * columns + col];
                node = next & ~ENDS;
                if (next >= ENDS) {
                    report(node, text, i, found);
                }
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = text.codePointAt(i);
                int f = Character.toLowerCase(Character.toUpperCase(cp));
                f = Character.charCount(f) == 2 ? f : cp; // a fold never leaves the plane
                node = visit(node, Character.highSurrogate(f), text, i, found);
                node = visit(node, Character.lowSurrogate(f), text, ++i, found);
            } else {
                node = visit(node, Character.isSurrogate(c) ? c : Character.toLowerCase(Character.toUpperCase(c)),
                        text, i, found);
            }
        }
        return new Scan(text, found);
    }

    /** One step of the automaton on a folded character that is not ASCII, reporting what ends there. */
    private int visit(int node, char folded, String text, int at, BitSet found) {
        int next = step(node, folded);
        if (output[next].length > 0) {
            report(next, text, at, found);
        }
        return next;
    }

    /** Marks the literals ending at {@code end} in {@code node} that fit their word boundaries there. */
    private void report(int node, String text, int end, BitSet found) {
        for (int id : output[node]) {
            List<LiteralFilter.Literal> forms = variants.get(id);
            for (int v = 0; v < forms.size(); v++) {
                // short literals ("to", "the") end at many positions: once one fits, the rest are not checked
                int variantId = variantIds[id][v];
                if (!found.get(variantId)) {
                    LiteralFilter.Literal variant = forms.get(v);
                    if (variant.fitsAt(text, end - variant.folded().length() + 1)) {
                        found.set(variantId);
                    }
                }
            }
        }
    }

    /** What {@link #scan} found in one text. */
    final class Scan implements LiteralFilter.Found {
        private final String text;
        private final BitSet found;

        private Scan(String text, BitSet found) {
            this.text = text;
            this.found = found;
        }

        @Override
        public boolean contains(LiteralFilter.Literal literal) {
            Integer id = literalIds.get(literal);
            return id != null ? found.get(id) : literal.occursIn(text, LiteralFilter.fold(text));
        }
    }

    /**
     * {@code filter} over this index's literal ids, to be answered from a {@link Scan} of this index without a lookup
     * per literal: the rules' filters are asked for every view of every prompt.
     *
     * @throws IllegalArgumentException if one of the filter's literals is equal to none in this index
     */
    Compiled compile(LiteralFilter filter) {
        return switch (filter) {
            case LiteralFilter.Literal literal -> {
                Integer id = valueIds.get(literal);
                if (id == null) {
                    throw new IllegalArgumentException("literal index: " + literal + " is not one of its literals");
                }
                yield new Compiled.Id(id);
            }
            case LiteralFilter.All all -> new Compiled.All(all.parts().stream().map(this::compile)
                    .toArray(Compiled[]::new));
            case LiteralFilter.AnyOf any -> new Compiled.AnyOf(any.alternatives().stream().map(this::compile)
                    .toArray(Compiled[]::new));
            case LiteralFilter.Any any -> Compiled.ALWAYS;
        };
    }

    /** A {@link LiteralFilter} {@linkplain #compile compiled} against one index. */
    sealed interface Compiled {
        Compiled ALWAYS = new Always();

        /** Whether the text {@code scan} was made of may match; the scan must come from the index that compiled this. */
        boolean test(Scan scan);

        record Id(int id) implements Compiled {
            @Override
            public boolean test(Scan scan) {
                return scan.found.get(id);
            }
        }

        record All(Compiled[] parts) implements Compiled {
            @Override
            public boolean test(Scan scan) {
                for (Compiled part : parts) {
                    if (!part.test(scan)) {
                        return false;
                    }
                }
                return true;
            }
        }

        record AnyOf(Compiled[] alternatives) implements Compiled {
            @Override
            public boolean test(Scan scan) {
                for (Compiled alternative : alternatives) {
                    if (alternative.test(scan)) {
                        return true;
                    }
                }
                return false;
            }
        }

        record Always() implements Compiled {
            @Override
            public boolean test(Scan scan) {
                return true;
            }
        }
    }
}
