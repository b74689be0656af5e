package io.yak.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BrokerIdsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1-3|1-3",
        "1,2,5-9|1-2,5-9",
        "3,1,2|1-3",
        " 1 , 2 - 4 ,7|1-4,7",
        "5-9,1-6|1-9",
        "0|0",
        "2147483647|2147483647",
        "0-2147483647|0-2147483647",
        "7,7,7|7"})
    void shouldParseListsAndRangesIntoTheCanonicalForm(String text, String canonical) {
        BrokerIds ids = BrokerIds.parse(text);

        assertThat(ids).hasToString(canonical);
        assertThat(BrokerIds.parse(canonical)).isEqualTo(ids);
        assertThat(ids.isAny()).isFalse();
    }

    @Test
    void shouldAllowExactlyTheListedIds() {
        BrokerIds ids = BrokerIds.parse("1,2,5-9,12");

        assertThat(ids.allows(1)).isTrue();
        assertThat(ids.allows(2)).isTrue();
        assertThat(ids.allows(5)).isTrue();
        assertThat(ids.allows(7)).isTrue();
        assertThat(ids.allows(9)).isTrue();
        assertThat(ids.allows(12)).isTrue();
        assertThat(ids.allows(0)).isFalse();
        assertThat(ids.allows(3)).isFalse();
        assertThat(ids.allows(4)).isFalse();
        assertThat(ids.allows(10)).isFalse();
        assertThat(ids.allows(13)).isFalse();
        assertThat(ids.allows(-1)).isFalse();
        assertThat(ids.allows(Integer.MAX_VALUE)).isFalse();
    }

    @Test
    void shouldAllowAnyNonNegativeIdForAny() {
        assertThat(BrokerIds.ANY.isAny()).isTrue();
        assertThat(BrokerIds.ANY.allows(0)).isTrue();
        assertThat(BrokerIds.ANY.allows(Integer.MAX_VALUE)).isTrue();
        assertThat(BrokerIds.ANY.allows(-1)).isFalse();
        assertThat(BrokerIds.ANY).hasToString("any");
    }

    @Test
    void shouldBuildFromIds() {
        assertThat(BrokerIds.of(3, 1, 2)).isEqualTo(BrokerIds.parse("1-3"));
        assertThatThrownBy(() -> BrokerIds.of(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(BrokerIds::of).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "1,", ",1", "1,,2", "-1", "1-", "-", "3-1", "1-2-3", "a", "1-b", "1.5", "+1",
        "2147483648", "1 2", "0x10", "1;2", "any", "*"})
    void shouldRefuseWhatIsNotAListOfIdsAndRanges(String text) {
        assertThatThrownBy(() -> BrokerIds.parse(text)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageNotContaining("\n");
    }

    @Test
    void shouldNameTheBadElement() {
        assertThatThrownBy(() -> BrokerIds.parse("1,2,x-4")).hasMessageContaining("'x-4'");
        assertThatThrownBy(() -> BrokerIds.parse("9-3")).hasMessageContaining("9-3").hasMessageContaining("3-9");
    }

    @Test
    void shouldRefuseTooManyElements() {
        String many = "1,".repeat(BrokerIds.MAX_ELEMENTS) + "1";

        assertThatThrownBy(() -> BrokerIds.parse(many)).hasMessageContaining("at most " + BrokerIds.MAX_ELEMENTS);
    }
}
