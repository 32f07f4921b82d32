package gradroute.interactionbasis;

import gradroute.model.Mlp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A feed-forward stack of affine layers, each followed by an {@link Activation}, held in float64 with
 * its biases folded into the weights. <em>Node position</em> {@code p} is the activation entering layer
 * {@code p}: position 0 is the input, position {@link #depth()} the output.
 *
 * <p>Folded activations: at every position before the output the activation carries one more
 * column, a constant channel (1 on data). A layer reads {@code [a, c]} through its weight {@code [W | b]}
 * and passes {@code c} on unchanged, so the bias scales with the constant channel; scaling a whole
 * folded activation by α (integrated gradients) scales the biases too, which makes ReLU stacks
 * positively homogeneous. The output position carries no constant channel.
 */
public final class MlpStack {
  /**
   * One layer: {@code weight [out, in]}, {@code bias [out]} or null, then the activation. The tensors
   * are copied to float64.
   */
  public record Layer(Tensor weight, Tensor bias, Activation activation) {
    public Layer {
      if (weight == null || weight.dim() != 2) throw new IllegalArgumentException("a layer's weight must be [out, in]");
      if (bias != null && (bias.dim() != 1 || bias.size(0) != weight.size(0))) {
        throw new IllegalArgumentException("a layer's bias must be [out] = [" + weight.size(0) + "], got " + bias.dim() + " dims");
      }
      if (activation == null) throw new IllegalArgumentException("a layer needs an activation (IDENTITY for none)");
    }
  }

  private final List<Layer> layers;
  private final List<Tensor> foldedWeights = new ArrayList<>();

  private MlpStack(List<Layer> layers) {
    if (layers.isEmpty()) throw new IllegalArgumentException("an MLP stack needs at least one layer");
    this.layers = List.copyOf(layers);
    try (NoGradGuard g = new NoGradGuard()) {
      for (int i = 0; i < layers.size(); i++) {
        Layer l = layers.get(i);
        if (i > 0 && l.weight().size(1) != layers.get(i - 1).weight().size(0)) {
          throw new IllegalArgumentException("layer " + i + " reads " + l.weight().size(1) + " features but layer " + (i - 1)
              + " writes " + layers.get(i - 1).weight().size(0));
        }
        Tensor w = Activation.asDouble(l.weight().detach().cpu());
        Tensor b = l.bias() == null ? torch.zeros(w.size(0), 1).to(ScalarType.Double)
            : Activation.asDouble(l.bias().detach().cpu()).unsqueeze(1);
        foldedWeights.add(torch.cat(new TensorVector(w, b), 1).contiguous().retainReference());
      }
    }
  }

  /** A stack of the given layers (weights copied to float64). */
  public static MlpStack of(List<Layer> layers) {
    return new MlpStack(layers);
  }

  /**
   * The project's {@link Mlp}s one after another: ReLU between the layers of each, and after the
   * last layer of every MLP but the last one only where {@code reluBetween} says so (an encoder's
   * linear latent feeding a decoder has none).
   */
  public static MlpStack of(boolean reluBetween, Mlp... mlps) {
    List<Layer> layers = new ArrayList<>();
    for (int m = 0; m < mlps.length; m++) {
      Mlp mlp = mlps[m];
      for (int i = 0; i < mlp.depth(); i++) {
        LinearImpl l = mlp.layer(i);
        boolean last = i == mlp.depth() - 1;
        boolean relu = !last || (reluBetween && m < mlps.length - 1);
        Tensor bias = l.bias() == null || !l.bias().defined() ? null : l.bias();
        layers.add(new Layer(l.weight(), bias, relu ? Activation.RELU : Activation.IDENTITY));
      }
    }
    return new MlpStack(layers);
  }

  /** Number of layers; the output's node position. */
  public int depth() {
    return layers.size();
  }

  public Layer layer(int i) {
    return layers.get(i);
  }

  /** The layer's weight with its bias as the last column, {@code [out, in + 1]}, float64. */
  public Tensor foldedWeight(int i) {
    return foldedWeights.get(i);
  }

  /** The width of the activation at a node position, constant channel not counted. */
  public int width(int position) {
    checkPosition(position);
    return position == 0 ? (int) layers.get(0).weight().size(1) : (int) layers.get(position - 1).weight().size(0);
  }

  /** Whether activations at this position carry the constant channel (every position but the output). */
  public boolean folded(int position) {
    checkPosition(position);
    return position < depth();
  }

  /** The width of the folded activation at a position. */
  public int foldedWidth(int position) {
    return width(position) + (folded(position) ? 1 : 0);
  }

  /** {@code x [batch, width(0)]} with a column of ones appended, float64. */
  public static Tensor fold(Tensor x) {
    Tensor d = Activation.asDouble(x);
    return torch.cat(new TensorVector(d, torch.ones(d.size(0), 1).to(ScalarType.Double)), 1);
  }

  /** One layer on a folded activation; the result is folded unless it is the output. */
  public Tensor layerForward(int i, Tensor foldedIn) {
    Tensor out = layers.get(i).activation().apply(preActivation(i, foldedIn));
    if (i + 1 == depth()) return out;
    return torch.cat(new TensorVector(out, foldedIn.narrow(1, foldedIn.size(1) - 1, 1)), 1);
  }

  Tensor preActivation(int i, Tensor foldedIn) {
    return foldedIn.matmul(foldedWeights.get(i).t());
  }

  /** From a folded activation at position {@code from} to the (folded, unless output) activation at {@code to}. */
  public Tensor forward(Tensor folded, int from, int to) {
    return forward(folded, from, to, Map.of());
  }

  /**
   * As {@link #forward(Tensor, int, int)}, replacing the folded activation at each position in
   * {@code edits} (after {@code from}, up to and including {@code to}) by the edit's result.
   */
  public Tensor forward(Tensor folded, int from, int to, Map<Integer, UnaryOperator<Tensor>> edits) {
    checkPosition(from);
    checkPosition(to);
    if (to < from) throw new IllegalArgumentException("cannot run from position " + from + " back to " + to);
    if (folded.size(1) != foldedWidth(from)) {
      throw new IllegalArgumentException("position " + from + " takes " + foldedWidth(from) + " folded features, got " + folded.size(1));
    }
    Tensor x = folded;
    UnaryOperator<Tensor> atStart = edits.get(from);
    if (atStart != null) x = atStart.apply(x);
    for (int i = from; i < to; i++) {
      x = layerForward(i, x);
      UnaryOperator<Tensor> edit = edits.get(i + 1);
      if (edit != null) x = edit.apply(x);
    }
    return x;
  }

  /** The stack's output for unfolded inputs {@code x [batch, width(0)]}, with edits at node positions. */
  public Tensor output(Tensor x, Map<Integer, UnaryOperator<Tensor>> edits) {
    return forward(fold(x), 0, depth(), edits);
  }

  /**
   * The Jacobian of {@code projector}-read outputs at position {@code to} with respect to the
   * folded input at {@code from}, at each row of {@code foldedIn}: {@code [batch, k, foldedWidth(from)]},
   * where {@code projector} is {@code [foldedWidth(to), k]} (output features are {@code y · projector}).
   * Computed in reverse through the layers, analytically; while every layer on the way back is
   * linear the Jacobian is the same for all rows and is returned as {@code [k, foldedWidth(from)]}
   * (check {@code dim()}).
   */
  public Tensor jacobian(Tensor foldedIn, int from, int to, Tensor projector) {
    if (projector.size(0) != foldedWidth(to)) {
      throw new IllegalArgumentException("projector at position " + to + " needs " + foldedWidth(to) + " rows, got " + projector.size(0));
    }
    List<Tensor> pre = new ArrayList<>();
    Tensor x = foldedIn;
    for (int i = from; i < to; i++) {
      pre.add(preActivation(i, x));
      x = layerForward(i, x);
    }
    Tensor g = projector.t(); // [k, foldedWidth(to)], shared by all rows
    for (int i = to - 1; i >= from; i--) {
      int out = width(i + 1);
      Tensor ga = g.narrow(g.dim() - 1, 0, out);
      Tensor gc = folded(i + 1) ? g.narrow(g.dim() - 1, out, 1) : null;
      Tensor slope = layers.get(i).activation().derivative(pre.get(i - from));
      if (slope != null) ga = (ga.dim() == 2 ? ga.unsqueeze(0) : ga).mul(slope.unsqueeze(1));
      Tensor gin = ga.matmul(foldedWeights.get(i));
      if (gc != null) {
        // the constant channel passes through unchanged: add its row to the input constant's column
        int last = (int) gin.size(gin.dim() - 1) - 1;
        Tensor col = gin.narrow(gin.dim() - 1, last, 1).add(gc);
        gin = torch.cat(new TensorVector(gin.narrow(gin.dim() - 1, 0, last), col), gin.dim() - 1);
      }
      g = gin;
    }
    return g;
  }

  private void checkPosition(int position) {
    if (position < 0 || position > depth()) {
      throw new IllegalArgumentException("node position " + position + " is outside 0.." + depth() + " of this " + depth() + "-layer stack");
    }
  }
}
