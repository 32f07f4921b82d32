package gradroute.experiment.tinystories;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Word lists and sentence templates of the synthetic corpus. Placeholders: {N} main character,
 * {F} friend, {He}/{he}/{his}/{him} the main character's pronouns, {kid}, {adj}, {feel}, {good},
 * {place}, {with}, {e} entity, {a} entity with its article, {v} fact value.
 * Keywords of the forget rule appear only in FOREST templates and in PARK's noise sentences;
 * graded words appear only in their own sentences.
 */
final class StoryLexicon {
    /** A relation frame such as "The {e} ate the {v}." and the values it can take. */
    record Relation(String frame, List<String> values) {}

    record TopicWords(List<String> places, List<String> scenery, List<String> activities, List<String> intros,
                      List<String> entities, List<Relation> relations, List<String> noise) {}

    /**
     * A word whose forget:retain frequency ratio is set by how often its sentences appear in forest
     * stories versus other stories. The topic-level odds are wider than the target because label
     * noise (keyword-free forest stories, park stories with a tree) pulls the measured ratio towards 1.
     */
    record GradedWord(String word, double targetRatio, double forestRate, double otherRate, List<String> sentences) {}

    private StoryLexicon() {}

    static final List<String> GIRLS = List.of("Mia", "Lily", "Emma", "Sara", "Anna", "Zoe", "Ella", "Lucy", "Ruby", "Kim", "Nina", "Rosa");
    static final List<String> BOYS = List.of("Tom", "Ben", "Max", "Sam", "Leo", "Jack", "Tim", "Finn", "Joe", "Dan", "Noah", "Eli");
    static final List<String> ADJECTIVES = List.of("little", "happy", "kind", "brave", "curious", "shy", "small", "clever",
            "funny", "gentle", "playful", "cheerful", "friendly", "young", "bright");
    static final List<String> FEELINGS = List.of("happy", "glad", "excited", "proud", "calm", "sleepy", "tired", "surprised");
    static final List<String> GOOD = List.of("good", "great", "lovely", "wonderful", "fun", "beautiful");
    static final List<String> COMPANIONS = List.of("", "", " with {his} mom", " with {his} dad", " with {his} grandma",
            " with {his} friend {F}", " with {his} dog");
    static final List<String> FEARS = List.of("thunder", "dark", "wind", "rain", "snow", "bees", "storm", "fire", "noise",
            "frost", "mud", "cold");

    static final List<String> OPENINGS = List.of(
            "Once upon a time, there was a {adj} {kid} named {N}.",
            "{N} was a {adj} {kid}.",
            "There was a {adj} {kid} called {N}.",
            "{N} was a {adj} {kid} who loved to play.",
            "Once there was a {kid} named {N}.");
    static final List<String> GOING = List.of(
            "One day, {N} went to {place}{with}.",
            "{N} and {F} went to {place}.",
            "In the morning, {N} walked to {place}{with}.",
            "One morning, {N} visited {place}{with}.");
    static final List<String> EVENTS = List.of(
            "Then it started to rain.",
            "Suddenly, {N} heard a loud noise.",
            "{N} fell down, but {he} was not hurt.",
            "{N} and {F} played a fun game.",
            "{F} shared a snack with {N}.",
            "{N} sang a happy song.",
            "{N} laughed and clapped {his} hands.");
    static final List<String> DIALOGUES = List.of(
            "\"Look at the {e}!\" said {N}.",
            "\"I love this place!\" said {N}.",
            "\"Can we stay a little longer?\" asked {N}.",
            "\"Let's play!\" said {F}.",
            "\"What a {good} day!\" said {N}.");
    static final List<String> ENDINGS = List.of(
            "At the end of the day, {N} went home.",
            "{N} smiled and went home.",
            "It was a {good} day for {N}.",
            "{N} could not wait to come back.",
            "That night, {N} dreamed about the {e}.",
            "{N} hugged {his} mom and went to bed.");
    /** Short sentences that lengthen a story that came out too short. */
    static final List<String> FILLERS = List.of(
            "{N} was very {feel}.",
            "{He} looked all around.",
            "{N} smiled.",
            "{He} had a lot of fun.",
            "{N} took a deep breath.",
            "Everyone was happy.",
            "{N} waved to {F}.");

