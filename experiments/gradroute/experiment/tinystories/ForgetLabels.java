package gradroute.experiment.tinystories;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The story-level forget label of the TinyStories experiment: a story is forget (label 0) when one
 * of the six forest keywords occurs as a whole word, case-insensitively, in its first
 * {@code truncateChars} characters; otherwise it is retain (label 1).
 */
public final class ForgetLabels {
    public static final int FORGET = 0;
    public static final int RETAIN = 1;
    /** The character cut used on real TinyStories data (about 256 GPT-Neo tokens). */
    public static final int REAL_DATA_TRUNCATION = 1029;
    /** Word boundaries and case folding follow Unicode, as Python's {@code re} does on str. */
    public static final Pattern KEYWORDS = Pattern.compile("\\b(tree|trees|forest|forests|woodland|woodlands)\\b",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

    private final int truncateChars;

    /** Labels the first {@code truncateChars} characters (code points) of each story. */
    public ForgetLabels(int truncateChars) {
        if (truncateChars <= 0) throw new IllegalArgumentException("truncateChars must be positive, got " + truncateChars);
        this.truncateChars = truncateChars;
    }

    public static ForgetLabels forRealData() {
        return new ForgetLabels(REAL_DATA_TRUNCATION);
    }

    /** Labels whole stories (synthetic stories are short enough). */
    public static ForgetLabels untruncated() {
        return new ForgetLabels(Integer.MAX_VALUE);
    }

    public int truncateChars() {
        return truncateChars;
    }

    /** The first {@code truncateChars} code points of {@code story}, as Python's {@code story[:n]}. */
    public String truncate(String story) {
        if (story.length() <= truncateChars) return story;
        if (story.codePointCount(0, story.length()) <= truncateChars) return story;
        return story.substring(0, story.offsetByCodePoints(0, truncateChars));
    }

    public boolean isForget(String story) {
        return KEYWORDS.matcher(truncate(story)).find();
    }

    public int label(String story) {
        return isForget(story) ? FORGET : RETAIN;
    }

    public int[] labels(List<String> stories) {
        int[] out = new int[stories.size()];
        for (int i = 0; i < out.length; i++) out[i] = label(stories.get(i));
        return out;
    }
}
