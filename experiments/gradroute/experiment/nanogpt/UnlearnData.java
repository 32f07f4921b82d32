package gradroute.experiment.nanogpt;

import gradroute.data.DataCache;
import gradroute.data.TokenFile;
import gradroute.experiment.nanogpt.NanoGptCorpus.Document;
import gradroute.report.CsvTable;
import gradroute.report.Json;
import gradroute.text.BpeTokenizer;
import gradroute.text.TokenScores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The unlearning experiment's text, split deterministically and tokenised once into {@code <data
 * cache>/nanogpt-unlearn/<key>/}:
 *
 * <ul>
 *   <li>forget documents: the KJV chapters in which at least {@code forgetDensity} of the words are
 *       topic words (or the lines of {@code --forget}); in corpus order, every 4th (i % 4 = 3) is
 *       held out for evaluation, the first two of the others with i % 4 = 1 are the retraining
 *       attack's two documents (also never trained on), the rest are trained on;
 *   <li>retain documents: every other chapter (or the lines of {@code --retain}); every 20th (i %
 *       20 = 19) is held out for evaluation;
 *   <li>{@code train.bin}: the retain training documents and the forget training documents
 *       {@code forgetRepeat} times; {@code filtered.bin}: the retain training documents alone (the
 *       data-filtering baseline); {@code forget-eval.bin}, {@code attack.bin}, {@code retain-eval.bin}.
 * </ul>
 *
 * Documents end with the end-of-text token. The BPE (routed words forced to one token each) is
 * trained on the training documents. {@code scores.csv} holds the token score s(v) of every token
 * of the forget training text ({@link TokenScores}) over the forget training text F, the topic
 * corpus W and the retain training text R.
 */
public final class UnlearnData {
  private static final Logger log = LoggerFactory.getLogger(UnlearnData.class);
  static final int EVAL_EVERY_FORGET = 4;
  static final int EVAL_EVERY_RETAIN = 20;

  record Meta(String corpus, int vocab, List<String> routedWords, List<Integer> routedIds, List<String> forgetTrain,
      List<String> forgetEval, List<String> forgetAttack, int retainTrainDocs, int retainEvalDocs, int topicDocs, long trainTokens,
      long filteredTokens, long forgetEvalTokens, long attackTokens, long retainEvalTokens, double routedShareForgetEval,
      double routedShareRetainEval) {}

  final BpeTokenizer tokenizer;
  final TokenFile train, filtered, forgetEval, attack, retainEval;
  final Meta meta;
  final Path dir;

  private UnlearnData(Path dir, Meta meta) throws IOException {
    this.dir = dir;
    this.meta = meta;
    this.tokenizer = BpeTokenizer.load(dir.resolve("tokenizer"));
    this.train = TokenFile.open(dir.resolve("train.bin"));
    this.filtered = TokenFile.open(dir.resolve("filtered.bin"));
    this.forgetEval = TokenFile.open(dir.resolve("forget-eval.bin"));
    this.attack = TokenFile.open(dir.resolve("attack.bin"));
    this.retainEval = TokenFile.open(dir.resolve("retain-eval.bin"));
  }

  /** Whether each token id is routed. */
  public boolean[] routedMask() {
    boolean[] m = new boolean[tokenizer.vocabSize()];
    for (int id : meta.routedIds()) m[id] = true;
    return m;
  }

  Path scoresFile() {
    return dir.resolve("scores.csv");
  }

  /**
   * The token score s(v) of every token id (0 for tokens that the forget training text lacks), read
   * back from {@code scores.csv}: rank, id, then the token text (quoted when it holds a comma) and
   * six columns from the score on.
   */
  double[] scoreById() throws IOException {
    double[] score = new double[tokenizer.vocabSize()];
    List<String> lines = Files.readAllLines(scoresFile(), StandardCharsets.UTF_8);
    for (String line : lines.subList(1, lines.size())) {
      int idEnd = line.indexOf(',', line.indexOf(',') + 1);
      int scoreStart = line.length();
      for (int k = 0; k < 6; k++) scoreStart = line.lastIndexOf(',', scoreStart - 1);
      int id = Integer.parseInt(line.substring(line.indexOf(',') + 1, idEnd));
      score[id] = Double.parseDouble(line.substring(scoreStart + 1, line.indexOf(',', scoreStart + 1)));
    }
    return score;
  }

