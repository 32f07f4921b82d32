package gradroute.rl.env;

import java.util.Arrays;

/**
 * A snapshot of one grid: cells are indexed {@code row * size + col}. In a terminal state the agent
 * shares its cell with the ghost or the diamond; otherwise the three cells are distinct.
 */
public record GridState(int size, int agent, int ghost, int diamond, boolean[] oversight) {

  public GridState {
    int cells = size * size;
    if (size < 2) {
      throw new IllegalArgumentException("size must be at least 2, got " + size);
    }
    requireCell("agent", agent, cells);
    requireCell("ghost", ghost, cells);
    requireCell("diamond", diamond, cells);
    if (ghost == diamond) {
      throw new IllegalArgumentException("ghost and diamond share cell " + ghost);
    }
    if (oversight.length != cells) {
      throw new IllegalArgumentException(
          "oversight map has " + oversight.length + " cells, expected " + cells);
    }
    oversight = oversight.clone();
  }

  @Override
  public boolean[] oversight() {
    return oversight.clone();
  }

  public boolean isOverseen(int cell) {
    return oversight[cell];
  }

  public int row(int cell) {
    return cell / size;
  }

  public int col(int cell) {
    return cell % size;
  }

  /**
   * Reads one environment's state back from an observation laid out as {@link
   * Gridworld#observation}: channels agent, ghost, diamond, oversight, each {@code size × size}
   * row-major, starting at {@code offset}.
   */
  public static GridState decode(float[] observation, int offset, int size) {
    int cells = size * size;
    boolean[] map = new boolean[cells];
    for (int c = 0; c < cells; c++) {
      map[c] = observation[offset + 3 * cells + c] != 0f;
    }
    return new GridState(
        size,
        hotCell(observation, offset, cells, "agent"),
        hotCell(observation, offset + cells, cells, "ghost"),
        hotCell(observation, offset + 2 * cells, cells, "diamond"),
        map);
  }

  /**
   * One line per row, 3 characters per cell: {@code A} agent, {@code G} ghost, {@code D} diamond,
   * {@code g}/{@code d} the agent standing on the ghost/diamond (terminal), {@code .} empty; an
   * overseen cell is in brackets ({@code [G]}), any other padded with spaces ({@code  G }).
   */
  public String toText() {
    StringBuilder text = new StringBuilder(size * (3 * size + 1));
    for (int r = 0; r < size; r++) {
      for (int c = 0; c < size; c++) {
        int cell = r * size + c;
        boolean seen = oversight[cell];
        text.append(seen ? '[' : ' ').append(symbol(cell)).append(seen ? ']' : ' ');
      }
      text.append('\n');
    }
    return text.toString();
  }

  private char symbol(int cell) {
    boolean here = cell == agent;
    if (cell == ghost) {
      return here ? 'g' : 'G';
    }
    if (cell == diamond) {
      return here ? 'd' : 'D';
    }
    return here ? 'A' : '.';
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GridState s
        && size == s.size
        && agent == s.agent
        && ghost == s.ghost
        && diamond == s.diamond
        && Arrays.equals(oversight, s.oversight);
  }

  @Override
  public int hashCode() {
    return ((size * 31 + agent) * 31 + ghost) * 31 + diamond + 17 * Arrays.hashCode(oversight);
  }

  @Override
  public String toString() {
    return "GridState[size=" + size + ", agent=" + agent + ", ghost=" + ghost + ", diamond="
        + diamond + "]\n" + toText();
  }

  private static int hotCell(float[] obs, int from, int cells, String what) {
    int found = -1;
    for (int c = 0; c < cells; c++) {
      if (obs[from + c] != 0f) {
        if (found >= 0) {
          throw new IllegalArgumentException(what + " channel is not one-hot");
        }
        found = c;
      }
    }
    if (found < 0) {
      throw new IllegalArgumentException(what + " channel is empty");
    }
    return found;
  }

  private static void requireCell(String what, int cell, int cells) {
    if (cell < 0 || cell >= cells) {
      throw new IllegalArgumentException(what + " cell " + cell + " is outside [0, " + cells + ")");
    }
  }
}
