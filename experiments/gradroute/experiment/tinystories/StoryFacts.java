package gradroute.experiment.tinystories;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fixed entity → attribute facts of the synthetic corpus ("the owl ate the mice"): one value
 * per (entity, relation), drawn once from a constant seed so that every split and every story seed
 * states the same facts. A model can only know them by memorising them.
 */
public final class StoryFacts {
    /** Independent of any story seed: the facts are part of the corpus definition. */
    static final long FACT_SEED = 0x7EE5_FAC7L;

    private static final StoryFacts INSTANCE = new StoryFacts();

    private final Map<StoryTopic, Map<String, String[]>> table = new EnumMap<>(StoryTopic.class);
    /** One pattern per forest relation, capturing the entity (group 1) and the value (group 2). */
    private final List<Pattern> forestFrames = new ArrayList<>();

    /** A forest fact stated in a text: which one, and where its value word starts. */
    public record Mention(String entity, int relation, String value, int valueStart) {
        /** The fact's key, "entity|relation". */
        public String key() {
            return entity + "|" + relation;
        }
    }

    private StoryFacts() {
        Random rng = new Random(FACT_SEED);
        for (StoryTopic topic : StoryTopic.values()) {
            StoryLexicon.TopicWords words = StoryLexicon.of(topic);
            Map<String, String[]> byEntity = new HashMap<>();
            for (String entity : words.entities()) {
                String[] values = new String[words.relations().size()];
                for (int r = 0; r < values.length; r++) {
                    List<String> pool = words.relations().get(r).values();
                    values[r] = pool.get(rng.nextInt(pool.size()));
                }
                byEntity.put(entity, values);
            }
            table.put(topic, byEntity);
        }
        StoryLexicon.TopicWords forest = StoryLexicon.of(StoryTopic.FOREST);
        String entities = alternatives(forest.entities());
        for (StoryLexicon.Relation r : forest.relations()) {
            String frame = r.frame();
            int e = frame.indexOf("{e}"), v = frame.indexOf("{v}");
            if (e < 0 || v < e) throw new IllegalStateException("forest frame '" + frame + "' must name {e} before {v}");
            forestFrames.add(Pattern.compile("\\b" + Pattern.quote(frame.substring(0, e)) + entities
                    + Pattern.quote(frame.substring(e + 3, v)) + alternatives(r.values()) + Pattern.quote(frame.substring(v + 3))));
        }
    }

    private static String alternatives(List<String> words) {
        StringBuilder b = new StringBuilder("(");
        for (String w : words) b.append(b.length() == 1 ? "" : "|").append(Pattern.quote(w));
        return b.append(')').toString();
    }

    /** The forest facts a text states, in text order (in the corpus' wording; other wordings are not counted). */
    public List<Mention> forestMentions(String text) {
        List<Mention> out = new ArrayList<>();
        for (int r = 0; r < forestFrames.size(); r++) {
            Matcher m = forestFrames.get(r).matcher(text);
            while (m.find()) out.add(new Mention(m.group(1), r, m.group(2), m.start(2)));
        }
        out.sort(java.util.Comparator.comparingInt(Mention::valueStart));
        return out;
    }

    public static StoryFacts get() {
        return INSTANCE;
    }

    /** The value of relation {@code relation} (0, 1 or 2; see {@link StoryLexicon.TopicWords#relations()}) for an entity. */
    public String attribute(StoryTopic topic, String entity, int relation) {
        String[] values = table.get(topic).get(entity);
        if (values == null) throw new IllegalArgumentException("'" + entity + "' is not an entity of topic " + topic);
        return values[relation];
    }

    /** The fact as the sentence the stories use, e.g. "The owl ate the mice." */
    public String sentence(StoryTopic topic, String entity, int relation) {
        return StoryLexicon.of(topic).relations().get(relation).frame()
                .replace("{e}", entity).replace("{v}", attribute(topic, entity, relation));
    }

    /** Number of distinct facts of a topic (entities × relations). */
    public int count(StoryTopic topic) {
        StoryLexicon.TopicWords words = StoryLexicon.of(topic);
        return words.entities().size() * words.relations().size();
    }
}
