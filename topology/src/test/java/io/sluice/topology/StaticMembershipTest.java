package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticMembershipTest {
    private static final String KEY = StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);

    private static SluiceConfig config(Path stateDir, Object instanceId) {
        return SluiceConfig.of(Map.of(SluiceConfigDef.KAFKA_BOOTSTRAP_SERVERS, "test:9092",
                SluiceConfigDef.STATE_DIR, stateDir.toString(), SluiceConfigDef.APPLICATION_ID, "shop-ai",
                SluiceConfigDef.GROUP_INSTANCE_ID, instanceId));
    }

    @Test
    @DisplayName("auto: a restart on the same state directory gets the same group.instance.id, another one a different id")
    void autoIsKeptInTheStateDirectory(@TempDir Path one, @TempDir Path two) {
        Object first = StreamsProperties.from(StaticMembership.resolve(config(one, "auto"))).get(KEY);
        Object again = StreamsProperties.from(StaticMembership.resolve(config(one, "auto"))).get(KEY);
        Object other = StreamsProperties.from(StaticMembership.resolve(config(two, "auto"))).get(KEY);

        assertThat(first).asString().startsWith("shop-ai-").hasSizeGreaterThan("shop-ai-".length() + 30);
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    @DisplayName("empty means dynamic membership; an explicit id is used as given")
    void emptyOrExplicit(@TempDir Path dir) {
        assertThat(StreamsProperties.from(StaticMembership.resolve(config(dir, ""))).containsKey(KEY)).isFalse();
        assertThat(StreamsProperties.from(StaticMembership.resolve(config(dir, "eu-west-pod-3"))).get(KEY))
                .isEqualTo("eu-west-pod-3");
        assertThat(dir.resolve(StaticMembership.FILE)).doesNotExist();
    }
}
