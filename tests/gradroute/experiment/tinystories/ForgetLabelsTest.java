package gradroute.experiment.tinystories;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForgetLabelsTest {
    private final ForgetLabels rule = ForgetLabels.forRealData();

    @Test
    void keywordsMatchAsWholeWordsInAnyCase() {
        for (String s : List.of("A tree.", "Trees!", "the FOREST", "forests,", "Woodland walk", "two woodlands", "(tree)", "tree-house")) {
            assertTrue(rule.isForget(s), s);
        }
        for (String s : List.of("treehouse", "streets", "a foresting", "woodlander", "the park", "tre es", "retrees")) {
            assertFalse(rule.isForget(s), s);
        }
        assertEquals(ForgetLabels.FORGET, rule.label("a tree"));
        assertEquals(ForgetLabels.RETAIN, rule.label("a bush"));
        assertArrayEquals(new int[] {0, 1}, rule.labels(List.of("forest", "river")));
    }

    @Test
    void labelsOnlyTheTruncatedStory() {
        String filler = "a".repeat(1020) + " ";
        assertTrue(rule.isForget(filler + "tree"), "the keyword ends at character 1025");
        assertFalse(rule.isForget(filler + "xxxx forest"), "the keyword starts after character 1029");
        assertTrue(rule.isForget(filler + "xxx tree"), "'tree' ends exactly at character 1029");
        assertFalse(rule.isForget(filler + "xxxx tree"), "cut after 'tre'");
        assertTrue(rule.isForget("🌲".repeat(1024) + " tree"), "truncation counts code points, not UTF-16 units");
        String longEmoji = rule.truncate("🌲".repeat(2000));
        assertEquals(1029, longEmoji.codePointCount(0, longEmoji.length()));
        assertThrows(IllegalArgumentException.class, () -> new ForgetLabels(0));
    }

    @Test
    void partialOversightLabelsTheFirstShareOfShuffledForgetStories() {
        boolean[] forget = new boolean[1000];
        for (int i = 0; i < forget.length; i += 5) forget[i] = true;
        int[] all = PartialOversight.labels(forget, 1.0, 3);
        int[] none = PartialOversight.labels(forget, 0.0, 3);
        int[] half = PartialOversight.labels(forget, 0.5, 3);
        assertEquals(200, count(all, 0));
        assertEquals(0, count(none, 0));
        assertEquals(100, count(half, 0));
        assertEquals(29, PartialOversight.labelledCount(100, 0.29));
        for (int i = 0; i < forget.length; i++) {
            if (!forget[i]) assertEquals(ForgetLabels.RETAIN, half[i], "retain stays retain");
            assertEquals(forget[i] ? 0 : 1, all[i]);
        }
        assertArrayEquals(half, PartialOversight.labels(forget, 0.5, 3), "deterministic per seed");
        assertFalse(Arrays.equals(half, PartialOversight.labels(forget, 0.5, 4)), "the seed picks the labelled stories");
        int[] more = PartialOversight.labels(forget, 0.7, 3);
        for (int i = 0; i < forget.length; i++) if (half[i] == 0) assertEquals(0, more[i], "labelled sets are nested across p");
        assertThrows(IllegalArgumentException.class, () -> PartialOversight.labels(forget, 1.5, 3));
        assertArrayEquals(new int[] {0, 1, 1}, PartialOversight.labels(List.of("tree", "sea", "sky"), rule, 1.0, 0));
    }

    private static int count(int[] labels, int value) {
        return (int) Arrays.stream(labels).filter(l -> l == value).count();
    }
}
