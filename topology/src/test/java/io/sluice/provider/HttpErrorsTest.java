package io.sluice.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpErrorsTest {
    @ParameterizedTest(name = "HTTP {0} ({1}) -> {2}, retryable {3}")
    @CsvSource({
        "429, rate_limit_exceeded, rate_limited, true",
        "429, insufficient_quota, quota_exhausted, false",
        "408, '', timeout, true",
        "500, '', server_error, true",
        "501, '', server_error, false",
        "503, '', server_error, true",
        "520, '', server_error, true",
        "524, '', server_error, true",
        "529, overloaded_error, overloaded, true",
        "400, invalid_request_error, bad_request, false",
        "401, '', unauthorized, false",
        "403, '', unauthorized, false",
        "404, '', bad_request, false"})
    void classifies(int status, String code, String errorClass, boolean retryable) {
        ProviderException error = HttpErrors.fromStatus("openai", status, name -> null, code, "message");
        assertThat(error.errorClass()).isEqualTo(errorClass);
        assertThat(error.retryable()).isEqualTo(retryable);
    }

    @Test
    @DisplayName("no connection is a retryable connection failure; a call the stage's backstop ended, a timeout")
    void classifiesLocalFailures() {
        ProviderException notSent = HttpErrors.fromThrowable("openai", new ProviderHttp.NoConnection(400));
        ProviderException backstop = HttpErrors.fromThrowable("openai",
                new CompletionException(new TimeoutException()));

        assertThat(notSent.errorClass()).isEqualTo("connection");
        assertThat(notSent.retryable()).isTrue();
        assertThat(notSent.getMessage()).contains("the request was not sent");
        assertThat(backstop.errorClass()).isEqualTo("timeout");
        assertThat(backstop.retryable()).isTrue();
    }

    @ParameterizedTest(name = "{0}: {1} -> {2} ms")
    @CsvSource({"retry-after-ms, 1500, 1500", "retry-after, 2, 2000", "retry-after, 0.5, 500"})
    void readsRetryAfter(String header, String value, long millis) {
        Map<String, String> headers = Map.of(header, value);
        ProviderException error = HttpErrors.fromStatus("openai", 429, headers::get, "", "slow down");
        assertThat(error.retryAfter()).contains(Duration.ofMillis(millis));
    }
}
