package io.sluice.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TenantTagsTest {
    @Test
    @DisplayName("names exactly the cap's number of tenants when stream threads meet new tenants at once")
    void capHoldsAcrossThreads() throws Exception {
        // Given a cap of 10, and 4 threads each meeting 50 tenants of their own, all starting together
        TenantTags tags = new TenantTags(10);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = IntStream.range(0, 4).mapToObj(t -> Thread.ofPlatform().start(() -> {
            try {
                start.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (int i = 0; i < 50; i++) {
                seen.add(tags.of("tenant-" + t + "-" + i));
            }
        })).toList();

        // When they run
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }

        // Then 10 tenants have their own tag, every other one is 'other', and a named tenant stays named
        assertThat(seen).hasSize(11).contains(TenantTags.OTHER);
        String named = seen.stream().filter(tag -> !tag.equals(TenantTags.OTHER)).findFirst().orElseThrow();
        assertThat(tags.of(named)).isEqualTo(named);
        assertThat(tags.of("a-new-tenant")).isEqualTo(TenantTags.OTHER);
    }

    @Test
    @DisplayName("a cap of 0 tags every tenant 'other'; a negative cap is refused")
    void zeroCap() {
        assertThat(new TenantTags(0).of("acme")).isEqualTo(TenantTags.OTHER);
        assertThatThrownBy(() -> new TenantTags(-1)).hasMessageContaining("must be >= 0, but was -1");
    }
}
