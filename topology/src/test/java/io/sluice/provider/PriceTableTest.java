package io.sluice.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class PriceTableTest {
    @Test
    void builtInPricesUnlessConfigured() {
        PriceTable table = PriceTable.from(SluiceConfig.of(Map.of()));
        assertThat(table.version()).isEqualTo(PriceTable.BUILTIN_VERSION);
        assertThat(table.price("gpt-4o-mini")).contains(new PriceTable.Price(150_000, 75_000, 600_000));
        assertThat(table.price("no-such-model")).isEmpty();
    }

    @Test
    void configuredPricesOverrideAndAddUnderTheirVersion() {
        PriceTable table = PriceTable.from(SluiceConfig.of(Map.of(SluiceConfigDef.PRICES_VERSION, "2026-12-contract",
                SluiceConfigDef.PRICES_MODELS, "gpt-4o-mini:100000:10000:400000, my-llama:0:0:1")));
        assertThat(table.version()).isEqualTo("2026-12-contract");
        assertThat(table.price("gpt-4o-mini")).contains(new PriceTable.Price(100_000, 10_000, 400_000));
        assertThat(table.price("my-llama")).contains(new PriceTable.Price(0, 0, 1));
        assertThat(table.price("gpt-4o")).isPresent(); // the rest of the built-in table stays
        // 1,000 input of which 600 cached, 500 output: 400 x 0.1 + 600 x 0.01 + 500 x 0.4 = 246 micro-dollars
        assertThat(PriceTable.costMicros(table.price("gpt-4o-mini").orElseThrow(), 1000, 600, 500)).isEqualTo(246);
    }

    @Test
    void changedPricesNeedANewVersion() {
        assertThatThrownBy(() -> PriceTable.from(SluiceConfig.of(Map.of(SluiceConfigDef.PRICES_MODELS,
                "gpt-4o-mini:1:1:1")))).isInstanceOf(ConfigException.class).hasMessageContaining("prices.version");
    }

    @Test
    void malformedEntryNamesTheKey() {
        assertThatThrownBy(() -> PriceTable.from(SluiceConfig.of(Map.of(SluiceConfigDef.PRICES_VERSION, "v2",
                SluiceConfigDef.PRICES_MODELS, "gpt-4o-mini:cheap")))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("prices.models").hasMessageContaining("model:input:cached_input:output");
    }
}