  /** The share of the held-out forget tokens whose id {@code mask} selects. */
  double forgetEvalShare(boolean[] mask) {
    int[] ids = new int[forgetEval.length()];
    long[] w = forgetEval.window(0, ids.length);
    for (int i = 0; i < ids.length; i++) ids[i] = (int) w[i];
    return share(ids, mask);
  }

  /** The {@code k} best-scored tokens, one line each (rank, token, s(v), frequencies, routed), for the console. */
  String topScores(int k) throws IOException {
    List<String> lines = Files.readAllLines(scoresFile(), StandardCharsets.UTF_8);
    StringBuilder b = new StringBuilder("token score s(v) = min(f_F, f_W) / f_R, top " + Math.min(k, lines.size() - 1) + " of "
        + (lines.size() - 1) + " (all in token_scores.csv):\n");
    for (int i = 0; i <= Math.min(k, lines.size() - 1); i++) b.append("  ").append(lines.get(i)).append('\n');
    return b.toString();
  }

  /** The documents of the config's corpus, split. */
  record Split(List<Document> forgetTrain, List<Document> forgetEval, List<Document> forgetAttack, List<Document> retainTrain,
      List<Document> retainEval, List<String> topic) {}

  /** The data of config {@code s}: built into the cache (keyed by the corpus and the config's data keys) unless it is there. */
  public static UnlearnData load(UnlearnConfig s) throws IOException {
    Split split = split(s);
    String name = s.kjv() ? NanoGptCorpus.DEFAULT_NAME : Path.of(s.forget()).getFileName().toString();
    String key = name.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + hash(s, split);
    Path dir = DataCache.defaultDir().resolve("nanogpt-unlearn").resolve(key);
    if (!Files.isRegularFile(dir.resolve("meta.json"))) build(dir, name, split, s);
    return new UnlearnData(dir, Json.read(dir.resolve("meta.json"), Meta.class));
  }

  static Split split(UnlearnConfig s) throws IOException {
    List<Document> forget = new ArrayList<>(), retain = new ArrayList<>();
    List<String> topic = new ArrayList<>();
    if (s.kjv()) {
      Set<String> words = new HashSet<>();
      for (String w : s.topicWords()) words.add(w.toLowerCase(Locale.ROOT));
      for (Document d : NanoGptCorpus.kjvChapters()) (topicDensity(d.text(), words) >= s.forgetDensity() ? forget : retain).add(d);
      if (s.topic() == null) {
        for (Document d : retain) for (String v : d.verses()) if (topicDensity(v, words) > 0) topic.add(v);
      }
    } else {
      forget.addAll(NanoGptCorpus.fileDocuments(Path.of(s.forget()), "forget"));
      retain.addAll(NanoGptCorpus.fileDocuments(Path.of(s.retain()), "retain"));
      if (s.topic() == null) for (Document d : forget) topic.add(d.text());
    }
    if (s.topic() != null) topic.addAll(NanoGptCorpus.fileLines(Path.of(s.topic()), "topic"));
    List<Document> fTrain = new ArrayList<>(), fEval = new ArrayList<>(), fAttack = new ArrayList<>();
    for (int i = 0; i < forget.size(); i++) {
      if (i % EVAL_EVERY_FORGET == EVAL_EVERY_FORGET - 1) fEval.add(forget.get(i));
      else if (i % EVAL_EVERY_FORGET == 1 && fAttack.size() < 2) fAttack.add(forget.get(i));
      else fTrain.add(forget.get(i));
    }
    if (fTrain.isEmpty() || fEval.isEmpty() || fAttack.size() < 2) {
      throw new IllegalArgumentException("the forget set has " + forget.size() + " documents; at least 6 are needed (training, held-out "
          + "evaluation, two attack documents)" + (s.kjv() ? ": lower forgetDensity or widen topicWords" : ""));
    }
    List<Document> rTrain = new ArrayList<>(), rEval = new ArrayList<>();
    for (int i = 0; i < retain.size(); i++) (i % EVAL_EVERY_RETAIN == EVAL_EVERY_RETAIN - 1 ? rEval : rTrain).add(retain.get(i));
    if (rEval.isEmpty()) throw new IllegalArgumentException("the retain set has " + retain.size() + " documents; at least 20 are needed");
    if (topic.isEmpty()) throw new IllegalArgumentException("the topic corpus is empty");
    return new Split(fTrain, fEval, fAttack, rTrain, rEval, topic);
  }

