package io.sluice.sanitize;

/** One detected span, as UTF-16 offsets {@code [start, end)} into the text the redactor was given. */
record PiiFinding(PiiType type, int start, int end) {
    public PiiFinding {
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("finding: bad span [" + start + ", " + end + ")");
        }
    }

    public int length() {
        return end - start;
    }

    public boolean overlaps(int otherStart, int otherEnd) {
        return start < otherEnd && otherStart < end;
    }
}
