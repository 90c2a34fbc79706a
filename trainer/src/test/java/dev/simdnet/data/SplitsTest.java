package dev.simdnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitsTest {
    /** Labels with uneven classes: class c has 50 + 37c members, interleaved. */
    private static int[] unevenLabels() {
        return IntStream.range(0, 10).flatMap(c -> IntStream.range(0, 50 + 37 * c).map(i -> c))
                .toArray();
    }

    @Test
    void holdoutIsDisjointCompleteStratifiedAndDeterministic() {
        Dataset train = TestData.mnistTrain();
        Splits.Split s = Splits.holdout(train, Splits.DEFAULT_VALIDATION, 42);
        assertThat(s.validation()).hasSize(5_000);
        assertThat(s.train()).hasSize(55_000);
        int[] all = IntStream.concat(Arrays.stream(s.train()), Arrays.stream(s.validation())).sorted().toArray();
        assertThat(all).isEqualTo(IntStream.range(0, 60_000).toArray());
        int[] counts = train.classCounts(), valCounts = new int[10];
        for (int i : s.validation()) valCounts[train.label(i)]++;
        for (int c = 0; c < 10; c++)
            assertThat((double) valCounts[c]).isCloseTo(5_000.0 * counts[c] / 60_000, org.assertj.core.data.Offset.offset(1.0));
        Splits.Split again = Splits.holdout(train, Splits.DEFAULT_VALIDATION, 42);
        assertThat(again.validation()).isEqualTo(s.validation());
        Splits.Split other = Splits.holdout(train, Splits.DEFAULT_VALIDATION, 43);
        assertThat(other.validation()).isNotEqualTo(s.validation());
    }

    @Test
    void holdoutSharesAddUpOnUnevenClasses() {
        int[] labels = unevenLabels();
        for (int size : new int[] {0, 1, 7, 333, labels.length}) {
            Splits.Split s = Splits.holdout(labels, 10, size, 1);
            assertThat(s.validation()).hasSize(size);
            int[] val = new int[10];
            for (int i : s.validation()) val[labels[i]]++;
            for (int c = 0; c < 10; c++)
                assertThat((double) val[c]).isCloseTo((double) size * (50 + 37 * c) / labels.length,
                        org.assertj.core.data.Offset.offset(1.0));
        }
        assertThatThrownBy(() -> Splits.holdout(labels, 10, labels.length + 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void kFoldValidatesEveryIndexOnceAndIsStratified() {
        int[] labels = unevenLabels();
        int k = 5;
        List<Splits.Split> folds = Splits.kFold(labels, 10, k, 7);
        assertThat(folds).hasSize(k);
        int[] seen = new int[labels.length];
        for (Splits.Split f : folds) {
            assertThat(f.train().length + f.validation().length).isEqualTo(labels.length);
            assertThat(f.validation().length).isBetween(labels.length / k, labels.length / k + 1);
            for (int i : f.validation()) seen[i]++;
            assertThat(Arrays.stream(f.train()).filter(i -> Arrays.binarySearch(f.validation(), i) >= 0)).isEmpty();
            int[] val = new int[10];
            for (int i : f.validation()) val[labels[i]]++;
            for (int c = 0; c < 10; c++) assertThat(val[c]).isBetween((50 + 37 * c) / k, (50 + 37 * c) / k + 1);
        }
        assertThat(seen).containsOnly(1);
        assertThat(Splits.kFold(labels, 10, k, 7).get(2).validation()).isEqualTo(folds.get(2).validation());
    }
}