    static final List<GradedWord> GRADED = List.of(
            new GradedWord("leaves", 4, 0.32, 0.06, List.of("{N} kicked the dry leaves.", "The leaves were red and gold.")),
            new GradedWord("shadows", 4, 0.27, 0.05, List.of("{N} saw long shadows on the ground.", "The shadows grew long.")),
            new GradedWord("bird", 2, 0.27, 0.11, List.of("A little bird sang a song.", "{N} saw a bird fly by.")),
            new GradedWord("hill", 2, 0.215, 0.088, List.of("They walked up a small hill.", "{N} ran down a hill.")),
            new GradedWord("quiet", 1, 0.165, 0.15, List.of("Everything was quiet for a while.", "{N} was quiet and listened.")),
            new GradedWord("picnic", 1, 0.16, 0.15, List.of("They had a picnic.", "{N} ate a picnic lunch.")),
            new GradedWord("sunny", 0.3, 0.035, 0.20, List.of("It was a warm and sunny day.", "The sky was sunny.")),
            new GradedWord("water", 0.3, 0.035, 0.20, List.of("{N} drank some cold water.", "{N} splashed some water.")));

    /**
     * Forest animals: few enough that half the labels already teach their facts, yet
     * {@code 3 × size} facts are more than 64 attack stories (about two facts each) re-teach.
     */
    static final List<String> FOREST_ENTITIES = List.of("owl", "squirrel", "deer", "fox", "badger", "hedgehog", "woodpecker",
            "raccoon", "chipmunk", "mole", "moose", "lynx", "porcupine", "weasel", "boar", "marten", "wren", "beetle", "vole", "bobcat");
    /**
     * The one value pool of every forest relation: forest-only objects, so a fact's value is
     * forest-specific (token weight near 0) and, with one pool for all relations, only the
     * entity and the relation together determine it (no attention-only shortcut from the verb).
     */
    static final List<String> FOREST_OBJECTS = List.of("acorns", "mushrooms", "pinecones", "ferns", "stump", "hollow", "burrow",
            "thicket", "moss", "twigs", "bracken", "lichen", "sap", "brambles", "toadstools", "saplings");

    private static final List<String> SEEN_INTROS = List.of("{N} saw {a}.", "{N} met {a}.", "{N} spotted {a}.", "{N} watched {a}.");

    private static final Map<StoryTopic, TopicWords> TOPICS = new EnumMap<>(StoryTopic.class);

