package gradroute.experiment.tinystories;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.text.BpeTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ForestFactExposureTest {
  @Test
  void valueTargetsPointAtTheFactValuesAndCountsCountThem() {
    List<String> texts = new ArrayList<>();
    for (SyntheticStories.Story s : SyntheticStories.forSplit("train", 5).generate(600)) texts.add(s.text());
    BpeTokenizer tokenizer = BpeTokenizer.train(texts, 700, Set.of(BpeTokenizer.END_OF_TEXT));
    ForestFactExposure facts = new ForestFactExposure(tokenizer);
    List<long[]> seqs = new ArrayList<>();
    for (String t : texts) seqs.add(TinyStoriesData.encode(tokenizer, t, 1000));
    List<int[]> targets = facts.valueTargets(seqs);
    int mentions = 0, found = 0;
    for (int i = 0; i < seqs.size(); i++) {
      List<StoryFacts.Mention> m = StoryFacts.get().forestMentions(texts.get(i));
      mentions += m.size();
      found += targets.get(i).length;
      for (int k = 0; k < targets.get(i).length; k++) {
        int t = targets.get(i)[k];
        String next = tokenizer.decode(new int[] {(int) seqs.get(i)[t + 1]});
        assertTrue((" " + m.get(k).value()).startsWith(next), "target " + t + " predicts '" + next + "', fact value " + m.get(k).value());
      }
    }
    assertTrue(mentions > 100, "mentions " + mentions);
    assertEquals(mentions, found, "every stated fact has its value position");
    Map<String, Integer> counts = facts.counts(seqs, 20);
    assertEquals(60, counts.size());
    assertEquals(mentions, counts.values().stream().mapToInt(Integer::intValue).sum());
    // truncation: a sequence cut before the value states no fact there
    long[] cut = TinyStoriesData.encode(tokenizer, texts.get(0), 5);
    assertEquals(0, facts.valueTargets(List.of(cut)).get(0).length);
  }
}
