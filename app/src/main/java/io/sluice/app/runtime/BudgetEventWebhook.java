package io.sluice.app.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.schemas.BudgetEvent;
import io.sluice.topics.Topic;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the budget-events topic to a webhook, one Slack-compatible message ({@code {"text": ...}}) per event, the
 * same webhook Alertmanager posts Sluice's alerts to. At least once: a batch's offsets are committed after the
 * webhook accepted every event in it, and a refused delivery is retried (backing off to a minute) until it is
 * accepted or the forwarder is closed, so a webhook outage delays events and loses none.
 */
public final class BudgetEventWebhook implements AutoCloseable {
    /** Consumer group of the forwarder: its committed offsets are what was delivered. */
    public static final String GROUP = "sluice-budget-events-webhook";
    private static final Logger log = LoggerFactory.getLogger(BudgetEventWebhook.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LONGEST_BACKOFF = Duration.ofMinutes(1);

    private final KafkaConsumer<String, BudgetEvent> consumer;
    private final String topic;
    private final URI webhook;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private volatile boolean closed;

    /**
     * @param fromBeginning with no offsets committed for {@link #GROUP} yet, deliver the topic's whole history
     *                      instead of what comes from now on
     */
    public BudgetEventWebhook(Map<String, Object> client, Topic<String, BudgetEvent> events, URI webhook,
                       boolean fromBeginning) {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // events of aborted transactions never happened
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        this.consumer = new KafkaConsumer<>(props, events.keySerde().deserializer(), events.valueSerde().deserializer());
        this.topic = events.name();
        this.webhook = webhook;
    }

    /** Delivers events until {@link #close()}; returns then. */
    public void run() throws InterruptedException {
        run(() -> { });
    }

    /**
     * Delivers events until {@link #close()}, calling {@code delivered} after every poll of the topic whose events
     * all reached the webhook (at least once a second while it does), so a health check can tell a forwarder that
     * delivers from one that is stuck.
     */
    public void run(Runnable delivered) throws InterruptedException {
        consumer.subscribe(List.of(topic));
        try {
            while (!closed) {
                ConsumerRecords<String, BudgetEvent> records = consumer.poll(Duration.ofSeconds(1));
                for (ConsumerRecord<String, BudgetEvent> record : records) {
                    deliver(record);
                }
                if (!records.isEmpty() && !closed) {
                    consumer.commitSync();
                }
                if (!closed) {
                    delivered.run();
                }
            }
        } catch (WakeupException e) {
            // closed while polling: what was delivered and not committed is delivered again at the next start
        } finally {
            consumer.close();
        }
    }

    private void deliver(ConsumerRecord<String, BudgetEvent> record) throws InterruptedException {
        String body = message(record.value());
        Duration backoff = Duration.ofSeconds(1);
        while (!closed) {
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(webhook)
                        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() / 100 == 2) {
                    log.info("Delivered budget event {} of tenant {} ({}/{}/{})", record.value().getKind(),
                            record.key(), record.topic(), record.partition(), record.offset());
                    return;
                }
                log.warn("The webhook answered {} to budget event {}/{}/{}; trying again in {} s", answer.statusCode(),
                        record.topic(), record.partition(), record.offset(), backoff.toSeconds());
            } catch (IOException e) {
                log.warn("The webhook could not be reached for budget event {}/{}/{} ({}); trying again in {} s",
                        record.topic(), record.partition(), record.offset(), e.toString(), backoff.toSeconds());
            }
            Thread.sleep(backoff.toMillis());
            backoff = backoff.multipliedBy(2).compareTo(LONGEST_BACKOFF) > 0 ? LONGEST_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** The event as a Slack-compatible message: {@code {"text": "..."}}, amounts in dollars. */
    static String message(BudgetEvent event) {
        String what = switch (event.getKind()) {
            case SOFT_THRESHOLD_CROSSED -> "passed the soft threshold (%s) of".formatted(dollars(event.getThresholdMicros()));
            case HARD_LIMIT_REACHED -> "reached";
            case RESERVATION_EXPIRED -> "had a reservation released (no settlement came) against";
            default -> "has an event (" + event.getKind() + ") about";
        };
        String text = ":money_with_wings: [%s] Tenant *%s* %s its %s budget of %s for %s: spent %s, reserved %s."
                .formatted(event.getKind(), event.getTenantId(), what, event.getPeriod(),
                        dollars(event.getLimitMicros()), event.getPeriodKey(), dollars(event.getSpentMicros()),
                        dollars(event.getReservedMicros()));
        ObjectNode json = JSON.createObjectNode().put("text", text);
        return json.toString();
    }

    private static String dollars(long micros) {
        return String.format(Locale.ROOT, "$%.2f", micros / 1e6);
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
    }
}
