package gradroute.experiment.tinystories;

/** The setting a synthetic story was generated from; FOREST is the forget topic. */
public enum StoryTopic {
    FOREST, PARK, BEACH, KITCHEN, FARM, SCHOOL, GARDEN, RIVER;

    public boolean isForgetTopic() {
        return this == FOREST;
    }
}
