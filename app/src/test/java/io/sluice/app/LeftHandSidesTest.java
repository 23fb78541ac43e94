package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LeftHandSidesTest {
    @Test
    @DisplayName("cuts each top-level 'and' operand at its comparison, and leaves what is inside brackets alone")
    void cutsAtTopLevelComparisons() {
        assertThat(LeftHandSides.of("sluice_ready == 0")).containsExactly("sluice_ready");
        assertThat(LeftHandSides.of("x{stage!~\".+retry-[0-9]+\"} > 5000")).containsExactly("x{stage!~\".+retry-[0-9]+\"}");
        assertThat(LeftHandSides.of("a:b > 1\nand\na:b > 3 * (c offset 5m or vector(0))"))
                .containsExactly("a:b", "a:b");
        assertThat(LeftHandSides.of("max by (name) (max_over_time(s{state=~\"open\"}[5m])) > 0"))
                .containsExactly("max by (name) (max_over_time(s{state=~\"open\"}[5m]))");
        assertThat(LeftHandSides.of("sum(brand) > 0")).containsExactly("sum(brand)");
    }
}
