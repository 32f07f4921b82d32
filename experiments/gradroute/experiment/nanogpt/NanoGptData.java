package gradroute.experiment.nanogpt;

import gradroute.data.DataCache;
import gradroute.data.TokenFile;
import gradroute.report.CsvTable;
import gradroute.report.Json;
import gradroute.text.BpeTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tokenised corpus, built once and cached under {@code <data cache>/nanogpt/<key>/}: the BPE
 * tokenizer (routed word forced to one token), {@code train.bin} and {@code val.bin} (uint16, as
 * nanoGPT), and {@code related.csv}, the tokens that co-occur with the routed one far above chance.
 * The folder is built aside and moved into place, so a killed build leaves no half cache.
 */
final class NanoGptData {
  private static final Logger log = LoggerFactory.getLogger(NanoGptData.class);
  /** Every VAL_EVERY-th block of BLOCK_LINES lines is held out (the KJV's books all reach validation). */
  static final int BLOCK_LINES = 50;
  static final int VAL_EVERY = 20;
  /**
   * Co-occurrence window (tokens each side; small, so that the windows of a frequent token still
   * cover a small share of the corpus) and the number of related tokens kept.
   */
  static final int RELATED_WINDOW = 8;
  static final int RELATED_COUNT = 30;
  static final int RELATED_MIN_COUNT = 20;
  /** The routed token must occur this often in training and in validation, or there is nothing to route or to score. */
  static final int MIN_ROUTED_TRAIN = 100;
  static final int MIN_ROUTED_VAL = 10;

  record Meta(String corpus, int vocab, String routedWord, int routedId, long trainTokens, long valTokens,
      long routedTrainCount, double routedFrequency, List<Integer> related) {}

  final BpeTokenizer tokenizer;
  final TokenFile train;
  final TokenFile val;
  final Meta meta;
  final Path dir;

  private NanoGptData(Path dir, BpeTokenizer tokenizer, TokenFile train, TokenFile val, Meta meta) {
    this.dir = dir;
    this.tokenizer = tokenizer;
    this.train = train;
    this.val = val;
    this.meta = meta;
  }

  int routedId() {
    return meta.routedId();
  }

  /** Loads the cached build for these settings, building it first when missing. */
  static NanoGptData load(Path corpusFile, String routedWord, int vocab) throws IOException {
    List<String> lines = NanoGptCorpus.lines(corpusFile);
    String name = corpusFile == null ? NanoGptCorpus.DEFAULT_NAME : corpusFile.getFileName().toString();
    String key = name.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + hash(lines, routedWord, vocab);
    Path dir = DataCache.defaultDir().resolve("nanogpt").resolve(key);
    if (!Files.isRegularFile(dir.resolve("meta.json"))) build(dir, name, lines, routedWord, vocab);
    Meta meta = Json.read(dir.resolve("meta.json"), Meta.class);
    return new NanoGptData(dir, BpeTokenizer.load(dir.resolve("tokenizer")), TokenFile.open(dir.resolve("train.bin")),
        TokenFile.open(dir.resolve("val.bin")), meta);
  }

