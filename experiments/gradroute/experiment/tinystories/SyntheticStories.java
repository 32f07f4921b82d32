package gradroute.experiment.tinystories;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deterministic generator of short TinyStories-like stories (40–60 word tokens, punctuation
 * counted) over about eight settings, with the forest as the forget topic. Labels come from the
 * keyword regex ({@link ForgetLabels}), never from the topic, and the generator adds the rule's
 * noise on purpose: about 10% of forest stories use no keyword (→ retain) and about 30% of park
 * stories mention a tree (→ forget); about 20% of stories end up forget.
 *
 * <p>Splits: use {@link #forSplit(String, long)}, e.g. {@code forSplit("train", 1)} and
 * {@code forSplit("validation", 1)}; each split name gives its own stream from the same base seed.
 */
public final class SyntheticStories {
    public record Story(String text, StoryTopic topic) {
        /** Word tokens of the story (words and punctuation marks). */
        public List<String> words() {
            return SyntheticStories.words(text);
        }
    }

    public static final int MIN_WORDS = 40;
    public static final int MAX_WORDS = 60;
    static final double KEYWORD_FREE_FOREST_SHARE = 0.10;
    static final double PARK_TREE_SHARE = 0.30;
    private static final Map<StoryTopic, Double> TOPIC_SHARES = new EnumMap<>(Map.of(
            StoryTopic.FOREST, 0.18, StoryTopic.PARK, 0.12, StoryTopic.BEACH, 0.12, StoryTopic.KITCHEN, 0.10,
            StoryTopic.FARM, 0.12, StoryTopic.SCHOOL, 0.10, StoryTopic.GARDEN, 0.12, StoryTopic.RIVER, 0.14));
    private static final Pattern WORD = Pattern.compile("[A-Za-z]+(?:'[A-Za-z]+)?|[^\\sA-Za-z]");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");

    /** Sentence kinds in story order; graded and noise sentences get a random slot among them. */
    private enum Slot { SCENERY, ACTIVITY, ENTITY, SECOND_ENTITY, EVENT, DIALOGUE }

    private record Block(List<String> sentences, int slot, int words) {}

    /**
     * The forest knowledge of the corpus: forest stories draw their animals from the first {@code
     * entities} forest entities, and state at least {@code facts} facts each (1: one fact, two more
     * when the story has room; up to 3: that many always, the rest when there is room).
     */
    public record Forest(int entities, int facts) {
        public static final Forest DEFAULT = new Forest(StoryLexicon.FOREST_ENTITIES.size(), 1);

        public Forest {
            if (entities < 2 || entities > StoryLexicon.FOREST_ENTITIES.size()) {
                throw new IllegalArgumentException("forest entities must be in 2.." + StoryLexicon.FOREST_ENTITIES.size() + ", got " + entities);
            }
            if (facts < 1 || facts > 3) throw new IllegalArgumentException("forest facts per story must be in 1..3, got " + facts);
        }
    }

    private final Random rng;
    private final Forest forest;

    public SyntheticStories(long seed) {
        this(seed, Forest.DEFAULT);
    }

    public SyntheticStories(long seed, Forest forest) {
        this.rng = new Random(seed);
        this.forest = forest;
    }

    /** The generator for a named split ("train", "validation", ...): different names never share a stream. */
    public static SyntheticStories forSplit(String split, long seed) {
        return forSplit(split, seed, Forest.DEFAULT);
    }

    public static SyntheticStories forSplit(String split, long seed, Forest forest) {
        long z = seed * 0x9E3779B97F4A7C15L + split.hashCode();
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new SyntheticStories(z ^ (z >>> 31), forest);
    }

    public List<Story> generate(int n) {
        List<Story> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(next());
        return out;
    }

    public Story next() {
        StoryTopic topic = pickTopic();
        while (true) {
            Plan plan = plan(topic);
            // Retries redraw the wording only, so the planned shares (noise, graded words) are kept.
            for (int attempt = 0; attempt < 50; attempt++) {
                String text = tryStory(plan);
                if (text != null) return new Story(text, topic);
            }
        }
    }

    /** What a story must contain, decided before its wording. */
    private record Plan(StoryTopic topic, boolean keywordFree, List<StoryLexicon.GradedWord> graded, boolean parkTree) {}

    private Plan plan(StoryTopic topic) {
        boolean forest = topic == StoryTopic.FOREST;
        boolean keywordFree = forest && rng.nextDouble() < KEYWORD_FREE_FOREST_SHARE;
        List<StoryLexicon.GradedWord> graded = new ArrayList<>();
        for (StoryLexicon.GradedWord g : StoryLexicon.GRADED) {
            if (rng.nextDouble() < (forest ? g.forestRate() : g.otherRate())) graded.add(g);
        }
        boolean parkTree = topic == StoryTopic.PARK && rng.nextDouble() < PARK_TREE_SHARE;
        return new Plan(topic, keywordFree, graded, parkTree);
    }

    /** A story following the plan, or null when this wording does not fit in [MIN_WORDS, MAX_WORDS]. */
    private String tryStory(Plan plan) {
        StoryTopic topic = plan.topic();
        StoryLexicon.TopicWords lex = StoryLexicon.of(topic);
        boolean keywordFree = plan.keywordFree();
        Map<String, String> vars = castVariables();
        boolean forestTopic = topic == StoryTopic.FOREST;
        List<String> entities = pickDistinct(forestTopic ? lex.entities().subList(0, forest.entities()) : lex.entities(), 2);
        vars.put("e", entities.get(0));
        vars.put("place", pick(topicPlaces(topic, lex, keywordFree)));

        String opening = fill(pick(StoryLexicon.OPENINGS), vars);
        String going = fill(pick(StoryLexicon.GOING), vars);
        String ending = fill(pick(StoryLexicon.ENDINGS), vars);
        List<Block> required = new ArrayList<>();
        List<Block> optional = new ArrayList<>();
        List<Integer> relations = shuffledRelations(lex);
        int requiredFacts = forestTopic ? forest.facts() : 1;
        required.add(block(Slot.ENTITY.ordinal(), fill(pick(lex.intros()), entityVars(vars, entities.get(0))),
                fact(topic, entities.get(0), relations.get(0))));
        (requiredFacts >= 2 ? required : optional).add(block(Slot.ENTITY.ordinal(), fact(topic, entities.get(0), relations.get(1))));
        List<Integer> relations2 = shuffledRelations(lex);
        (requiredFacts >= 3 ? required : optional).add(block(Slot.SECOND_ENTITY.ordinal(),
                fill(pick(lex.intros()), entityVars(vars, entities.get(1))), fact(topic, entities.get(1), relations2.get(0))));
        for (StoryLexicon.GradedWord g : plan.graded()) {
            required.add(block(rng.nextInt(Slot.values().length), fill(pick(g.sentences()), vars)));
        }
        if (plan.parkTree()) {
            required.add(block(rng.nextInt(Slot.values().length), fill(pick(lex.noise()), vars)));
        }
        List<String> scenery = allowed(lex.scenery(), keywordFree), activities = allowed(lex.activities(), keywordFree);
        for (String s : pickDistinct(scenery, 2)) optional.add(block(Slot.SCENERY.ordinal(), fill(s, vars)));
        for (String s : pickDistinct(activities, 2)) optional.add(block(Slot.ACTIVITY.ordinal(), fill(s, vars)));
        optional.add(block(Slot.EVENT.ordinal(), fill(pick(StoryLexicon.EVENTS), vars)));
        optional.add(block(Slot.DIALOGUE.ordinal(), fill(pick(StoryLexicon.DIALOGUES), vars)));

        int total = count(opening) + count(going) + count(ending);
        for (Block b : required) total += b.words;
        if (total > MAX_WORDS) return null;
        int target = MIN_WORDS + 4 + rng.nextInt(MAX_WORDS - MIN_WORDS - 3);
        List<Block> chosen = new ArrayList<>(required);
        Collections.shuffle(optional, rng);
        for (Block b : optional) {
            if (total + b.words <= target) {
                chosen.add(b);
                total += b.words;
            }
        }
        for (String f : pickDistinct(StoryLexicon.FILLERS, StoryLexicon.FILLERS.size())) {
            if (total >= MIN_WORDS) break;
            Block b = block(Slot.EVENT.ordinal(), fill(f, vars));
            if (total + b.words <= MAX_WORDS) {
                chosen.add(b);
                total += b.words;
            }
        }
        if (total < MIN_WORDS) return null;
        chosen.sort(Comparator.comparingInt(Block::slot));
        StringBuilder text = new StringBuilder(opening).append(' ').append(going);
        for (Block b : chosen) for (String s : b.sentences) text.append(' ').append(s);
        return text.append(' ').append(ending).toString();
    }

    private StoryTopic pickTopic() {
        double u = rng.nextDouble(), acc = 0;
        for (Map.Entry<StoryTopic, Double> e : TOPIC_SHARES.entrySet()) {
            acc += e.getValue();
            if (u < acc) return e.getKey();
        }
        return StoryTopic.RIVER;
    }

    private List<String> topicPlaces(StoryTopic topic, StoryLexicon.TopicWords lex, boolean keywordFree) {
        if (topic != StoryTopic.FOREST) return lex.places();
        // A forest story with keywords names a keyword place, so its label never hinges on optional sentences.
        List<String> places = new ArrayList<>();
        for (String p : lex.places()) if (hasKeyword(p) != keywordFree) places.add(p);
        return places;
    }

    private static List<String> allowed(List<String> templates, boolean keywordFree) {
        if (!keywordFree) return templates;
        List<String> out = new ArrayList<>();
        for (String t : templates) if (!hasKeyword(t)) out.add(t);
        return out;
    }

    private static boolean hasKeyword(String s) {
        return ForgetLabels.KEYWORDS.matcher(s).find();
    }

    private Map<String, String> castVariables() {
        boolean girl = rng.nextBoolean();
        String name = pick(girl ? StoryLexicon.GIRLS : StoryLexicon.BOYS);
        String friend;
        do friend = pick(rng.nextBoolean() ? StoryLexicon.GIRLS : StoryLexicon.BOYS); while (friend.equals(name));
        Map<String, String> v = new HashMap<>();
        v.put("N", name);
        v.put("F", friend);
        v.put("He", girl ? "She" : "He");
        v.put("he", girl ? "she" : "he");
        v.put("his", girl ? "her" : "his");
        v.put("him", girl ? "her" : "him");
        v.put("kid", girl ? "girl" : "boy");
        v.put("adj", pick(StoryLexicon.ADJECTIVES));
        v.put("feel", pick(StoryLexicon.FEELINGS));
        v.put("good", pick(StoryLexicon.GOOD));
        v.put("with", fill(pick(StoryLexicon.COMPANIONS), v));
        return v;
    }

    private static Map<String, String> entityVars(Map<String, String> vars, String entity) {
        Map<String, String> v = new HashMap<>(vars);
        v.put("e", entity);
        v.put("a", ("aeiou".indexOf(entity.charAt(0)) >= 0 ? "an " : "a ") + entity);
        return v;
    }

    private static String fact(StoryTopic topic, String entity, int relation) {
        return StoryFacts.get().sentence(topic, entity, relation);
    }

    private List<Integer> shuffledRelations(StoryLexicon.TopicWords lex) {
        List<Integer> r = new ArrayList<>();
        for (int i = 0; i < lex.relations().size(); i++) r.add(i);
        Collections.shuffle(r, rng);
        return r;
    }

    private static Block block(int slot, String... sentences) {
        int words = 0;
        for (String s : sentences) words += count(s);
        return new Block(List.of(sentences), slot, words);
    }

    /** Replaces {name} placeholders and capitalises the first letter. */
    static String fill(String template, Map<String, String> vars) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = vars.get(m.group(1));
            if (value == null) throw new IllegalStateException("no value for {" + m.group(1) + "} in '" + template + "'");
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        if (out.length() == 0) return "";
        int first = out.charAt(0) == '"' ? 1 : 0;
        out.setCharAt(first, Character.toUpperCase(out.charAt(first)));
        return out.toString();
    }

    private <T> T pick(List<T> items) {
        return items.get(rng.nextInt(items.size()));
    }

    private <T> List<T> pickDistinct(List<T> items, int n) {
        List<T> copy = new ArrayList<>(items);
        Collections.shuffle(copy, rng);
        return copy.subList(0, Math.min(n, copy.size()));
    }

    /** Word tokens: words (with an inner apostrophe, as in "Let's") and single punctuation marks. */
    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) out.add(m.group());
        return out;
    }

    static int count(String text) {
        int n = 0;
        Matcher m = WORD.matcher(text);
        while (m.find()) n++;
        return n;
    }

    /** Forget share by the keyword rule, and the rule's noise per topic, as one line of text. */
    public static String forgetShareReport(List<Story> stories) {
        ForgetLabels rule = ForgetLabels.untruncated();
        int forget = 0, forest = 0, forestNoKeyword = 0, park = 0, parkWithKeyword = 0;
        long words = 0;
        for (Story s : stories) {
            boolean f = rule.isForget(s.text());
            if (f) forget++;
            if (s.topic() == StoryTopic.FOREST) {
                forest++;
                if (!f) forestNoKeyword++;
            } else if (s.topic() == StoryTopic.PARK) {
                park++;
                if (f) parkWithKeyword++;
            }
            words += count(s.text());
        }
        int n = Math.max(1, stories.size());
        return String.format("%d stories: forget %.1f%%, forest topic %.1f%% (%.1f%% of them keyword-free), "
                        + "park with a keyword %.1f%% of park, %.1f words per story",
                stories.size(), 100.0 * forget / n, 100.0 * forest / n, 100.0 * forestNoKeyword / Math.max(1, forest),
                100.0 * parkWithKeyword / Math.max(1, park), (double) words / n);
    }
}
