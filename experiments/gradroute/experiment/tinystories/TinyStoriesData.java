package gradroute.experiment.tinystories;

import gradroute.text.BpeTokenizer;
import gradroute.text.TinyStoriesReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stories of one run, tokenised: the training stream, a pool of extra training stories for
 * the coherence fine-tune and its selection set, and the validation sets (true labels: R_val
 * retain, F_val forget, the last {@code attackStories} of F_val reserved for retraining attacks).
 * Sequences are BOS + story tokens, truncated to {@code nCtx + 1}. The corpus is the same for
 * every run seed.
 */
public final class TinyStoriesData {
  private static final Logger log = LoggerFactory.getLogger(TinyStoriesData.class);

  public final BpeTokenizer tokenizer;
  public final long bos;
  /** Training stream: stories {@code 0 .. streamStories-1} (shuffled per seed), then the extra pool. */
  public final List<long[]> train;
  /** Keyword-rule label of each training story (stream and extras). */
  public final boolean[] trainForget;
  public final int streamSize;
  public final List<long[]> valRetain;
  /** F_val: the forget test stories, then the stories for retraining attacks. */
  public final List<long[]> valForget;
  public final String description;

  private TinyStoriesData(BpeTokenizer tokenizer, List<long[]> train, boolean[] trainForget, int streamSize, List<long[]> valRetain,
      List<long[]> valForget, String description) {
    this.tokenizer = tokenizer;
    this.bos = tokenizer.eosId();
    this.train = train;
    this.trainForget = trainForget;
    this.streamSize = streamSize;
    this.valRetain = valRetain;
    this.valForget = valForget;
    this.description = description;
  }

  /** Extra training stories beyond the stream, for coherence tuning and selection. */
  static int extraStories(TinyStoriesConfig s) {
    return 2 * (s.coherenceStories() + s.coherenceSelectionStories());
  }

