package gradroute.circuits;

/**
 * A circuit-discovery method: scores every edge of a {@link PatchableModel}'s graph on a task. The
 * methods of {@link Scorers} implement it; learned masks (hard-concrete edge probing) plug in the
 * same way.
 */
public interface EdgeScorer {
  /** A short name for tables and plots, e.g. {@code eap}. */
  String name();

  EdgeScores score(PatchableModel model, ScoringTask task);
}