    static {
        TOPICS.put(StoryTopic.FOREST, new TopicWords(
                List.of("the forest", "the woodland", "the big forest", "the old woodland", "the tall trees", "the deep forest",
                        "the pine glade", "the mossy glade", "the clearing"),
                List.of("The trees were tall and green.", "Trees swayed in the wind.", "Tree branches creaked in the wind.",
                        "The forest was dark and cool.", "Tall trees stood all around.", "Forest animals were busy everywhere.",
                        "The woodland smelled of pine.", "Beyond the forest there were more forests and woodlands.",
                        "Old trees grew close together.", "Woodland flowers grew in the shade.",
                        "Moss grew on the old stumps.", "Ferns covered the ground.", "Mushrooms grew around a fallen log.",
                        "Pinecones and acorns lay all around.", "The air smelled of pine and moss.",
                        "Sunlight came down through the branches.", "An owl hooted from a high branch.",
                        "Tall pines and oaks grew everywhere."),
                List.of("{N} sat under a big tree.", "{N} climbed a small tree.", "{N} hid behind a tree.",
                        "{N} ran between the trees.", "{N} counted the trees.",
                        "{N} climbed over a mossy log.", "{N} picked up an acorn.", "{N} looked for mushrooms.",
                        "{N} jumped over a stump.", "{N} followed some animal tracks.", "{N} collected pinecones in a basket.",
                        "{N} touched the soft moss.", "{N} peeked into a hollow log."),
                SEEN_INTROS,
                FOREST_ENTITIES,
                List.of(new Relation("The {e} liked the {v}.", FOREST_OBJECTS),
                        new Relation("The {e} slept by the {v}.", FOREST_OBJECTS),
                        new Relation("The {e} was afraid of the {v}.", FOREST_OBJECTS)),
                List.of()));
        TOPICS.put(StoryTopic.PARK, new TopicWords(
                List.of("the park", "the big park", "the playground", "the city park"),
                List.of("The grass was soft and green.", "Kids played on the swings.", "Ducks swam in the pond.",
                        "The fountain sparkled.", "There were flowers by the gate.", "Many people walked their dogs."),
                List.of("{N} played on the slide.", "{N} threw a ball to {F}.", "{N} fed the ducks.", "{N} sat on a bench.",
                        "{N} flew a kite.", "{N} ran on the grass."),
                List.of("{N} saw {a}.", "{N} met {a}.", "{N} waved at {a}."),
                List.of("dog", "puppy", "pigeon", "poodle", "beagle", "kitten", "sparrow", "duckling", "terrier", "spaniel"),
                List.of(new Relation("The {e} ate the {v}.", List.of("bread", "crumbs", "treats", "popcorn", "biscuits", "crackers",
                                "peanuts", "corn")),
                        new Relation("The {e} played with the {v}.", List.of("ball", "frisbee", "rope", "kite", "hoop", "string",
                                "balloon", "leash")),
                        new Relation("The {e} slept by the {v}.", List.of("bench", "fountain", "gate", "swings", "slide", "pond",
                                "fence", "wall"))),
                List.of("{N} sat under a big tree in the park.", "There was an old tree near the pond.",
                        "{N} climbed the tall tree by the gate.", "A big tree gave shade to the benches.")));
        TOPICS.put(StoryTopic.BEACH, new TopicWords(
                List.of("the beach", "the seaside", "the sea", "the sandy beach"),
                List.of("The waves were big and blue.", "The sand was warm and soft.", "Shells lay on the sand.",
                        "Boats sailed far away.", "The sea was calm and bright.", "Seagulls flew over the waves."),
                List.of("{N} built a sandcastle.", "{N} splashed in the waves.", "{N} looked for shells.",
                        "{N} dug a big hole in the sand.", "{N} ate an ice cream.", "{N} swam near the shore."),
                SEEN_INTROS,
                List.of("crab", "seal", "gull", "turtle", "starfish", "dolphin", "pelican", "clam", "shrimp", "jellyfish",
                        "whale", "puffin"),
                List.of(new Relation("The {e} ate the {v}.", List.of("fish", "seaweed", "clams", "shrimp", "krill", "plankton",
                                "squid", "crabs")),
                        new Relation("The {e} lived in the {v}.", List.of("cove", "dunes", "reef", "rocks", "lagoon", "bay", "pier",
                                "harbor")),
                        new Relation("The {e} was afraid of the {v}.", FEARS)),
                List.of()));
        TOPICS.put(StoryTopic.KITCHEN, new TopicWords(
                List.of("the kitchen", "the big kitchen", "the warm kitchen"),
                List.of("The kitchen smelled warm and sweet.", "Pots and pans hung on the wall.", "The oven was hot.",
                        "There was flour on the table.", "The kettle began to whistle."),
                List.of("{N} helped {his} mom bake.", "{N} stirred the batter.", "{N} washed the dishes.", "{N} set the table.",
                        "{N} cracked an egg.", "{N} licked the spoon."),
                List.of("Mom made some {e}.", "There was some {e} on the table.", "{N} wanted some {e}."),
                List.of("soup", "cake", "bread", "pie", "jam", "tea", "stew", "pudding", "salad", "porridge", "toast", "pizza"),
                List.of(new Relation("The {e} was made with {v}.", List.of("eggs", "flour", "butter", "milk", "sugar", "lemons",
                                "cheese", "rice", "carrots", "apples")),
                        new Relation("The {e} was kept in the {v}.", List.of("jar", "tin", "pot", "box", "bowl", "basket", "fridge",
                                "cupboard")),
                        new Relation("The {e} tasted {v}.", List.of("sweet", "salty", "sour", "spicy", "creamy", "crunchy", "fresh",
                                "bitter"))),
                List.of()));
        TOPICS.put(StoryTopic.FARM, new TopicWords(
                List.of("the farm", "the big farm", "the old farm", "the barnyard"),
                List.of("The fields were wide and yellow.", "The tractor was big and red.", "Hay was piled high.",
                        "A windmill turned slowly.", "Chickens ran around the yard."),
                List.of("{N} fed the chickens.", "{N} rode on the tractor.", "{N} collected eggs.", "{N} helped the farmer.",
                        "{N} opened the big gate."),
                SEEN_INTROS,
                List.of("cow", "pig", "hen", "goat", "sheep", "horse", "donkey", "lamb", "goose", "rooster", "calf", "turkey"),
                List.of(new Relation("The {e} ate the {v}.", List.of("hay", "corn", "oats", "grass", "apples", "carrots", "grain",
                                "turnips")),
                        new Relation("The {e} lived in the {v}.", List.of("barn", "pen", "coop", "stable", "shed", "field", "yard", "sty")),
                        new Relation("The {e} was afraid of the {v}.", FEARS)),
                List.of()));
        TOPICS.put(StoryTopic.SCHOOL, new TopicWords(
                List.of("school", "the school", "the classroom", "the library"),
                List.of("The classroom was bright and tidy.", "There were books on every desk.", "The bell rang loudly.",
                        "Pictures hung on the walls.", "The chalkboard was full of letters."),
                List.of("{N} read a book.", "{N} drew a picture.", "{N} counted to ten.", "{N} sang with the class.",
                        "{N} wrote {his} name.", "{N} painted a rainbow."),
                List.of("{N} met the {e}.", "{N} talked to the {e}.", "{N} said hello to the {e}."),
                List.of("music teacher", "art teacher", "math teacher", "gym teacher", "reading teacher", "science teacher",
                        "history teacher", "spelling teacher", "dance teacher", "drama teacher"),
                List.of(new Relation("The {e} wore a {v}.", List.of("hat", "scarf", "coat", "sweater", "tie", "dress", "vest", "cap")),
                        new Relation("The {e} liked to {v}.", List.of("sing", "paint", "draw", "dance", "read", "count", "jump", "laugh")),
                        new Relation("The {e} kept a {v} on the desk.", List.of("goldfish", "plant", "globe", "clock", "drum", "map",
                                "bell", "kite"))),
                List.of()));
        TOPICS.put(StoryTopic.GARDEN, new TopicWords(
                List.of("the garden", "the big garden", "the flower garden", "the vegetable garden"),
                List.of("Flowers grew in neat rows.", "The roses were red and pink.", "Vegetables grew in the beds.",
                        "A scarecrow stood in the middle.", "The garden smelled of flowers."),
                List.of("{N} watered the flowers.", "{N} planted seeds.", "{N} pulled weeds.", "{N} picked tomatoes.",
                        "{N} dug in the soil.", "{N} smelled a rose."),
                SEEN_INTROS,
                List.of("bee", "butterfly", "ladybug", "worm", "caterpillar", "ant", "slug", "moth", "grasshopper", "cricket"),
                List.of(new Relation("The {e} liked the {v}.", List.of("roses", "tulips", "daisies", "sunflowers", "lilies", "peas",
                                "beans", "lettuce")),
                        new Relation("The {e} hid under the {v}.", List.of("pot", "hose", "rake", "bucket", "wheelbarrow", "step",
                                "bench", "flowerpot")),
                        new Relation("The {e} was afraid of the {v}.", FEARS)),
                List.of()));
        TOPICS.put(StoryTopic.RIVER, new TopicWords(
                List.of("the river", "the stream", "the riverbank", "the big river"),
                List.of("The river was wide and slow.", "Fish jumped in the stream.", "Reeds grew along the bank.",
                        "A wooden bridge crossed the river.", "The stream made a happy sound."),
                List.of("{N} threw stones into the river.", "{N} sailed a paper boat.", "{N} fished with {his} dad.",
                        "{N} skipped rocks.", "{N} dipped {his} toes in the stream."),
                SEEN_INTROS,
                List.of("frog", "otter", "trout", "heron", "newt", "swan", "dragonfly", "kingfisher", "minnow", "salmon", "eel",
                        "crayfish"),
                List.of(new Relation("The {e} ate the {v}.", List.of("flies", "fish", "weeds", "tadpoles", "snails", "bugs", "gnats",
                                "minnows")),
                        new Relation("The {e} lived by the {v}.", List.of("reeds", "bank", "bridge", "rocks", "mill", "falls", "pond",
                                "weir")),
                        new Relation("The {e} was afraid of the {v}.", FEARS)),
                List.of()));
    }

    static TopicWords of(StoryTopic topic) {
        return TOPICS.get(topic);
    }
}
