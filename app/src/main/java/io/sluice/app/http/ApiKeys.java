package io.sluice.app.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The HTTP API's keys, kept in a file as SHA-256 hashes, one per line: {@code <name> <scope> sha256:<hex>}, where
 * the scope is {@code tenant:<tenant id>} (sees that tenant only) or {@code operator} (sees all). The file is read
 * again whenever it changes, so a key is added, rotated or revoked without a restart. A key is 32 random bytes, so
 * an unsalted hash cannot be reversed by guessing, and a leaked file gives no key away; comparison is
 * constant-time. Blank lines and lines starting with {@code #} are ignored.
 */
public final class ApiKeys {
    /** Prefix of every key Sluice makes: easy to spot in a leak scanner, and in logs (which never show keys). */
    static final String PREFIX = "sk-sluice-";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:@+-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ApiKeys.class);

    /** Who a key belongs to: an operator ({@code tenant} null) or one tenant. */
    public record Caller(String name, String tenant) {
        boolean operator() {
            return tenant == null;
        }

        /** Whether this caller may see {@code tenantId}'s data. */
        boolean sees(String tenantId) {
            return operator() || tenant.equals(tenantId);
        }
    }

    /** One line of the file. */
    public record Entry(String name, String tenant, byte[] hash) {
        String line() {
            return name + " " + (tenant == null ? "operator" : "tenant:" + tenant) + " sha256:"
                    + HexFormat.of().formatHex(hash);
        }
    }

    private final Path file;
    private volatile List<Entry> entries = List.of();
    private volatile FileTime loadedAt;
    private volatile long checkedAtMs;

    /** Reads {@code file} (none yet: no keys); a malformed file fails here, naming the line. */
    public ApiKeys(Path file) {
        this.file = file;
        try {
            this.loadedAt = Files.exists(file) ? Files.getLastModifiedTime(file) : null;
            this.entries = read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the API keys file " + file + " (http.api.keys.file)", e);
        }
    }

    /** The caller a presented key belongs to, if any. */
    public Optional<Caller> authenticate(String presented) {
        if (presented == null || presented.isBlank()) {
            return Optional.empty();
        }
        reloadIfChanged();
        byte[] hash = sha256(presented.strip());
        Caller found = null;
        for (Entry entry : entries) {
            // every entry is compared, whatever matched, so the time taken says nothing about which did
            if (MessageDigest.isEqual(entry.hash(), hash)) {
                found = new Caller(entry.name(), entry.tenant());
            }
        }
        return Optional.ofNullable(found);
    }

    /** The keys in {@code file}, for listing. */
    public static List<Entry> list(Path file) throws IOException {
        return read(file);
    }

    /** Adds a new key named {@code name} for {@code tenant} (null: an operator key); returns the key, shown once. */
    public static String add(Path file, String name, String tenant) throws IOException {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a key name is 1-64 characters of [A-Za-z0-9._:@+-], but was '" + name
                    + "'");
        }
        List<Entry> existing = read(file);
        if (existing.stream().anyMatch(e -> e.name().equals(name))) {
            throw new IllegalArgumentException("a key named '" + name + "' exists; revoke it first, or pick another"
                    + " name (rotating: add the new key, move clients to it, then revoke the old one)");
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        List<String> lines = new ArrayList<>(Files.exists(file) ? Files.readAllLines(file) : List.of());
        lines.add(new Entry(name, tenant, sha256(key)).line());
        write(file, lines);
        return key;
    }

    /** Removes the key named {@code name}; false when there was none. */
    public static boolean revoke(Path file, String name) throws IOException {
        if (!Files.exists(file)) {
            return false;
        }
        List<String> lines = Files.readAllLines(file);
        List<String> kept = lines.stream().filter(line -> !line.strip().startsWith(name + " ")).toList();
        if (kept.size() == lines.size()) {
            return false;
        }
        write(file, kept);
        return true;
    }

    private static void write(Path file, List<String> lines) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private void reloadIfChanged() {
        long nowMs = System.currentTimeMillis();
        if (nowMs - checkedAtMs < 1_000) {
            return;
        }
        checkedAtMs = nowMs;
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (!modified.equals(loadedAt)) {
                entries = read(file);
                loadedAt = modified;
            }
        } catch (NoSuchFileException e) {
            entries = List.of();
            loadedAt = null;
        } catch (IOException | IllegalArgumentException e) {
            // a half-written or broken edit: keep serving the keys read last, and say why
            log.warn("Kept the previous API keys: cannot read {} (http.api.keys.file): {}", file, e.getMessage());
        }
    }

    static List<Entry> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<Entry> entries = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 3 || !parts[2].startsWith("sha256:") || parts[2].length() != 7 + 64
                    || !(parts[1].equals("operator") || parts[1].startsWith("tenant:"))) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected '<name> tenant:<id>"
                        + " sha256:<64 hex>' or '<name> operator sha256:<64 hex>'");
            }
            String tenant = parts[1].equals("operator") ? null : parts[1].substring("tenant:".length());
            entries.add(new Entry(parts[0], tenant, HexFormat.of().parseHex(parts[2].substring(7))));
        }
        return List.copyOf(entries);
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
