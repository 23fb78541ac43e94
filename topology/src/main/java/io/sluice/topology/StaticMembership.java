package io.sluice.topology;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * Resolves {@code streams.group.instance.id=auto} to {@code <application.id>-<id>}, where the id is a UUID kept in
 * the state directory: the same instance (same state) gets the same group.instance.id after any restart, and two
 * instances cannot share a state directory (Kafka Streams locks it), so they cannot share an id either.
 */
public final class StaticMembership {
    public static final String AUTO = "auto";
    static final String FILE = "sluice-instance-id";

    private StaticMembership() {}

    /** {@code config} with an "auto" instance id replaced by this state directory's; anything else unchanged. */
    public static SluiceConfig resolve(SluiceConfig config) {
        if (!config.string(SluiceConfigDef.GROUP_INSTANCE_ID).strip().equals(AUTO)) {
            return config;
        }
        Path dir = Path.of(config.string(SluiceConfigDef.STATE_DIR));
        Path file = dir.resolve(FILE);
        try {
            Files.createDirectories(dir);
            String id = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : "";
            if (id.isEmpty()) {
                id = UUID.randomUUID().toString();
                Path tmp = Files.createTempFile(dir, FILE, ".tmp");
                Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return config.with(Map.of(SluiceConfigDef.GROUP_INSTANCE_ID,
                    config.string(SluiceConfigDef.APPLICATION_ID) + "-" + id));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not keep this instance's group.instance.id in " + file
                    + " (" + SluiceConfigDef.STATE_DIR + "); set " + SluiceConfigDef.GROUP_INSTANCE_ID
                    + " explicitly or make the directory writable", e);
        }
    }
}
