package io.sluice.app.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.limit.Limit;
import io.sluice.sanitize.TokenCounter;
import io.sluice.schemas.ChatMessage;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The load tool's traffic: prompt sizes, malformed requests, and the hot user's model of Sluice's per-user limit. */
class LoadTrafficTest {
    private static final Limit THREE_A_MINUTE = new Limit(Limit.Scope.USER, Limit.Measure.REQUESTS,
            Limit.Window.MINUTE, 3);

    @Test
    @DisplayName("prompts are the asked size in tokens, system message included, within 5%")
    void promptsHaveTheAskedSize() {
        LoadTraffic traffic = new LoadTraffic(1, 10, 2, new LoadTraffic.PromptTokens(500, 500), 0, 0,
                List.of("default"), List.of(), false);
        TokenCounter counter = new TokenCounter();

        for (int i = 0; i < 20; i++) {
            int tokens = traffic.next(i).request().getMessages().stream()
                    .mapToInt(m -> counter.count("gpt-4o-mini", m.getContent())).sum();
            assertThat(tokens).isBetween(475, 525);
        }
    }

    @Test
    @DisplayName("a hot user spends its allowance first, then is over the limit until the window has passed")
    void hotUserSpendsAllowanceThenGoesOver() {
        HotUser hot = new HotUser(List.of(THREE_A_MINUTE));

        for (int i = 0; i < 3; i++) {
            assertThat(hot.allowanceLeft(i)).isTrue();
            hot.spent(i);
        }

        assertThat(hot.allowanceLeft(10)).isFalse();
        assertThat(hot.overLimit(10)).isTrue();
        assertThat(hot.overLimit(58_000)).isTrue();
        // a minute on Sluice may still refuse, for up to one bucket (1 s) longer: neither is sure
        assertThat(hot.overLimit(60_500)).isFalse();
        assertThat(hot.allowanceLeft(60_500)).isFalse();
        assertThat(hot.allowanceLeft(62_100)).isTrue();
    }

    @Test
    @DisplayName("the over-limit share comes from the hot user once its allowance is spent; malformed ones are invalid")
    void sharesComeFromTheRightUsers() {
        LoadTraffic traffic = new LoadTraffic(7, 50, 5, new LoadTraffic.PromptTokens(30, 30), 0.1, 0.2,
                List.of("default"), List.of(THREE_A_MINUTE), false);

        List<LoadTraffic.Event> events = new java.util.ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            events.add(traffic.next(i));
        }

        assertThat(events.subList(0, 3)).allMatch(e -> e.kind() == LoadTraffic.Kind.HOT_ALLOWANCE);
        assertThat(traffic.sent().get(LoadTraffic.Kind.OVER_LIMIT)).isBetween(160, 240);
        assertThat(traffic.sent().get(LoadTraffic.Kind.MALFORMED)).isBetween(70, 130);
        String hotUser = events.get(0).request().getUserId();
        assertThat(events).filteredOn(e -> e.kind() == LoadTraffic.Kind.OVER_LIMIT)
                .allMatch(e -> e.request().getUserId().equals(hotUser));
        assertThat(events).filteredOn(e -> e.kind() == LoadTraffic.Kind.VALID)
                .noneMatch(e -> e.request().getUserId().equals(hotUser));
        assertThat(events).filteredOn(e -> e.kind() == LoadTraffic.Kind.MALFORMED)
                .allMatch(e -> e.request().getMessages().isEmpty() || e.request().getRoute().equals("no-such-route")
                        || e.request().getMessages().stream().map(ChatMessage::getContent).anyMatch(String::isBlank)
                        || e.request().getMessages().getFirst().getRole().equals("robot"));
    }

    @Test
    @DisplayName("--key-by tenant keys each request by its tenant, so it lands in the tenant's partition; else by id")
    void keyedByTenantOrById() {
        LoadTraffic byTenant = new LoadTraffic(3, 20, 4, new LoadTraffic.PromptTokens(30, 30), 0.1, 0,
                List.of("default"), List.of(), true);
        LoadTraffic byId = new LoadTraffic(3, 20, 4, new LoadTraffic.PromptTokens(30, 30), 0.1, 0,
                List.of("default"), List.of(), false);

        for (int i = 0; i < 100; i++) {
            LoadTraffic.Event event = byTenant.next(i);
            assertThat(byTenant.keyOf(event)).isEqualTo(event.request().getTenantId());
            LoadTraffic.Event other = byId.next(i);
            assertThat(byId.keyOf(other)).isEqualTo(other.requestId()).isNotEqualTo(other.request().getTenantId());
        }
    }
}
