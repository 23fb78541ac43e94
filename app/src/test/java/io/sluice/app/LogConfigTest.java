package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.call.CallTelemetry;
import io.sluice.topology.PoisonRecordHandler;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The shipped logback.xml (not the tests' own): JSON lines on stdout for {@code sluice run}, text otherwise. */
class LogConfigTest {

    /** A logger context configured from the application's logback.xml, with {@code format} as the log format. */
    private static LoggerContext configured(String format) throws JoranException {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        if (format != null) {
            context.putProperty(SluiceCli.LOG_FORMAT, format);
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LogConfigTest.class.getResource("/logback.xml"));
        return context;
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext context) {
        return (ConsoleAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE");
    }

    @Test
    @DisplayName("writes the per-call line as one JSON object on stdout, its key-value pairs as fields")
    void jsonLinesOnStdout() throws Exception {
        LoggerContext context = configured("json");
        ConsoleAppender<ILoggingEvent> console = console(context);
        Encoder<ILoggingEvent> encoder = console.getEncoder();
        assertThat(console.getTarget()).isEqualTo("System.out");
        assertThat(encoder).isInstanceOf(JsonEncoder.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAppender(console);
        root.addAppender(captured);

        context.getLogger(CallTelemetry.ATTEMPTS_LOGGER).atInfo().setMessage("provider call")
                .addKeyValue("requestId", "req-42").addKeyValue("provider", "openai").addKeyValue("latencyMs", 812L)
                .log();

        String line = new String(encoder.encode(captured.list.get(0)), StandardCharsets.UTF_8);
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode json = new ObjectMapper().readTree(line);
        Map<String, String> fields = new HashMap<>();
        json.get("kvpList").forEach(pair -> pair.properties().forEach(f -> fields.put(f.getKey(),
                f.getValue().asText())));
        assertThat(fields).containsEntry("requestId", "req-42").containsEntry("provider", "openai")
                .containsEntry("latencyMs", "812");
        assertThat(json.get("level").asText()).isEqualTo("INFO");
        assertThat(json.get("loggerName").asText()).isEqualTo(CallTelemetry.ATTEMPTS_LOGGER);
        assertThat(json.get("formattedMessage").asText()).isEqualTo("provider call");
        assertThat(json.has("timestamp")).isTrue();
        // the message once: not again as a template with its arguments, and no context block on every line
        assertThat(json.has("message")).isFalse();
        assertThat(json.has("arguments")).isFalse();
        assertThat(json.has("context")).isFalse();
        context.stop();
    }

    @Test
    @DisplayName("writes plain text to stderr for every other command, so their stdout stays their output")
    void textOnStderrOtherwise() throws Exception {
        LoggerContext context = configured(null);

        ConsoleAppender<ILoggingEvent> console = console(context);

        assertThat(console.getTarget()).isEqualTo("System.err");
        assertThat(console.getEncoder()).isNotInstanceOf(JsonEncoder.class);
        assertThat(context.getLogger(CallTelemetry.ATTEMPTS_LOGGER).isInfoEnabled()).isTrue();
        context.stop();
    }

    @Test
    @DisplayName("an unreadable record is logged once, by Sluice's handler, not with Kafka's two stack traces")
    void poisonRecordsLoggedOnce() throws Exception {
        LoggerContext context = configured(null);

        assertThat(context.getLogger(PoisonRecordHandler.class).isWarnEnabled()).isTrue();
        assertThat(context.getLogger(org.apache.kafka.streams.errors.LogAndContinueExceptionHandler.class)
                .isWarnEnabled()).isFalse();
        assertThat(context.getLogger("org.apache.kafka.streams.processor.internals.RecordDeserializer")
                .isWarnEnabled()).isFalse();
        // the rest of Kafka Streams still warns
        assertThat(context.getLogger("org.apache.kafka.streams.processor.internals.StreamThread").isWarnEnabled())
                .isTrue();
        context.stop();
    }
}
