package gradroute.experiment.tinystories;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Partial oversight: only a share p of the forget stories keeps its forget label. The labelled
 * ones are the first ⌊p·|F|⌋ forget stories in a seeded shuffle; the rest are relabelled retain.
 * Labels follow the routing convention: {@link ForgetLabels#FORGET} (0) = labelled forget, {@link ForgetLabels#RETAIN} (1) = everything else.
 */
public final class PartialOversight {
    private PartialOversight() {}

    public static int[] labels(List<String> stories, ForgetLabels rule, double p, long seed) {
        boolean[] forget = new boolean[stories.size()];
        for (int i = 0; i < forget.length; i++) forget[i] = rule.isForget(stories.get(i));
        return labels(forget, p, seed);
    }

    /** Per-story labels given the true forget flags. */
    public static int[] labels(boolean[] isForget, double p, long seed) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("the labelled share p must be in [0, 1], got " + p);
        List<Integer> forgetIdx = new ArrayList<>();
        for (int i = 0; i < isForget.length; i++) if (isForget[i]) forgetIdx.add(i);
        Collections.shuffle(forgetIdx, new Random(seed));
        int labelled = labelledCount(forgetIdx.size(), p);
        int[] labels = new int[isForget.length];
        Arrays.fill(labels, ForgetLabels.RETAIN);
        for (int k = 0; k < labelled; k++) labels[forgetIdx.get(k)] = ForgetLabels.FORGET;
        return labels;
    }

    /** ⌊p·n⌋, tolerant of binary rounding (0.29·100 counts as 29, not 28). */
    public static int labelledCount(int forgetStories, double p) {
        return (int) Math.floor(p * forgetStories + 1e-9);
    }
}
