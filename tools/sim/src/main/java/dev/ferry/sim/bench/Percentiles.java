package dev.ferry.sim.bench;

import java.util.Arrays;

/** Nearest-rank percentiles and medians, the benchmarks' one definition of them. */
public final class Percentiles {
    private Percentiles() {
    }

    /**
     * Index of the p-th percentile (0..100) among {@code count} sorted values, by nearest rank: the smallest
     * value with at least p% of the values at or below it. 0 for the minimum, {@code count - 1} for 100.
     */
    public static int nearestRankIndex(int count, double p) {
        if (count <= 0) {
            throw new IllegalArgumentException("no values");
        }
        int index = (int) Math.ceil(p / 100 * count) - 1;
        return Math.max(0, Math.min(count - 1, index));
    }

    /** The p-th percentile of the first {@code count} values of an ascending array. */
    public static long of(long[] sorted, int count, double p) {
        return sorted[nearestRankIndex(count, p)];
    }

    /** The p-th percentile of an ascending array; NaN for none. */
    public static double of(double[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[nearestRankIndex(sorted.length, p)];
    }

    /** The median of the values in any order: the middle one, or the mean of the two middle ones; NaN for none. */
    public static double median(double... values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