  /**
   * Loads (or generates) and tokenises the corpus.
   *
   * @param tokenizerDir where the tokenizer is cached: loaded when present, else trained and saved
   */
  public static TinyStoriesData load(TinyStoriesConfig s, Path tokenizerDir) throws java.io.IOException {
    s.validate();
    ForgetLabels rule;
    List<String> trainText;
    List<String> validation;
    String description;
    int needTrain = s.streamStories() + extraStories(s);
    if (s.synthetic()) {
      rule = ForgetLabels.untruncated();
      List<SyntheticStories.Story> stories = SyntheticStories.forSplit("train", s.corpusSeed(), s.forest()).generate(needTrain);
      trainText = new ArrayList<>(stories.size());
      for (SyntheticStories.Story st : stories) trainText.add(st.text());
      validation = new ArrayList<>();
      SyntheticStories val = SyntheticStories.forSplit("validation", s.corpusSeed(), s.forest());
      int r = 0, f = 0;
      while (r < s.validationRetain() || f < s.validationForget()) {
        String text = val.next().text();
        boolean forget = rule.isForget(text);
        if (forget ? f++ < s.validationForget() : r++ < s.validationRetain()) validation.add(text);
      }
      description = "synthetic corpus (seed " + s.corpusSeed() + "): " + SyntheticStories.forgetShareReport(stories);
    } else {
      rule = ForgetLabels.forRealData();
      Path file = Path.of(s.corpus());
      if (!Files.isRegularFile(file)) throw new IllegalArgumentException("corpus file " + file + " does not exist");
      int validationPool = 10 * (s.validationRetain() + s.validationForget());
      int want = s.maxCorpusStories() > 0 ? s.maxCorpusStories() : needTrain + validationPool;
      List<String> all = new ArrayList<>();
      for (String story : TinyStoriesReader.read(file, want)) if (!story.isBlank()) all.add(rule.truncate(story.strip()));
      if (all.isEmpty()) throw new IllegalArgumentException("corpus " + file + " has no stories");
      if (all.size() < needTrain + s.validationRetain() + s.validationForget()) {
        throw new IllegalArgumentException("corpus " + file + " has " + all.size() + " stories; this configuration needs at least "
            + (needTrain + s.validationRetain() + s.validationForget()) + " (steps × batch = " + s.trainStories() + " for training and a third more for data filtering, "
            + extraStories(s) + " for coherence tuning, " + (s.validationRetain() + s.validationForget()) + " for validation)");
      }
      Collections.shuffle(all, new Random(s.corpusSeed()));
      trainText = new ArrayList<>(all.subList(0, needTrain));
      validation = new ArrayList<>();
      int r = 0, f = 0;
      for (String text : all.subList(needTrain, all.size())) {
        boolean forget = rule.isForget(text);
        if (forget ? f++ < s.validationForget() : r++ < s.validationRetain()) validation.add(text);
      }
      if (f < s.validationForget() || r < s.validationRetain()) {
        throw new IllegalArgumentException("corpus " + file + " leaves " + f + " forget and " + r + " retain stories for validation; "
            + s.validationForget() + " and " + s.validationRetain() + " are needed");
      }
      description = "corpus " + file + ": " + all.size() + " stories read";
    }
    if (trainText.isEmpty()) throw new IllegalArgumentException("the corpus has no training stories");

    BpeTokenizer tokenizer;
    if (tokenizerDir != null && Files.isRegularFile(tokenizerDir.resolve("vocab.json"))) {
      tokenizer = BpeTokenizer.load(tokenizerDir);
    } else {
      long t0 = System.nanoTime();
      tokenizer = BpeTokenizer.train(trainText.subList(0, Math.min(s.tokenizerStories(), trainText.size())), s.vocab(),
          Set.of(BpeTokenizer.END_OF_TEXT));
      log.info("trained a {}-token BPE tokenizer in {} s", tokenizer.vocabSize(), String.format("%.1f", (System.nanoTime() - t0) / 1e9));
      if (tokenizerDir != null) tokenizer.save(tokenizerDir);
    }

    List<long[]> train = new ArrayList<>(trainText.size());
    boolean[] trainForget = new boolean[trainText.size()];
    for (int i = 0; i < trainText.size(); i++) {
      train.add(encode(tokenizer, trainText.get(i), s.nCtx()));
      trainForget[i] = rule.isForget(trainText.get(i));
    }
    List<long[]> valRetain = new ArrayList<>(), valForget = new ArrayList<>();
    for (String text : validation) (rule.isForget(text) ? valForget : valRetain).add(encode(tokenizer, text, s.nCtx()));
    return new TinyStoriesData(tokenizer, train, trainForget, s.streamStories(), valRetain, valForget, description);
  }

  /** BOS + the story's tokens, at most {@code nCtx + 1} in all. */
  public static long[] encode(BpeTokenizer tokenizer, String story, int nCtx) {
    int[] ids = tokenizer.encode(story);
    int n = Math.min(ids.length, nCtx);
    long[] seq = new long[n + 1];
    seq[0] = tokenizer.eosId();
    for (int i = 0; i < n; i++) seq[i + 1] = ids[i];
    return seq;
  }

  /** The prompt as BOS + tokens. */
  public long[] prompt(String text, int nCtx) {
    if (text == null || text.isBlank()) throw new IllegalArgumentException("the generation prompt is empty");
    return encode(tokenizer, text, nCtx);
  }

  /**
   * The id of {@code word} as one token (with a leading space, as inside a sentence), for
   * per-token reports.
   *
   * @throws IllegalArgumentException when the word is not a single token of the vocabulary
   */
  public static int singleToken(BpeTokenizer tokenizer, String word) {
    if (word == null || word.isBlank()) throw new IllegalArgumentException("empty word");
    int[] ids = tokenizer.encode(" " + word.strip());
    if (ids.length != 1) {
      List<String> pieces = new ArrayList<>();
      for (int id : ids) pieces.add("'" + tokenizer.tokenText(id) + "'");
      throw new IllegalArgumentException("the word '" + word + "' does not tokenize to a single token (it splits into "
          + pieces + "); pick words of the corpus vocabulary");
    }
    return ids[0];
  }

  public List<long[]> forgetTest(TinyStoriesConfig s) {
    return valForget.subList(0, s.forgetTestStories());
  }
}
