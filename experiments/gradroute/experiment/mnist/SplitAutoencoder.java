package gradroute.experiment.mnist;

import gradroute.model.Mlp;
import gradroute.routing.MaskTable;
import gradroute.routing.Router;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * The MNIST representation-splitting autoencoder of the paper (§4.1): an encoder to a latent split
 * into half A (dims [0, d/2)) and half B ([d/2, d)), a decoder shared by both routes (or one decoder
 * per route), and two certificate decoders that each read one stop-gradient half.
 *
 * <p>Routing sends the reconstruction gradient of each example into its own half only: the latent
 * passes through {@link Router#routeIndexed} with a two-row table (A, B) plus the no-mask row.
 */
public final class SplitAutoencoder extends org.bytedeco.pytorch.Module {
  public static final int ROUTE_A = 0;
  public static final int ROUTE_B = 1;

  /** What one forward pass produces. {@code reconstructionAll} is the decoder on the unrouted latent. */
  public record Outputs(Tensor z, Tensor reconstruction, Tensor certificateA, Tensor certificateB) {}

  private final Mlp encoder;
  private final Mlp decoder;
  private final Mlp decoderB; // null when the decoder is shared
  private final Mlp certificateA;
  private final Mlp certificateB;
  private final int latent;
  private final MaskTable table;
  private Tensor tableTensor;

  public SplitAutoencoder(int inputs, int[] hidden, int latent, boolean splitDecoders) {
    if (latent % 2 != 0) throw new IllegalArgumentException("the latent size must be even, got " + latent);
    this.latent = latent;
    int half = latent / 2;
    encoder = register_module("encoder", new Mlp(concat(inputs, hidden, latent), false));
    int[] reversed = reverse(hidden);
    decoder = register_module("decoder", new Mlp(concat(latent, reversed, inputs), true));
    decoderB = splitDecoders ? register_module("decoderB", new Mlp(concat(latent, reversed, inputs), true)) : null;
    certificateA = register_module("certificateA", new Mlp(concat(half, reversed, inputs), true));
    certificateB = register_module("certificateB", new Mlp(concat(half, reversed, inputs), true));
    table = MaskTable.builder(latent).dims(MaskTable.range(0, half)).dims(MaskTable.range(half, latent)).build();
    tableTensor = table.tensor();
  }

  /** Moves parameters and the mask table to a device. */
  public void moveTo(Device device) {
    to(device, false);
    tableTensor = table.tensor(device);
  }

  public MaskTable maskTable() {
    return table;
  }

  public Tensor encode(Tensor x) {
    return encoder.forward(x);
  }

  /**
   * @param routes per-example route index ({@link #ROUTE_A}, {@link #ROUTE_B} or the table's no-mask
   *     index), {@code [batch]} int64; null trains without routing
   * @param decoderOfRoute with split decoders, which decoder each example's reconstruction uses
   *     comes from the same index; ignored otherwise
   */
  public Outputs forward(Tensor x, Tensor routes, Router router) {
    Tensor z = encode(x);
    Tensor routed = routes == null ? z : router.routeIndexed(z, tableTensor, routes, null, 1.0);
    Tensor reconstruction = decode(routed, routes);
    Tensor frozen = z.detach();
    long half = latent / 2;
    Tensor certA = certificateA.forward(frozen.narrow(1, 0, half));
    Tensor certB = certificateB.forward(frozen.narrow(1, half, half));
    return new Outputs(z, reconstruction, certA, certB);
  }

  /** Decoder output; with split decoders, route-B examples use the second decoder. */
  public Tensor decode(Tensor latentCode, Tensor routes) {
    Tensor out = decoder.forward(latentCode);
    if (decoderB == null || routes == null) return out;
    Tensor useB = routes.eq(new org.bytedeco.pytorch.Scalar(ROUTE_B)).unsqueeze(1);
    return org.bytedeco.pytorch.global.torch.where(useB, decoderB.forward(latentCode), out);
  }

  /** The decoder's output when the whole latent is routed into one half (config F's extra term). */
  public Tensor decodeRoutedInto(Tensor z, int route, Router router) {
    Tensor gate = tableTensor.select(0, route);
    return decoder.forward(router.route(z, gate));
  }

  public int latent() {
    return latent;
  }

  private static int[] concat(int first, int[] middle, int last) {
    int[] out = new int[middle.length + 2];
    out[0] = first;
    System.arraycopy(middle, 0, out, 1, middle.length);
    out[out.length - 1] = last;
    return out;
  }

  private static int[] reverse(int[] a) {
    int[] r = new int[a.length];
    for (int i = 0; i < a.length; i++) r[i] = a[a.length - 1 - i];
    return r;
  }
}
