package io.sluice.app.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a key is stored as its hash, authenticates as its tenant, and stops working once revoked")
    void addAuthenticateRevoke() throws Exception {
        Path file = dir.resolve("keys");
        String key = ApiKeys.add(file, "acme-app", "acme");
        String ops = ApiKeys.add(file, "alice", null);
        ApiKeys keys = new ApiKeys(file);

        assertThat(Files.readString(file)).doesNotContain(key).contains("acme-app tenant:acme sha256:");
        assertThat(keys.authenticate(key)).get().satisfies(c -> {
            assertThat(c.tenant()).isEqualTo("acme");
            assertThat(c.sees("acme")).isTrue();
            assertThat(c.sees("globex")).isFalse();
        });
        assertThat(keys.authenticate(ops)).get().satisfies(c -> assertThat(c.operator()).isTrue());
        assertThat(keys.authenticate(key + "x")).isEmpty();
        assertThat(keys.authenticate(null)).isEmpty();

        assertThat(ApiKeys.revoke(file, "acme-app")).isTrue();
        assertThat(new ApiKeys(file).authenticate(key)).isEmpty();
        assertThatThrownBy(() -> ApiKeys.add(file, "alice", "acme")).hasMessageContaining("exists");
    }

    @Test
    @DisplayName("a malformed keys file fails at start naming the line")
    void malformedFile() throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), "# keys\nacme tenant:acme sha256:abc\n");

        assertThatThrownBy(() -> new ApiKeys(file)).hasMessageContaining("line 2");
    }

    @Test
    @DisplayName("an HTTP API on a non-loopback address without keys refuses to start, naming http.host")
    void openApiOnlyOnLoopback() {
        SluiceConfig open = SluiceConfig.of(Map.of(SluiceConfigDef.HTTP_HOST, "0.0.0.0"));

        assertThatThrownBy(() -> SluiceRuntime.access(open)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(SluiceConfigDef.HTTP_HOST).hasMessageContaining("./sluice keys add");
        assertThat(SluiceRuntime.access(open.with(Map.of(SluiceConfigDef.HTTP_AUTH, "none"))))
                .isEqualTo(io.sluice.app.http.HttpApi.Access.OPEN);
        assertThat(SluiceRuntime.access(SluiceConfig.of(Map.of())).openWithoutKey()).as("127.0.0.1 by default")
                .isTrue();
        assertThatThrownBy(() -> SluiceRuntime.access(SluiceConfig.of(Map.of(SluiceConfigDef.HTTP_AUTH, "keys"))))
                .hasMessageContaining(SluiceConfigDef.HTTP_API_KEYS_FILE);
    }
}
