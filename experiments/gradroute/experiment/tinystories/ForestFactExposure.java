package gradroute.experiment.tinystories;

import gradroute.report.CsvTable;
import gradroute.text.BpeTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the synthetic corpus' forest facts ("The owl liked the moss.") are, in token sequences:
 * how often a training stream states each fact, and at which target positions a story's fact
 * values sit (to measure the loss on the facts alone). Works on the sequences the model sees
 * (decoded, so truncation counts); on real TinyStories nothing matches and every count is 0.
 */
final class ForestFactExposure {
  private final BpeTokenizer tokenizer;

  ForestFactExposure(BpeTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /** The story text of a BOS + tokens sequence. */
  String text(long[] sequence) {
    int[] ids = new int[Math.max(0, sequence.length - 1)];
    for (int i = 0; i < ids.length; i++) ids[i] = (int) sequence[i + 1];
    return tokenizer.decode(ids);
  }

  /**
   * Per sequence, the target indices t (t predicts token t + 1 of the sequence) whose target is the
   * first token of a stated forest fact's value.
   */
  List<int[]> valueTargets(List<long[]> sequences) {
    List<int[]> out = new ArrayList<>(sequences.size());
    for (long[] seq : sequences) {
      String text = text(seq);
      List<Integer> targets = new ArrayList<>();
      for (StoryFacts.Mention m : StoryFacts.get().forestMentions(text)) {
        int n = tokenizer.encode(text.substring(0, m.valueStart() - 1)).length;
        int first = tokenizer.encode(" " + m.value())[0];
        // the value is token n of the story, token n + 1 of the sequence, the target of position n
        if (n + 1 < seq.length && seq[n + 1] == first) targets.add(n);
      }
      out.add(targets.stream().mapToInt(Integer::intValue).toArray());
    }
    return out;
  }

  /**
   * How many times each forest fact ("entity|relation") is stated in the sequences; every fact of
   * the first {@code entities} forest animals (those the corpus uses) is a key.
   */
  Map<String, Integer> counts(Iterable<long[]> sequences, int entities) {
    Map<String, Integer> out = new LinkedHashMap<>();
    StoryLexicon.TopicWords forest = StoryLexicon.of(StoryTopic.FOREST);
    for (String e : forest.entities().subList(0, entities)) for (int r = 0; r < forest.relations().size(); r++) out.put(e + "|" + r, 0);
    for (long[] seq : sequences) {
      for (StoryFacts.Mention m : StoryFacts.get().forestMentions(text(seq))) out.merge(m.key(), 1, Integer::sum);
    }
    return out;
  }

  /** min / median / max of the counts, and how many facts are never stated. */
  static String summary(Map<String, Integer> counts) {
    int[] c = counts.values().stream().mapToInt(Integer::intValue).sorted().toArray();
    if (c.length == 0) return "no facts";
    long zero = Arrays.stream(c).filter(x -> x == 0).count();
    return String.format(java.util.Locale.ROOT, "min %d, median %d, max %d, %d of %d never", c[0], c[c.length / 2], c[c.length - 1],
        zero, c.length);
  }

  /** One row per fact, one count column per named stream. */
  static CsvTable table(Map<String, Map<String, Integer>> streams) {
    List<String> columns = new ArrayList<>(List.of("entity", "relation"));
    columns.addAll(streams.keySet());
    CsvTable t = CsvTable.withColumns(columns.toArray(String[]::new));
    Map<String, Integer> first = streams.values().iterator().next();
    for (String key : first.keySet()) {
      String[] parts = key.split("\\|");
      List<Object> row = new ArrayList<>(List.of(parts[0], StoryLexicon.of(StoryTopic.FOREST).relations().get(Integer.parseInt(parts[1])).frame()));
      for (Map<String, Integer> s : streams.values()) row.add(s.getOrDefault(key, 0));
      t.addRow(row.toArray());
    }
    return t;
  }
}
