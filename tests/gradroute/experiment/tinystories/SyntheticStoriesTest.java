package gradroute.experiment.tinystories;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SyntheticStoriesTest {
    private static final ForgetLabels RULE = ForgetLabels.untruncated();
    private static List<SyntheticStories.Story> stories;

    @BeforeAll
    static void generate() {
        stories = SyntheticStories.forSplit("train", 3).generate(5000);
    }

    @Test
    void sameSeedSameStoriesOtherSeedOtherStories() {
        assertEquals(new SyntheticStories(11).generate(300), new SyntheticStories(11).generate(300));
        assertNotEquals(new SyntheticStories(11).generate(50), new SyntheticStories(12).generate(50));
        assertEquals(SyntheticStories.forSplit("validation", 3).generate(50), SyntheticStories.forSplit("validation", 3).generate(50));
        assertNotEquals(stories.subList(0, 50), SyntheticStories.forSplit("validation", 3).generate(50));
    }

    @Test
    void forgetShareIsAboutOneFifth() {
        long forget = stories.stream().filter(s -> RULE.isForget(s.text())).count();
        double share = forget / (double) stories.size();
        assertTrue(share > 0.15 && share < 0.25, SyntheticStories.forgetShareReport(stories));
    }

    @Test
    void labelNoiseGoesBothWays() {
        long forest = stories.stream().filter(s -> s.topic() == StoryTopic.FOREST).count();
        long forestWithoutKeyword = stories.stream().filter(s -> s.topic() == StoryTopic.FOREST && !RULE.isForget(s.text())).count();
        long parkWithTree = stories.stream().filter(s -> s.topic() == StoryTopic.PARK && RULE.isForget(s.text())).count();
        double keywordFreeShare = forestWithoutKeyword / (double) forest;
        assertTrue(keywordFreeShare > 0.05 && keywordFreeShare < 0.15, "keyword-free forest share " + keywordFreeShare);
        assertTrue(parkWithTree > 50, "park stories with a tree: " + parkWithTree);
        assertTrue(stories.stream().filter(s -> s.topic() == StoryTopic.PARK && RULE.isForget(s.text()))
                .allMatch(s -> s.text().contains("tree")));
        for (SyntheticStories.Story s : stories) {
            if (s.topic() != StoryTopic.FOREST && s.topic() != StoryTopic.PARK) assertTrue(!RULE.isForget(s.text()), s.text());
        }
    }

    @Test
    void storiesHaveFortyToSixtyWordsAndAModestVocabulary() {
        Set<String> vocabulary = new HashSet<>();
        for (SyntheticStories.Story s : stories) {
            List<String> words = s.words();
            assertTrue(words.size() >= 40 && words.size() <= 60, words.size() + " words: " + s.text());
            vocabulary.addAll(words);
        }
        assertTrue(vocabulary.size() >= 500 && vocabulary.size() <= 800, "distinct words " + vocabulary.size());
        assertTrue(vocabulary.containsAll(Set.of("tree", "Tree", "trees", "Trees", "forest", "forests", "woodland", "woodlands")));
        for (StoryTopic topic : StoryTopic.values()) assertTrue(stories.stream().anyMatch(s -> s.topic() == topic), topic.toString());
    }

    @Test
    void namesRepeatWithinAStory() {
        long repeated = stories.stream().filter(s -> {
            String name = s.words().stream().filter(w -> StoryLexicon.GIRLS.contains(w) || StoryLexicon.BOYS.contains(w))
                    .findFirst().orElse("");
            return s.words().stream().filter(name::equals).count() >= 3;
        }).count();
        assertTrue(repeated > stories.size() * 0.8, "stories naming their hero at least three times: " + repeated);
    }

    @Test
    void gradedWordsHaveRoughlyTheirForgetToRetainRatios() {
        Map<String, long[]> counts = new HashMap<>();
        long[] totals = new long[2];
        for (SyntheticStories.Story s : SyntheticStories.forSplit("train", 4).generate(20_000)) {
            int side = RULE.isForget(s.text()) ? 0 : 1;
            for (String w : s.words()) {
                counts.computeIfAbsent(w, k -> new long[2])[side]++;
                totals[side]++;
            }
        }
        for (StoryLexicon.GradedWord g : StoryLexicon.GRADED) {
            long[] c = counts.get(g.word());
            double ratio = (c[0] / (double) totals[0]) / (c[1] / (double) totals[1]);
            assertTrue(ratio > g.targetRatio() / 1.35 && ratio < g.targetRatio() * 1.35,
                    g.word() + ": ratio " + ratio + ", target " + g.targetRatio());
        }
    }

    @Test
    void factsAreFixedPerEntityAndTooManyToReteachWithSixtyFourStories() {
        StoryFacts facts = StoryFacts.get();
        assertEquals(60, facts.count(StoryTopic.FOREST));
        for (StoryTopic t : StoryTopic.values()) assertTrue(facts.count(t) >= 30, t + " has " + facts.count(t) + " facts");
        Pattern ate = Pattern.compile("The (\\w+) (?:ate|liked) the (\\w+)\\.");
        Map<String, String> seen = new HashMap<>();
        Set<String> forestFactsIn64 = new HashSet<>();
        for (int i = 0; i < stories.size(); i++) {
            SyntheticStories.Story s = stories.get(i);
            Matcher m = ate.matcher(s.text());
            while (m.find()) {
                String previous = seen.putIfAbsent(s.topic() + "/" + m.group(1), m.group(2));
                if (previous != null) assertEquals(previous, m.group(2), "what the " + m.group(1) + " ate");
            }
        }
        for (SyntheticStories.Story s : stories.stream().filter(s -> s.topic() == StoryTopic.FOREST).limit(64).toList()) {
            for (String entity : StoryLexicon.of(StoryTopic.FOREST).entities()) {
                for (int r = 0; r < 3; r++) {
                    if (s.text().contains(facts.sentence(StoryTopic.FOREST, entity, r))) forestFactsIn64.add(entity + r);
                }
            }
        }
        assertTrue(forestFactsIn64.size() < 50, "64 forest stories state " + forestFactsIn64.size() + " of 60 facts");
        assertEquals("The owl liked the " + facts.attribute(StoryTopic.FOREST, "owl", 0) + ".", facts.sentence(StoryTopic.FOREST, "owl", 0));
    }

    @Test
    void forestFactsNeedEntityAndRelationAndHaveForestOnlyValues() {
        List<StoryLexicon.Relation> relations = StoryLexicon.of(StoryTopic.FOREST).relations();
        for (StoryLexicon.Relation r : relations) assertEquals(StoryLexicon.FOREST_OBJECTS, r.values(), "one shared pool: " + r.frame());
        Set<String> values = new HashSet<>(StoryLexicon.FOREST_OBJECTS);
        for (SyntheticStories.Story s : stories) {
            if (s.topic() == StoryTopic.FOREST) continue;
            for (String w : s.words()) assertTrue(!values.contains(w.toLowerCase(java.util.Locale.ROOT)), s.topic() + " story uses forest value " + w);
        }
        StoryFacts facts = StoryFacts.get();
        Set<String> perRelation = new HashSet<>();
        for (int r = 0; r < relations.size(); r++) {
            for (String e : StoryLexicon.FOREST_ENTITIES) perRelation.add(r + "/" + facts.attribute(StoryTopic.FOREST, e, r));
        }
        assertTrue(perRelation.size() > 2 * StoryLexicon.FOREST_OBJECTS.size(), "each relation uses most of the pool: " + perRelation.size());
    }
    @Test
    void forestOptionsNarrowTheAnimalsAndRequireFacts() {
        SyntheticStories.Forest few = new SyntheticStories.Forest(6, 3);
        Set<String> allowed = new HashSet<>(StoryLexicon.FOREST_ENTITIES.subList(0, 6));
        int forest = 0;
        for (SyntheticStories.Story s : SyntheticStories.forSplit("train", 3, few).generate(2000)) {
            if (s.topic() != StoryTopic.FOREST) continue;
            forest++;
            List<StoryFacts.Mention> mentions = StoryFacts.get().forestMentions(s.text());
            assertTrue(mentions.size() >= 3, "a forest story with " + mentions.size() + " facts: " + s.text());
            for (StoryFacts.Mention m : mentions) {
                assertTrue(allowed.contains(m.entity()), m.entity() + " is not among the first 6 animals");
                assertEquals(StoryFacts.get().attribute(StoryTopic.FOREST, m.entity(), m.relation()), m.value());
                assertTrue(s.text().startsWith(m.value(), m.valueStart()));
            }
        }
        assertTrue(forest > 200, "forest stories: " + forest);
        assertEquals(stories.subList(0, 40), SyntheticStories.forSplit("train", 3, SyntheticStories.Forest.DEFAULT).generate(40));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new SyntheticStories.Forest(1, 1));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new SyntheticStories.Forest(12, 4));
    }

    @Test
    void factMentionsAreFoundOnlyInTheCorpusWording() {
        String owl = StoryFacts.get().sentence(StoryTopic.FOREST, "owl", 2);
        List<StoryFacts.Mention> found = StoryFacts.get().forestMentions("Mia saw an owl. " + owl + " The owl liked the sea.");
        assertEquals(1, found.size(), found.toString());
        assertEquals("owl|2", found.get(0).key());
    }
}