  /** The share of a text's words (letter runs, lower-cased) that are topic words. */
  static double topicDensity(String text, Set<String> words) {
    int n = 0, hit = 0;
    for (String w : text.toLowerCase(Locale.ROOT).split("[^a-z]+")) {
      if (w.isEmpty()) continue;
      n++;
      if (words.contains(w)) hit++;
    }
    return n == 0 ? 0 : (double) hit / n;
  }

  private static void build(Path dir, String name, Split split, UnlearnConfig s) throws IOException {
    if (s.vocab() > TokenFile.MAX_VOCAB) throw new IllegalArgumentException("--vocab " + s.vocab() + " does not fit uint16 token files");
    long t0 = System.nanoTime();
    List<String> trainTexts = new ArrayList<>();
    for (Document d : split.retainTrain()) trainTexts.add(d.text());
    for (Document d : split.forgetTrain()) trainTexts.add(d.text());
    BpeTokenizer tok = BpeTokenizer.train(trainTexts, s.vocab(), Set.of(), Set.copyOf(s.routedWords()));
    List<Integer> routedIds = new ArrayList<>();
    for (int id : TokenScores.singleTokenIds(tok, s.routedWords())) routedIds.add(id);
    int[] retainTrain = encode(tok, split.retainTrain()), forgetTrain = encode(tok, split.forgetTrain());
    int[] forgetEval = encode(tok, split.forgetEval()), attack = encode(tok, split.forgetAttack()), retainEval = encode(tok, split.retainEval());
    int[] topic = encodeTexts(tok, split.topic());
    int[] train = new int[retainTrain.length + s.forgetRepeat() * forgetTrain.length];
    System.arraycopy(retainTrain, 0, train, 0, retainTrain.length);
    for (int r = 0; r < s.forgetRepeat(); r++) System.arraycopy(forgetTrain, 0, train, retainTrain.length + r * forgetTrain.length, forgetTrain.length);

    Files.createDirectories(dir.getParent());
    Path tmp = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".building-");
    tok.save(tmp.resolve("tokenizer"));
    TokenFile.write(tmp.resolve("train.bin"), train);
    TokenFile.write(tmp.resolve("filtered.bin"), retainTrain);
    TokenFile.write(tmp.resolve("forget-eval.bin"), forgetEval);
    TokenFile.write(tmp.resolve("attack.bin"), attack);
    TokenFile.write(tmp.resolve("retain-eval.bin"), retainEval);
    List<TokenScores.Score> scores = TokenScores.score(forgetTrain, topic, retainTrain, tok.vocabSize(), TokenScores.RETAIN_DEFAULT);
    Set<Integer> routed = new HashSet<>(routedIds);
    CsvTable t = CsvTable.withColumns("rank", "id", "token", "score", "f_forget", "f_topic", "f_retain", "single_token_without_space",
        "routed").withDecimals(8);
    for (int i = 0; i < scores.size(); i++) {
      TokenScores.Score sc = scores.get(i);
      String text = tok.tokenText(sc.id());
      t.addRow(i + 1, sc.id(), text, sc.score(), sc.forgetFrequency(), sc.topicFrequency(), sc.retainFrequency(), otherVariantSingle(tok, text),
          routed.contains(sc.id()));
    }
    t.write(tmp.resolve("scores.csv"));
    boolean[] isRouted = new boolean[tok.vocabSize()];
    for (int id : routedIds) isRouted[id] = true;
    Meta meta = new Meta(name, tok.vocabSize(), s.routedWords(), routedIds, names(split.forgetTrain()), names(split.forgetEval()),
        names(split.forgetAttack()), split.retainTrain().size(), split.retainEval().size(), split.topic().size(), train.length,
        retainTrain.length, forgetEval.length, attack.length, retainEval.length, share(forgetEval, isRouted), share(retainEval, isRouted));
    Json.write(tmp.resolve("meta.json"), meta);
    try {
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
      log.info("another process built {} first; using it", dir);
    }
    log.info("tokenised {}: {} forget training / {} eval / {} attack chapters, {} retain training / {} eval; {} train tokens; in {} s into {}",
        name, split.forgetTrain().size(), split.forgetEval().size(), split.forgetAttack().size(), split.retainTrain().size(),
        split.retainEval().size(), train.length, String.format("%.0f", (System.nanoTime() - t0) / 1e9), dir);
  }

  /** Whether the token with its leading space removed (or added) is also one token. */
  private static boolean otherVariantSingle(BpeTokenizer tok, String text) {
    String other = text.startsWith(" ") ? text.substring(1) : " " + text;
    return !other.isBlank() && tok.encodeOrdinary(other).length == 1;
  }

  private static double share(int[] ids, boolean[] routed) {
    long n = 0;
    for (int t : ids) if (routed[t]) n++;
    return (double) n / ids.length;
  }

  private static List<String> names(List<Document> docs) {
    return docs.stream().map(Document::name).toList();
  }

  private static int[] encode(BpeTokenizer tok, List<Document> docs) {
    return encodeTexts(tok, docs.stream().map(Document::text).toList());
  }

  static int[] encodeTexts(BpeTokenizer tok, List<String> texts) {
    int eos = tok.eosId();
    List<int[]> parts = new ArrayList<>();
    long n = 0;
    for (String t : texts) {
      int[] p = tok.encodeOrdinary(t);
      parts.add(p);
      n += p.length + 1;
    }
    int[] out = new int[Math.toIntExact(n)];
    int w = 0;
    for (int[] p : parts) {
      System.arraycopy(p, 0, out, w, p.length);
      w += p.length;
      out[w++] = eos;
    }
    return out;
  }

  private static String hash(UnlearnConfig s, Split split) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(("u1|" + s.routedWords() + "|" + s.vocab() + "|" + s.forgetRepeat() + "|").getBytes(StandardCharsets.UTF_8));
      for (List<Document> part : List.of(split.forgetTrain(), split.forgetEval(), split.forgetAttack(), split.retainTrain(), split.retainEval())) {
        for (Document d : part) md.update((d.name() + "\u0000" + d.text() + "\n").getBytes(StandardCharsets.UTF_8));
        md.update((byte) 1);
      }
      for (String t : split.topic()) md.update((t + "\n").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md.digest(), 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Non-overlapping windows of {@code len} tokens of the held-out forget text, at most {@code max}. */
  public List<long[]> forgetEvalWindows(int len, int max) {
    return windows(forgetEval, len, max);
  }

  /** Non-overlapping windows of {@code len} tokens of the held-out retain text, at most {@code max}. */
  public List<long[]> retainEvalWindows(int len, int max) {
    return windows(retainEval, len, max);
  }

  /** Non-overlapping windows of {@code len} tokens of {@code file}, at most {@code max}. */
  static List<long[]> windows(TokenFile file, int len, int max) {
    List<long[]> out = new ArrayList<>();
    for (int o = 0; o + len <= file.length() && out.size() < max; o += len) out.add(file.window(o, len));
    if (out.isEmpty()) throw new IllegalArgumentException(file.file() + " has " + file.length() + " tokens, fewer than one window of " + len);
    return out;
  }
}
