package gradroute.model;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Rotary position embedding on the first {@code rotaryDim} dims of each head, pairs interleaved
 * (lucidrains' layout, as nanoGPT-factrep uses it): at position p, dims (2j, 2j+1) turn by the
 * angle {@code p * theta_j} with {@code theta_j = base^(-2j / rotaryDim)}, i.e. {@code x ⊙ cos +
 * rot(x) ⊙ sin} with {@code rot(x)_(2j, 2j+1) = (-x_{2j+1}, x_{2j})}; the other dims pass unchanged.
 * The cos/sin tables are built once; {@link #close} frees them.
 */
public final class Rotary implements AutoCloseable {
  private final int rotaryDim;
  private final Tensor cos; // [n, rotaryDim], each frequency repeated for its pair
  private final Tensor sin;

  public Rotary(int maxPositions, int rotaryDim, double base, Device device) {
    if (rotaryDim < 2 || rotaryDim % 2 != 0) throw new IllegalArgumentException("rotaryDim must be even and >= 2, got " + rotaryDim);
    this.rotaryDim = rotaryDim;
    float[] c = new float[maxPositions * rotaryDim], s = new float[maxPositions * rotaryDim];
    for (int p = 0; p < maxPositions; p++) {
      for (int j = 0; j < rotaryDim / 2; j++) {
        double angle = p * Math.pow(base, -2.0 * j / rotaryDim);
        for (int k = 2 * j; k <= 2 * j + 1; k++) {
          c[p * rotaryDim + k] = (float) Math.cos(angle);
          s[p * rotaryDim + k] = (float) Math.sin(angle);
        }
      }
    }
    Tensor ct = Tensor.create(c, maxPositions, rotaryDim), st = Tensor.create(s, maxPositions, rotaryDim);
    if (device != null && !device.is_cpu()) {
      ct = ct.to(device, ScalarType.Float);
      st = st.to(device, ScalarType.Float);
    }
    this.cos = ct.retainReference();
    this.sin = st.retainReference();
  }

  /** {@code x [batch, pos, heads, d_head]} with positions 0..pos-1 rotated. */
  public Tensor apply(Tensor x) {
    long b = x.size(0), len = x.size(1), h = x.size(2), dh = x.size(3);
    int r = rotaryDim;
    if (r > dh) throw new IllegalArgumentException("rotaryDim " + r + " exceeds the head width " + dh);
    if (len > cos.size(0)) throw new IllegalArgumentException("sequence length " + len + " exceeds the rotary tables' " + cos.size(0));
    Tensor c = cos.narrow(0, 0, len).view(1, len, 1, r);
    Tensor s = sin.narrow(0, 0, len).view(1, len, 1, r);
    Tensor head = x.narrow(3, 0, r);
    Tensor pairs = head.reshape(b, len, h, r / 2, 2);
    Tensor turned = torch.stack(new TensorVector(pairs.select(4, 1).neg(), pairs.select(4, 0)), 4).reshape(b, len, h, r);
    Tensor rotated = head.mul(c).add(turned.mul(s));
    if (r == dh) return rotated;
    return torch.cat(new TensorVector(rotated, x.narrow(3, r, dh - r)), 3);
  }

  @Override
  public void close() {
    cos.releaseReference();
    sin.releaseReference();
  }
}
