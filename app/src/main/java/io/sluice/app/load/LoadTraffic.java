package io.sluice.app.load;

import io.sluice.config.SluiceConfig;
import io.sluice.limit.Limit;
import io.sluice.limit.LimitTable;
import io.sluice.schemas.ChatMessage;
import io.sluice.schemas.GenerationParams;
import io.sluice.schemas.PromptRequest;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import picocli.CommandLine;

/**
 * The load tool's requests: prompts of a chosen size in tokens from U users in turn, spread over T tenants and
 * over the configured routes; a share of malformed ones, which validation rejects; and a share over the per-user limit,
 * sent by one {@link HotUser} once it has spent its allowance. Ids, users and tenants are unique to a run, so a
 * rerun shares no rate-limit window, budget or answered id with the one before, and no tenant is in a tier.
 */
public final class LoadTraffic {
    /** Output tokens every request asks for at most. */
    static final int OUTPUT_TOKENS = 128;
    private static final String SYSTEM = "You are a helpful assistant for a busy operations team.";
    private static final List<String> TASKS = List.of(
            "Summarize the notes below in three bullet points.",
            "Write a short status update from the notes below.",
            "List the open questions in the notes below.",
            "Draft a polite reply to the customer based on the notes below.");
    /** Words of one token each in both cl100k_base and o200k_base, with nothing a sanitizer would flag. */
    private static final String[] WORDS = ("the a of and to in for on with as by at from that this our their its new"
            + " old last next each every many more most some other same such first second third quarter week month"
            + " year team customer order invoice report meeting project plan product market price cost sale shipment"
            + " delivery supplier warehouse stock budget revenue growth risk issue update review summary note question"
            + " answer service support contract schedule release version feature change result test quality stream"
            + " event record table value total number share rate time date day morning afternoon evening office city"
            + " region country north south east west local global small large high low early late quick slow clear"
            + " simple short long good better best strong main major minor recent current final open closed ready"
            + " pending shared internal external annual monthly weekly daily travel hotel flight train room food"
            + " coffee lunch dinner staff manager engineer analyst client partner vendor board group unit area field"
            + " line level point step stage phase goal target idea topic theme story").split(" ");

    /** What a request is meant to test. */
    enum Kind { VALID, MALFORMED, HOT_ALLOWANCE, OVER_LIMIT }

    record Event(String requestId, long createdAtMs, Kind kind, PromptRequest request) {}

    /** The record key {@code event} is sent with. */
    String keyOf(Event event) {
        return keyedByTenant && event.request().getTenantId() != null ? event.request().getTenantId() : event.requestId();
    }

    /** Prompt sizes in tokens: one size ({@code 200}) or a range ({@code 50-2000}), drawn log-uniformly. */
    public record PromptTokens(int min, int max) {
        int sample(Random random) {
            return min == max ? min : (int) Math.round(Math.exp(
                    Math.log(min) + random.nextDouble() * (Math.log(max) - Math.log(min))));
        }

        double mean() {
            return min == max ? min : (max - min) / (Math.log(max) - Math.log(min));
        }

        @Override
        public String toString() {
            return min == max ? String.valueOf(min) : min + "-" + max;
        }
    }

    /** Reads {@code 200} or {@code 50-2000}. */
    static final class PromptTokensConverter implements CommandLine.ITypeConverter<PromptTokens> {
        @Override
        public PromptTokens convert(String value) {
            String[] parts = value.strip().split("-", 2);
            try {
                int min = Integer.parseInt(parts[0].strip());
                int max = parts.length == 1 ? min : Integer.parseInt(parts[1].strip());
                if (min >= 1 && max >= min) {
                    return new PromptTokens(min, max);
                }
            } catch (NumberFormatException e) {
                // the message below says what is expected
            }
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a prompt size; write tokens as 200, or a range as 50-2000");
        }
    }

    private final Random random;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final int users;
    private final int tenants;
    private final PromptTokens tokens;
    private final double malformed;
    private final double overLimit;
    private final List<String> routes;
    private final HotUser hot;
    /** Keys each request by its tenant instead of its id ({@code --key-by tenant}). */
    private final boolean keyedByTenant;
    private final Map<Kind, Integer> sent = new EnumMap<>(Kind.class);
    private int sequence;
    private int nextUser;