  private static void build(Path dir, String name, List<String> lines, String routedWord, int vocab) throws IOException {
    if (vocab > TokenFile.MAX_VOCAB) throw new IllegalArgumentException("--vocab " + vocab + " does not fit uint16 token files");
    long t0 = System.nanoTime();
    List<String> trainLines = new ArrayList<>(), valLines = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) ((i / BLOCK_LINES) % VAL_EVERY == VAL_EVERY - 1 ? valLines : trainLines).add(lines.get(i));
    if (valLines.isEmpty()) {
      throw new IllegalArgumentException("--corpus " + name + " has " + lines.size() + " non-blank lines; every " + VAL_EVERY + "th block of "
          + BLOCK_LINES + " lines is held out for validation, so it needs at least " + (BLOCK_LINES * (VAL_EVERY - 1) + 1) + " lines");
    }
    BpeTokenizer tok = BpeTokenizer.train(trainLines, vocab, Set.of(), Set.of(routedWord));
    int[] routedIds = tok.encodeOrdinary(routedWord);
    if (routedIds.length != 1) {
      throw new IllegalStateException("'" + routedWord + "' is " + routedIds.length + " tokens after forcing it to one");
    }
    int routed = routedIds[0];
    int[] trainIds = encode(tok, trainLines), valIds = encode(tok, valLines);
    long routedCount = 0;
    for (int t : trainIds) if (t == routed) routedCount++;
    long routedVal = 0;
    for (int t : valIds) if (t == routed) routedVal++;
    requireFrequent(routedWord, routedCount, trainIds.length, routedVal, lines);
    List<Integer> related = related(trainIds, routed, tok.vocabSize());
    Files.createDirectories(dir.getParent());
    Path tmp = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".building-");
    tok.save(tmp.resolve("tokenizer"));
    TokenFile.write(tmp.resolve("train.bin"), trainIds);
    TokenFile.write(tmp.resolve("val.bin"), valIds);
    CsvTable rel = CsvTable.withColumns("rank", "id", "token");
    for (int i = 0; i < related.size(); i++) rel.addRow(i + 1, related.get(i), tok.tokenText(related.get(i)));
    rel.write(tmp.resolve("related.csv"));
    Json.write(tmp.resolve("meta.json"), new Meta(name, tok.vocabSize(), routedWord, routed, trainIds.length, valIds.length,
        routedCount, (double) routedCount / trainIds.length, related));
    try {
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
      log.info("another process built {} first; using it", dir); // same inputs, same files
    }
    log.info("tokenised {} ({} train / {} val tokens, vocab {}, '{}' = id {} x{}) in {} s into {}", name, trainIds.length,
        valIds.length, tok.vocabSize(), routedWord, routed, routedCount, String.format("%.0f", (System.nanoTime() - t0) / 1e9), dir);
  }

  /**
   * Refuses a routed word too rare to route or to evaluate (a 4-minute run ending in AUROC NaN),
   * and suggests the word with a leading space, the form a word takes inside a sentence, when that
   * is more frequent.
   */
  static void requireFrequent(String word, long trainCount, long trainTokens, long valCount, List<String> lines) {
    if (trainCount >= MIN_ROUTED_TRAIN && valCount >= MIN_ROUTED_VAL) return;
    String hint = "";
    if (!word.startsWith(" ")) {
      long spaced = occurrences(lines, " " + word), bare = occurrences(lines, word) - spaced;
      if (spaced > bare) hint = "; the corpus has '" + word + "' " + spaced + " times after a space: try --token ' " + word + "'";
    }
    throw new IllegalArgumentException("--token '" + word + "' occurs " + trainCount + " times in the " + trainTokens + " training tokens and "
        + valCount + " times in validation; routing needs at least " + MIN_ROUTED_TRAIN + " and " + MIN_ROUTED_VAL + hint);
  }

  private static long occurrences(List<String> lines, String text) {
    long n = 0;
    for (String line : lines) {
      for (int at = line.indexOf(text); at >= 0; at = line.indexOf(text, at + text.length())) n++;
    }
    return n;
  }

  private static int[] encode(BpeTokenizer tok, List<String> lines) {
    int eos = tok.eosId();
    int[][] parts = new int[lines.size()][];
    long n = 0;
    for (int i = 0; i < lines.size(); i++) {
      parts[i] = tok.encodeOrdinary(lines.get(i));
      n += parts[i].length + 1;
    }
    int[] out = new int[Math.toIntExact(n)];
    int w = 0;
    for (int[] p : parts) {
      System.arraycopy(p, 0, out, w, p.length);
      w += p.length;
      out[w++] = eos; // one verse (line) per document
    }
    return out;
  }

  /**
   * Tokens whose frequency within {@link #RELATED_WINDOW} tokens of the routed token is highest
   * relative to their overall frequency (lift), among tokens seen at least {@link
   * #RELATED_MIN_COUNT} times; the routed token itself is excluded. This is what "related" means in
   * the cosine-readout criterion: measured from the corpus, not picked by hand.
   */
  static List<Integer> related(int[] ids, int routed, int vocab) {
    long[] all = new long[vocab], near = new long[vocab];
    boolean[] inWindow = new boolean[ids.length];
    for (int i = 0; i < ids.length; i++) {
      all[ids[i]]++;
      if (ids[i] == routed) {
        for (int j = Math.max(0, i - RELATED_WINDOW); j < Math.min(ids.length, i + RELATED_WINDOW + 1); j++) inWindow[j] = true;
      }
    }
    long nearTotal = 0;
    for (int i = 0; i < ids.length; i++) {
      if (inWindow[i]) {
        near[ids[i]]++;
        nearTotal++;
      }
    }
    if (nearTotal == 0) throw new IllegalArgumentException("the routed token never occurs in the training text");
    List<double[]> lifts = new ArrayList<>();
    for (int v = 0; v < vocab; v++) {
      if (v == routed || all[v] < RELATED_MIN_COUNT) continue;
      double lift = ((double) near[v] / nearTotal) / ((double) all[v] / ids.length);
      lifts.add(new double[] {lift, v});
    }
    lifts.sort((a, b) -> Double.compare(b[0], a[0]));
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < Math.min(RELATED_COUNT, lifts.size()); i++) out.add((int) lifts.get(i)[1]);
    return out;
  }

  /**
   * The routed token's distributional neighbours: the {@code count} tokens whose context vectors
   * are most similar (cosine) to the routed token's. A token's context vector holds the positive
   * pointwise mutual information (PPMI) with each (relative position, token) pair within {@code
   * window} positions of it, with the context counts smoothed by the power 0.75 (Levy, Goldberg and
   * Dagan 2015); only tokens seen at least {@link #RELATED_MIN_COUNT} times, never the routed token
   * or the end-of-text token. Contexts keep their position: "the ___ said" and a topic word two
   * places away are different evidence, and merging the positions lets the topic words (which
   * {@link #related} already covers) swamp the slot evidence. Where {@link #related} finds tokens
   * that appear <i>near</i> the routed one (its topic), these appear <i>where</i> it appears: the
   * tokens that can stand in for it, which is what a residual direction that predicts it also
   * predicts.
   */
  List<Integer> similar(int window, int count) {
    long[] ids = train.window(0, train.length());
    return similar(ids, routedId(), tokenizer.vocabSize(), tokenizer.eosId(), window, count);
  }

  static List<Integer> similar(long[] ids, int routed, int vocab, int eos, int window, int count) {
    int slots = 2 * window;
    int features = slots * vocab; // feature (slot, context token); slot 0..window-1 = offsets -window..-1, then +1..+window
    int[] counts = new int[vocab * features];
    long[] seen = new long[vocab];
    for (int i = 0; i < ids.length; i++) {
      int t = (int) ids[i];
      seen[t]++;
      for (int o = -window; o <= window; o++) {
        int j = i + o;
        if (o == 0 || j < 0 || j >= ids.length) continue;
        int slot = o < 0 ? o + window : o + window - 1;
        counts[t * features + slot * vocab + (int) ids[j]]++;
      }
    }
    double[] rowSum = new double[vocab], colSmoothed = new double[features];
    double total = 0, smoothedTotal = 0;
    for (int t = 0; t < vocab; t++) {
      for (int f = 0; f < features; f++) {
        rowSum[t] += counts[t * features + f];
        colSmoothed[f] += counts[t * features + f];
      }
      total += rowSum[t];
    }
    for (int f = 0; f < features; f++) {
      colSmoothed[f] = Math.pow(colSmoothed[f], 0.75);
      smoothedTotal += colSmoothed[f];
    }
    double[] routedPpmi = new double[features];
    double[] norm = new double[vocab];
    double[] dot = new double[vocab];
    for (int pass = 0; pass < 2; pass++) { // the routed token's row first, then every row against it
      for (int t = 0; t < vocab; t++) {
        if ((pass == 0) != (t == routed)) continue;
        for (int f = 0; f < features; f++) {
          int n = counts[t * features + f];
          if (n == 0) continue;
          double ppmi = Math.max(0, Math.log((n / total) / ((rowSum[t] / total) * (colSmoothed[f] / smoothedTotal))));
          if (t == routed) routedPpmi[f] = ppmi;
          norm[t] += ppmi * ppmi;
          dot[t] += ppmi * routedPpmi[f];
        }
      }
    }
    List<double[]> cos = new ArrayList<>();
    for (int t = 0; t < vocab; t++) {
      if (t == routed || t == eos || seen[t] < RELATED_MIN_COUNT || norm[t] == 0) continue;
      cos.add(new double[] {dot[t] / Math.sqrt(norm[t] * norm[routed]), t});
    }
    cos.sort((a, b) -> Double.compare(b[0], a[0]));
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < Math.min(count, cos.size()); i++) out.add((int) cos.get(i)[1]);
    return out;
  }

  private static String hash(List<String> lines, String routedWord, int vocab) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(("v2|" + routedWord + "|" + vocab + "|" + BLOCK_LINES + "|" + VAL_EVERY + "|" + RELATED_WINDOW + "|"
          + RELATED_COUNT + "|" + RELATED_MIN_COUNT + "|").getBytes(StandardCharsets.UTF_8));
      for (String l : lines) {
        md.update(l.getBytes(StandardCharsets.UTF_8));
        md.update((byte) '\n');
      }
      return HexFormat.of().formatHex(md.digest(), 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------------------------- batches

  /**
   * The windows of {@code len} tokens of one rank's share of step {@code step}'s global batch: the
   * global batch's offsets depend only on (seed, step), rank r of w takes its r-th slice, so the
   * global batch is the same for every world size (and a resumed run sees the same data).
   */
  List<long[]> trainWindows(long seed, long step, int globalBatch, int rank, int world, int len) {
    return randomWindows(train, seed, step, globalBatch, rank, world, len);
  }

  /** {@link #trainWindows} of any token file. */
  static List<long[]> randomWindows(TokenFile train, long seed, long step, int globalBatch, int rank, int world, int len) {
    SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
    int per = globalBatch / world;
    List<long[]> out = new ArrayList<>(per);
    int bound = train.length() - len;
    for (int i = 0; i < globalBatch; i++) {
      int offset = rng.nextInt(bound);
      if (i / per == rank) out.add(train.window(offset, len));
    }
    return out;
  }

  /**
   * Non-overlapping validation windows of {@code len} tokens, at most {@code max}, spread evenly over
   * the whole validation file (the first {@code max} alone would be one book of the corpus).
   */
  List<long[]> valWindows(int len, int max) {
    long available = val.length() / len;
    int count = (int) Math.min(max, available);
    List<long[]> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) out.add(val.window((int) (i * available / count * len), len));
    return out;
  }
}
