package io.sluice.app;

import io.sluice.config.SluiceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by commands that start Sluice. */
public final class ConfigOption {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Properties file (default: $SLUICE_CONFIG, else built-in defaults). "
                    + "Any key can also be set as SLUICE_<KEY> in the environment, e.g. SLUICE_TOPICS_PREFIX.")
    Path file;

    public SluiceConfig load() {
        Path path = file;
        if (path == null && System.getenv(SluiceConfig.CONFIG_FILE_ENV) != null) {
            path = Path.of(System.getenv(SluiceConfig.CONFIG_FILE_ENV));
        }
        if (path != null && !Files.isReadable(path)) {
            throw new ConfigException("config file " + path + " does not exist or is not readable");
        }
        return SluiceConfig.load(path, System.getenv());
    }
}
