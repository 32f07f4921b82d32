package gradroute.profile;

import gradroute.report.AtomicFiles;
import gradroute.report.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-op table of a {@link Profiler} run: calls, self and total CPU time per (op, input
 * shapes), sorted by self time. Self time is an op's time minus that of the ops it called (nested
 * on the same thread), as PyTorch's {@code key_averages()} computes it.
 */
public final class Profile {
  private final List<OpStats> ops;
  private final double wallMicros;
  private final long events;

  private Profile(List<OpStats> ops, double wallMicros, long events) {
    this.ops = List.copyOf(ops);
    this.wallMicros = wallMicros;
    this.events = events;
  }

  private static final class Event {
    final String name, shapes;
    final long thread, start, end;
    long children;

    Event(String line) {
      String[] f = line.split("\t", -1);
      if (f.length < 5) throw new IllegalArgumentException("profiler event line has " + f.length + " fields, expected 5: " + line);
      name = f[0];
      thread = Long.parseLong(f[1]);
      start = Long.parseLong(f[2]);
      end = Math.max(start, Long.parseLong(f[3]));
      shapes = f[4];
    }
  }

  /** Parses the native profiler's event lines (name, thread, start ns, end ns, shapes; tab-separated). */
  static Profile fromEvents(String lines, double wallMicros) {
    List<Event> all = new ArrayList<>();
    for (String line : lines.split("\n")) {
      if (!line.isBlank()) all.add(new Event(line));
    }
    all.sort(Comparator.<Event>comparingLong(e -> e.thread).thenComparingLong(e -> e.start).thenComparingLong(e -> -e.end));
    Deque<Event> open = new ArrayDeque<>();
    long thread = Long.MIN_VALUE;
    for (Event e : all) {
      if (e.thread != thread) {
        open.clear();
        thread = e.thread;
      }
      while (!open.isEmpty() && open.peek().end <= e.start) open.pop();
      if (!open.isEmpty()) open.peek().children += e.end - e.start;
      open.push(e);
    }
    Map<String, OpStats> byKey = new LinkedHashMap<>();
    for (Event e : all) {
      double total = (e.end - e.start) / 1e3;
      double self = Math.max(0, e.end - e.start - e.children) / 1e3;
      byKey.merge(e.name + "\t" + e.shapes, new OpStats(e.name, e.shapes, 1, self, total), OpStats::plus);
    }
    List<OpStats> ops = new ArrayList<>(byKey.values());
    ops.sort(Comparator.comparingDouble(OpStats::selfMicros).reversed());
    return new Profile(ops, wallMicros, all.size());
  }

  /** Every (op, input shapes) pair, largest self time first. */
  public List<OpStats> ops() {
    return ops;
  }

  /** The same summed over shapes: one row per op name, largest self time first. */
  public List<OpStats> byName() {
    Map<String, OpStats> m = new LinkedHashMap<>();
    for (OpStats o : ops) m.merge(o.name(), new OpStats(o.name(), "", o.calls(), o.selfMicros(), o.totalMicros()), OpStats::plus);
    List<OpStats> out = new ArrayList<>(m.values());
    out.sort(Comparator.comparingDouble(OpStats::selfMicros).reversed());
    return out;
  }

  /** The row of one op name summed over shapes, or null when it never ran. */
  public OpStats op(String name) {
    return byName().stream().filter(o -> o.name().equals(name)).findFirst().orElse(null);
  }

  /** Sum of all ops' self times: the time spent inside libtorch ops. */
  public double selfMicros() {
    return ops.stream().mapToDouble(OpStats::selfMicros).sum();
  }

  /** Wall time between start and stop, in microseconds. */
  public double wallMicros() {
    return wallMicros;
  }

  public long events() {
    return events;
  }

  /** The top {@code n} op names by self time, with their share of all ops' self time. */
  public String table(int n) {
    StringBuilder s = new StringBuilder();
    double self = selfMicros();
    s.append(String.format("%-40s %8s %12s %7s %12s %10s%n", "op", "calls", "self ms", "self %", "total ms", "µs/call"));
    for (OpStats o : byName().subList(0, Math.min(n, byName().size()))) {
      s.append(String.format("%-40s %8d %12.2f %6.1f%% %12.2f %10.1f%n", o.name(), o.calls(), o.selfMicros() / 1e3,
          100 * o.selfMicros() / Math.max(self, 1e-9), o.totalMicros() / 1e3, o.selfMicros() / o.calls()));
    }
    s.append(String.format("%d events; self time in ops %.1f ms of %.1f ms wall (%.0f%%)%n", events, self / 1e3, wallMicros / 1e3,
        100 * self / Math.max(wallMicros, 1e-9)));
    return s.toString();
  }

  /** CSV: name, input_shapes, calls, self_us, total_us (every op and shape pair). */
  public void writeCsv(Path file) throws IOException {
    StringBuilder s = new StringBuilder("name,input_shapes,calls,self_us,total_us\n");
    for (OpStats o : ops) {
      s.append(csv(o.name())).append(',').append(csv(o.inputShapes())).append(',').append(o.calls()).append(',')
          .append(String.format(java.util.Locale.ROOT, "%.3f,%.3f", o.selfMicros(), o.totalMicros())).append('\n');
    }
    AtomicFiles.writeString(file, s.toString());
  }

  /** JSON: wall and self totals, the rows by name and every (op, shapes) row. */
  public void writeJson(Path file) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("wall_us", wallMicros);
    out.put("self_us", selfMicros());
    out.put("events", events);
    out.put("by_name", byName());
    out.put("by_shape", ops);
    Json.write(file, out);
  }

  private static String csv(String v) {
    return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
  }
}