    /**
     * @param userLimits the per-user limits the hot user goes over: those of tenants in no tier
     * @param keyedByTenant each request keyed by its tenant instead of its id
     */
    LoadTraffic(long seed, int users, int tenants, PromptTokens tokens, double malformed, double overLimit,
                List<String> routes, List<Limit> userLimits, boolean keyedByTenant) {
        this.random = new Random(seed);
        this.users = users;
        this.tenants = tenants;
        this.tokens = tokens;
        this.malformed = malformed;
        this.hot = new HotUser(userLimits);
        this.overLimit = hot.limited() ? overLimit : 0;
        this.routes = List.copyOf(routes);
        this.keyedByTenant = keyedByTenant;
    }

    /**
     * Traffic over the routes {@code config} configures, its hot user held to the per-user limits of a tenant in no
     * tier: what Sluice applies to a load run's new tenants.
     */
    static LoadTraffic forConfig(SluiceConfig config, long seed, int users, int tenants, PromptTokens tokens,
                                 double malformed, double overLimit, boolean keyedByTenant) {
        return new LoadTraffic(seed, users, tenants, tokens, malformed, overLimit,
                config.routes().names().stream().sorted().toList(),
                LimitTable.from(config).limits(Limit.Scope.USER, LoadWarnings.NO_TIER), keyedByTenant);
    }

    /** The next request, created at {@code now}. */
    Event next(long now) {
        Kind kind;
        double roll = random.nextDouble();
        if (overLimit > 0 && hot.allowanceLeft(now)) {
            kind = Kind.HOT_ALLOWANCE;
            hot.spent(now);
        } else if (roll < malformed) {
            kind = Kind.MALFORMED;
        } else if (roll < malformed + overLimit && hot.overLimit(now)) {
            kind = Kind.OVER_LIMIT;
        } else {
            kind = Kind.VALID;
        }
        sent.merge(kind, 1, Integer::sum);
        String requestId = "load-" + run + "-" + sequence++;
        boolean fromHot = kind == Kind.HOT_ALLOWANCE || kind == Kind.OVER_LIMIT;
        // in turn, so each user sends the same number and none goes over a limit by the luck of the draw
        int user = fromHot ? 0 : nextUser++ % users;
        PromptRequest.Builder request = PromptRequest.newBuilder()
                .setRequestId(requestId)
                .setTenantId(tenant(fromHot ? 0 : user % tenants))
                .setUserId("load-" + run + (fromHot ? "-hot-user" : "-user-" + user))
                .setAppId("sluice-load")
                .setCreatedAt(Instant.ofEpochMilli(now))
                .setRoute(routes.get(random.nextInt(routes.size())))
                // the hot user's prompts are short, so only its request count, not its tokens, is over a limit
                .setMessages(List.of(new ChatMessage("system", SYSTEM), new ChatMessage("user",
                        prompt(fromHot ? 20 : tokens.sample(random)))))
                .setParams(new GenerationParams(OUTPUT_TOKENS, 0.3, null, List.of()))
                .setMetadata(Map.of("load.run", run))
                .setDeadline(null);
        if (kind == Kind.MALFORMED) {
            malform(request);
        }
        return new Event(requestId, now, kind, request.build());
    }

    /** Requests sent so far of each kind. */
    Map<Kind, Integer> sent() {
        return Map.copyOf(sent);
    }

    private String tenant(int index) {
        return "load-" + run + "-tenant-" + index;
    }

    /** A task and notes of about {@code size} tokens in all, the system message included. */
    private String prompt(int size) {
        String task = TASKS.get(random.nextInt(TASKS.size()));
        StringBuilder text = new StringBuilder(task).append(" Notes:");
        int fixed = 14; // tokens of the system message, the task and "Notes:"
        for (int i = fixed; i < size; i++) {
            text.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
        }
        return text.toString();
    }

    /** Breaks a request in one of the ways validation rejects: each reason in turn. */
    private void malform(PromptRequest.Builder request) {
        switch (sent.get(Kind.MALFORMED) % 4) {
            case 0 -> request.setMessages(List.of());
            case 1 -> request.setMessages(List.of(new ChatMessage("user", "   ")));
            case 2 -> request.setRoute("no-such-route");
            default -> request.setMessages(List.of(new ChatMessage("robot", "Hello?")));
        }
    }
}
