package gradroute.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A lookup table of gradient masks, one row per mask class, each row shaped like the hooked
 * activation's trailing dims ({@code d_model}, {@code d_mlp}, {@code [n_heads, d_head]}, ...). The
 * last row is always the "no masking" row of ones, so index {@link #noMaskIndex()} leaves gradients
 * unchanged. Rows are "gradient may flow here" values: 1 passes the gradient, 0 stops it, other
 * values scale it (per-dim learning-rate multipliers).
 */
public final class MaskTable {
  private final long[] rowShape;
  private final float[][] rows;

  private MaskTable(long[] rowShape, List<float[]> rows) {
    this.rowShape = rowShape.clone();
    this.rows = rows.toArray(new float[0][]);
  }

  public static Builder builder(long... rowShape) {
    return new Builder(rowShape);
  }

  /** Number of rows, the no-mask row included. */
  public int size() {
    return rows.length;
  }

  public int noMaskIndex() {
    return rows.length - 1;
  }

  public long[] rowShape() {
    return rowShape.clone();
  }

  public int width() {
    return rows[0].length;
  }

  public float[] row(int index) {
    return rows[index].clone();
  }

  /** The table as a float tensor {@code [size, rowShape...]} on the given device. */
  public Tensor tensor(Device device) {
    long[] shape = new long[rowShape.length + 1];
    shape[0] = rows.length;
    System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
    float[] flat = new float[rows.length * width()];
    for (int r = 0; r < rows.length; r++) System.arraycopy(rows[r], 0, flat, r * width(), width());
    Tensor t = Tensor.create(flat, shape);
    return device == null || device.is_cpu() ? t : t.to(device, ScalarType.Float);
  }

  public Tensor tensor() {
    return tensor(null);
  }

  /**
   * The zero-ablation keep-mask of one row, shaped {@code rowShape}: 0 on the dims the row lets
   * gradient into (its nonzero entries), 1 elsewhere. Multiplying an activation by it removes
   * what the row's mask class was routed into.
   */
  public Tensor keepMaskAblating(int index) {
    float[] keep = new float[width()];
    for (int i = 0; i < keep.length; i++) keep[i] = rows[index][i] != 0f ? 0f : 1f;
    return Tensor.create(keep, rowShape);
  }

  @Override
  public String toString() {
    return "MaskTable" + Arrays.toString(rowShape) + " with " + rows.length + " rows";
  }

  public static final class Builder {
    private final long[] rowShape;
    private final int width;
    private final List<float[]> rows = new ArrayList<>();

    private Builder(long[] rowShape) {
      if (rowShape.length == 0) throw new IllegalArgumentException("a mask row needs at least one dim");
      long w = 1;
      for (long d : rowShape) {
        if (d <= 0) throw new IllegalArgumentException("mask row shape " + Arrays.toString(rowShape) + " has a non-positive dim");
        w *= d;
      }
      this.rowShape = rowShape.clone();
      this.width = Math.toIntExact(w);
    }

    /** A multi-hot row: 1 on the given (flattened) dims, 0 elsewhere. */
    public Builder dims(int... on) {
      return dims(on, 1.0, 0.0);
    }

    /** {@code on} on the given (flattened) dims, {@code off} elsewhere. */
    public Builder dims(int[] dims, double on, double off) {
      if (Double.isNaN(on) || Double.isNaN(off)) {
        throw new IllegalArgumentException("mask row " + rows.size() + ": on and off must be numbers, got on=" + on + ", off=" + off);
      }
      float[] row = new float[width];
      Arrays.fill(row, (float) off);
      for (int d : dims) {
        if (d < 0 || d >= width) {
          throw new IllegalArgumentException("mask dim " + d + " is outside a row of width " + width);
        }
        row[d] = (float) on;
      }
      rows.add(row);
      return this;
    }

    /** An explicit row of {@code width} values. */
    public Builder values(float... row) {
      if (row.length != width) {
        throw new IllegalArgumentException("mask row has " + row.length + " values, expected " + width);
      }
      for (int i = 0; i < row.length; i++) {
        if (Float.isNaN(row[i])) throw new IllegalArgumentException("mask row " + rows.size() + " holds NaN at dim " + i);
      }
      rows.add(row.clone());
      return this;
    }

    /** The table, with the all-ones no-mask row appended last. */
    public MaskTable build() {
      float[] ones = new float[width];
      Arrays.fill(ones, 1f);
      List<float[]> all = new ArrayList<>(rows);
      all.add(ones);
      return new MaskTable(rowShape, all);
    }
  }

  /** Dims {@code from} (inclusive) to {@code to} (exclusive), for {@link Builder#dims}. */
  public static int[] range(int from, int to) {
    int[] r = new int[Math.max(0, to - from)];
    for (int i = 0; i < r.length; i++) r[i] = from + i;
    return r;
  }
}
