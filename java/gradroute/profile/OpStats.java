package gradroute.profile;

/**
 * One op's totals in a {@link Profile}: how often it ran, its own CPU time (without the ops it
 * called) and its total time (with them), in microseconds.
 *
 * @param inputShapes the input shapes as libtorch records them, e.g. {@code [[256, 784], [512, 784]]};
 *     empty when aggregated over shapes or not recorded
 */
public record OpStats(String name, String inputShapes, long calls, double selfMicros, double totalMicros) {
  OpStats plus(OpStats o) {
    return new OpStats(name, inputShapes, calls + o.calls, selfMicros + o.selfMicros, totalMicros + o.totalMicros);
  }
}
