package gradroute.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenFrequencyWeightsTest {
    @Test
    void anchorValuesOfTheWeightFormula() {
        assertEquals(0.982, TokenFrequencyWeights.weightForRatio(1.0), 5e-4);
        assertEquals(0.585, TokenFrequencyWeights.weightForRatio(73.1 / 18.7), 2e-3, "'_bird' in the paper's table");
        assertEquals(1.0, TokenFrequencyWeights.weightForRatio(1e-9), 1e-9);
        assertEquals(0.0, TokenFrequencyWeights.weightForRatio(1e9), 1e-9);
    }

    @Test
    void tokensOnlyInForgetTextAreRoutedAndOnlyInRetainTextAreNot() {
        long[] forget = new long[4], retain = new long[4];
        forget[0] = 5_000; retain[0] = 0;                // only forget
        forget[1] = 0;     retain[1] = 50_000;           // only retain
        forget[2] = 10_000; retain[2] = 100_000;         // same share of both corpora
        forget[3] = 100_000; retain[3] = 1_000_000;
        float[] w = TokenFrequencyWeights.fromCounts(forget, retain).weights();
        assertTrue(w[0] < 1e-6, "forget-only weight " + w[0]);
        assertTrue(w[1] > 0.9999, "retain-only weight " + w[1]);
        assertEquals(0.982, w[2], 0.01, "r ≈ 1");
        TokenFrequencyWeights weights = TokenFrequencyWeights.fromCounts(forget, retain);
        assertEquals(-0.75f, weights.originalDimsGate(0, -0.75f), 1e-5);
        assertEquals(1.0f, weights.originalDimsGate(1, -0.75f), 1e-4);
    }

    @Test
    void countsBpeTokensOfStories() {
        BpeTokenizer tok = BpeTokenizer.train(List.of("the tree and the fish", "the fish and the cat"), 300, Set.of());
        TokenFrequencyWeights w = TokenFrequencyWeights.fromTexts(tok,
                List.of("the tree stood. the tree fell. a tree!".repeat(50)), List.of("the fish swam. the cat sat.".repeat(50)));
        int tree = tok.encode(" tree")[0];
        int fish = tok.encode(" fish")[0];
        assertTrue(w.weight(tree) < 0.05, "tree " + w.weight(tree));
        assertTrue(w.weight(fish) > 0.95, "fish " + w.weight(fish));
        assertTrue(w.ratio(tree) > 1 && w.ratio(fish) < 1);
        assertEquals(tok.vocabSize(), w.weights().length);
    }
}
