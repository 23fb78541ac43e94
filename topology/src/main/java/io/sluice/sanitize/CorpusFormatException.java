package io.sluice.sanitize;

/** A corpus line that is not what {@link CorpusEvaluator} reads, named by file and 1-based line number. */
public final class CorpusFormatException extends IllegalArgumentException {
    private final String file;
    private final int line;

    public CorpusFormatException(String file, int line, String problem) {
        super(file + ":" + line + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }
}
