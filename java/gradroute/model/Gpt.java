package gradroute.model;

import gradroute.hooks.HookedModel;
import gradroute.hooks.Hooks;
import gradroute.train.CheckpointMismatchException;
import gradroute.train.ModuleState;
import gradroute.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.bytedeco.pytorch.global.torch;

/**
 * A GPT-style decoder in TransformerLens layout: a token embedding, pre-norm blocks of causal
 * attention and a GELU MLP, a final norm and an unembedding. The {@link GptConfig} chooses between
 * the classic GPT-2 shape (learned position embedding, LayerNorm, multi-head attention, untied
 * unembedding, tanh GELU) and the modern one (rotary positions on part of each head, RMSNorm,
 * grouped-query attention, tied unembedding, exact GELU); both run through the same block code.
 *
 * <p><b>Parameters</b> carry TransformerLens names and shapes, so that Expand and Ablate are slices
 * along named dims: {@code embed.W_E [vocab, d_model]}, {@code pos_embed.W_pos [n_ctx, d_model]},
 * per block {@code blocks.{i}.ln1.w/b}, {@code attn.W_Q/W_K/W_V [n_heads, d_model, d_head]},
 * {@code attn.b_Q/b_K/b_V [n_heads, d_head]}, {@code attn.W_O [n_heads, d_head, d_model]}, {@code
 * attn.b_O}, {@code ln2.w/b}, {@code mlp.W_in [d_model, d_mlp]}, {@code mlp.b_in}, {@code mlp.W_out
 * [d_mlp, d_model]}, {@code mlp.b_out}; then {@code ln_final.w/b}, {@code unembed.W_U [d_model,
 * vocab]}, {@code unembed.b_U}. RMSNorm has gains ({@code .w}) only; with rotary positions there
 * is no {@code pos_embed}; with grouped-query attention {@code W_K/W_V/b_K/b_V} have {@code
 * n_kv_heads} heads; with tied embeddings there is no {@code unembed} (the logits are {@code x
 * W_E}ᵀ).
 *
 * <p><b>Hook points</b> ({@link #hooks()}), in forward order: {@code hook_embed}, {@code
 * hook_pos_embed}, then per block {@code blocks.{i}.hook_resid_pre}, {@code
 * attn.hook_q_input/hook_k_input/hook_v_input [batch, pos, head, d_model]} (each head's own copy of
 * the residual stream it reads, made only while one of them is hooked), {@code
 * attn.hook_q/hook_k/hook_v} {@code [batch, pos, head, d_head]}, {@code attn.hook_pattern [batch,
 * head, query, key]}, {@code attn.hook_z [batch, pos, head, d_head]}, {@code attn.hook_result
 * [batch, pos, head, d_model]} (each head's write, without {@code b_O}, made only while hooked),
 * {@code hook_attn_out}, {@code hook_resid_mid}, {@code hook_mlp_in} (the residual stream the MLP
 * reads; replacing it leaves the stream itself alone), {@code mlp.hook_pre}, {@code mlp.hook_post
 * [batch, pos, d_mlp]} (after GELU), {@code hook_mlp_out}, {@code hook_resid_post}; finally {@code
 * ln_final.hook_normalized}. {@link GptHooks} builds the names. Attention runs libtorch's
 * fused kernel ({@code scaled_dot_product_attention}, flash attention on the CPU), which never
 * forms the pattern; a block with a hook on {@code attn.hook_pattern} computes softmax(QKᵀ)V
 * explicitly instead, equal up to float rounding.
 *
 * <p><b>Native memory.</b> Parameters are retained, so a model may be built inside a {@code
 * PointerScope} and outlive it; {@link #close()} frees them. Forward temporaries belong to the
 * caller's scope.
 */
public final class Gpt implements HookedModel, AutoCloseable {
  private static final String CONFIG_KEY = "__gradroute_config__";

  private final GptConfig config;
  private final Device device;
  private final LinkedHashMap<String, Tensor> params;
  private final Hooks hooks;
  private Tensor causal; // [n_ctx, n_ctx] bool, true above the diagonal
  private Rotary rotary; // built on first use
  private boolean closed;

  private Gpt(GptConfig config, Device device, LinkedHashMap<String, Tensor> params) {
    this.config = config;
    this.device = device == null ? new Device("cpu") : device;
    this.params = params;
    this.hooks = new Hooks(hookPoints(config));
  }

  /** A randomly initialised model on the CPU (deterministic in {@code seed}). */
  public static Gpt create(GptConfig config, long seed) {
    return create(config, null, seed);
  }

  /**
   * A randomly initialised model: {@code W_*} ~ N(0, initStd²), biases 0, LayerNorm gains 1. The
   * values come from a Java generator seeded with {@code seed}, so they are the same on every
   * device and independent of libtorch's global RNG.
   */
  public static Gpt create(GptConfig config, Device device, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    LinkedHashMap<String, Tensor> params = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : parameterShapes(config).entrySet()) {
      String name = e.getKey();
      params.put(name, makeParam(initialValues(name, e.getValue(), initStdOf(config, name), rng), e.getValue(), device));
    }
    return new Gpt(config, device, params);
  }

  /** A model whose parameters are all zero (a target to copy weights into). */
  public static Gpt zeros(GptConfig config, Device device) {
    LinkedHashMap<String, Tensor> params = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : parameterShapes(config).entrySet()) {
      params.put(e.getKey(), makeParam(new float[Math.toIntExact(numel(e.getValue()))], e.getValue(), device));
    }
    return new Gpt(config, device, params);
  }

  /** Parameter names and shapes of a configuration, in the model's order. */
  public static LinkedHashMap<String, long[]> parameterShapes(GptConfig c) {
    LinkedHashMap<String, long[]> s = new LinkedHashMap<>();
    long d = c.dModel(), h = c.nHeads(), kv = c.nKvHeads(), k = c.dHead();
    boolean layerNorm = c.norm() == GptConfig.Norm.LAYER;
    s.put("embed.W_E", new long[] {c.vocab(), d});
    if (c.learnedPositions()) s.put("pos_embed.W_pos", new long[] {c.nCtx(), d});
    for (int l = 0; l < c.nLayers(); l++) {
      String b = "blocks." + l + ".";
      long m = c.dMlp(l);
      s.put(b + "ln1.w", new long[] {d});
      if (layerNorm) s.put(b + "ln1.b", new long[] {d});
      s.put(b + "attn.W_Q", new long[] {h, d, k});
      s.put(b + "attn.W_K", new long[] {kv, d, k});
      s.put(b + "attn.W_V", new long[] {kv, d, k});
      s.put(b + "attn.b_Q", new long[] {h, k});
      s.put(b + "attn.b_K", new long[] {kv, k});
      s.put(b + "attn.b_V", new long[] {kv, k});
      s.put(b + "attn.W_O", new long[] {h, k, d});
      s.put(b + "attn.b_O", new long[] {d});
      s.put(b + "ln2.w", new long[] {d});
      if (layerNorm) s.put(b + "ln2.b", new long[] {d});
      s.put(b + "mlp.W_in", new long[] {d, m});
      s.put(b + "mlp.b_in", new long[] {m});
      s.put(b + "mlp.W_out", new long[] {m, d});
      s.put(b + "mlp.b_out", new long[] {d});
    }
    s.put("ln_final.w", new long[] {d});
    if (layerNorm) s.put("ln_final.b", new long[] {d});
    if (!c.tiedEmbeddings()) {
      s.put("unembed.W_U", new long[] {d, c.vocab()});
      s.put("unembed.b_U", new long[] {c.vocab()});
    }
    return s;
  }

  /** The init std of one parameter: {@code initStd}, or GPT-2's scaled-down value for the residual writers. */
  static double initStdOf(GptConfig c, String name) {
    boolean residualWriter = name.endsWith("attn.W_O") || name.endsWith("mlp.W_out");
    return c.scaledResidualInit() && residualWriter ? c.initStd() / Math.sqrt(2.0 * c.nLayers()) : c.initStd();
  }

  /** Hook point names of a configuration, in forward order. */
  public static List<String> hookPoints(GptConfig c) {
    List<String> p = new ArrayList<>();
    p.add(GptHooks.EMBED);
    if (c.learnedPositions()) p.add(GptHooks.POS_EMBED);
    for (int l = 0; l < c.nLayers(); l++) {
      p.addAll(List.of(GptHooks.residPre(l), GptHooks.qkvInput(l, 'q'), GptHooks.qkvInput(l, 'k'), GptHooks.qkvInput(l, 'v'),
          GptHooks.qkv(l, 'q'), GptHooks.qkv(l, 'k'), GptHooks.qkv(l, 'v'), GptHooks.pattern(l), GptHooks.z(l), GptHooks.result(l),
          GptHooks.attnOut(l), GptHooks.residMid(l), GptHooks.mlpIn(l), GptHooks.mlpPre(l), GptHooks.mlpPost(l), GptHooks.mlpOut(l),
          GptHooks.residPost(l)));
    }
    p.add(GptHooks.LN_FINAL);
    return p;
  }

  /** Default init of one parameter: {@code W_*} ~ N(0, std²), LayerNorm gains ({@code .w}) 1, the rest 0. */
  public static float[] initialValues(String name, long[] shape, double std, SplittableRandom rng) {
    float[] v = new float[Math.toIntExact(numel(shape))];
    String leaf = name.substring(name.lastIndexOf('.') + 1);
    if (leaf.startsWith("W_")) {
      for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * std);
    } else if (leaf.equals("w")) {
      Arrays.fill(v, 1f);
    }
    return v;
  }

  private static Tensor makeParam(float[] values, long[] shape, Device device) {
    Tensor t = Tensor.create(values, shape);
    if (device != null && !device.is_cpu()) t = t.to(device, ScalarType.Float);
    t.requires_grad_(true);
    return t.retainReference();
  }

  static long numel(long[] shape) {
    long n = 1;
    for (long s : shape) n *= s;
    return n;
  }

  public GptConfig config() {
    return config;
  }

  public Device device() {
    return device;
  }

  @Override
  public Hooks hooks() {
    return hooks;
  }

  /** The parameters by name, in order (the tensors themselves, not copies). */
  public Map<String, Tensor> parameters() {
    checkOpen();
    return Collections.unmodifiableMap(params);
  }

  public Tensor parameter(String name) {
    checkOpen();
    Tensor t = params.get(name);
    if (t == null) throw new IllegalArgumentException("no parameter '" + name + "' (parameters look like " + params.keySet().stream().limit(4).toList() + ")");
    return t;
  }

  /** The parameters whose names pass {@code filter}, for an optimiser. */
  public TensorVector parameterVector(Predicate<String> filter) {
    checkOpen();
    List<Tensor> chosen = new ArrayList<>();
    for (Map.Entry<String, Tensor> e : params.entrySet()) if (filter.test(e.getKey())) chosen.add(e.getValue());
    if (chosen.isEmpty()) throw new IllegalArgumentException("no parameter matches the filter");
    return new TensorVector(chosen.toArray(new Tensor[0]));
  }

  public TensorVector parameterVector() {
    return parameterVector(n -> true);
  }

  /** Clears every parameter's gradient. */
  public void zeroGrad() {
    for (Tensor p : params.values()) {
      Tensor g = p.grad();
      if (g.defined()) p.mutable_grad().reset();
    }
  }

  // ----------------------------------------------------------------------------------- forward

  /** libtorch's own error for a token outside the vocabulary is "index out of range in self". */
  private void requireInVocabulary(Tensor tokens) {
    if (tokens.numel() == 0) return;
    long lo = tokens.min().item_long(), hi = tokens.max().item_long();
    if (lo < 0 || hi >= config.vocab()) {
      throw new IllegalArgumentException("token id " + (lo < 0 ? lo : hi) + " is outside the vocabulary of " + config.vocab()
          + " tokens (ids 0.." + (config.vocab() - 1) + ")");
    }
  }

  /** Logits {@code [batch, pos, vocab]} of int64 tokens {@code [batch, pos]}. */
  public Tensor forward(Tensor tokens) {
    return run(tokens, config.nLayers(), true);
  }

  /**
   * The residual stream entering block {@code layer} ({@code blocks.{layer}.hook_resid_pre}), or
   * with {@code layer == nLayers} the stream before the final LayerNorm. Blocks from {@code layer}
   * on are not run (TransformerLens' {@code stop_at_layer}).
   */
  public Tensor residualBefore(Tensor tokens, int layer) {
    if (layer < 0 || layer > config.nLayers()) {
      throw new IllegalArgumentException("layer must be in 0.." + config.nLayers() + ", got " + layer);
    }
    return run(tokens, layer, false);
  }

  private Tensor run(Tensor tokens, int stopAt, boolean logits) {
    checkOpen();
    gradroute.runtime.TensorChecks.requireOpen("tokens", tokens);
    if (tokens.dim() != 2) {
      throw new IllegalArgumentException("tokens must be [batch, pos], got shape " + Arrays.toString(tokens.shape()));
    }
    long batch = tokens.size(0), len = tokens.size(1);
    if (len < 1 || len > config.nCtx()) {
      throw new IllegalArgumentException("sequence length " + len + " is outside 1.." + config.nCtx() + " (n_ctx)");
    }
    if (tokens.scalar_type().intern() != ScalarType.Long) tokens = tokens.to(ScalarType.Long);
    requireInVocabulary(tokens);
    if (!tokens.device().equals(device)) tokens = tokens.to(device, ScalarType.Long);
    long d = config.dModel();

    Tensor resid = hooks.fire(GptHooks.EMBED, torch.embedding(params.get("embed.W_E"), tokens));
    if (config.learnedPositions()) {
      Tensor pos = params.get("pos_embed.W_pos").narrow(0, 0, len).unsqueeze(0).expand(batch, len, d);
      pos = hooks.fire(GptHooks.POS_EMBED, pos);
      resid = resid.add(pos);
    }
    for (int l = 0; l < stopAt; l++) resid = block(l, resid, batch, len);
    if (!logits) return stopAt < config.nLayers() ? hooks.fire(GptHooks.residPre(stopAt), resid) : resid;
    Tensor normed = hooks.fire(GptHooks.LN_FINAL, norm(resid, "ln_final."));
    if (config.tiedEmbeddings()) return Linear.inOut(normed, params.get("embed.W_E").t(), null);
    return Linear.inOut(normed, params.get("unembed.W_U"), params.get("unembed.b_U"));
  }

  /** The unembedding {@code [d_model, vocab]}: {@code unembed.W_U}, or {@code embed.W_E}ᵀ when tied (a view). */
  public Tensor unembedding() {
    checkOpen();
    return config.tiedEmbeddings() ? params.get("embed.W_E").t() : params.get("unembed.W_U");
  }

  private Tensor block(int l, Tensor resid, long batch, long len) {
    String b = "blocks." + l + ".";
    long h = config.nHeads(), k = config.dHead(), d = config.dModel();
    resid = hooks.fire(GptHooks.residPre(l), resid);

    Tensor q, kk, v;
    if (hooks.isActive(GptHooks.qkvInput(l, 'q')) || hooks.isActive(GptHooks.qkvInput(l, 'k')) || hooks.isActive(GptHooks.qkvInput(l, 'v'))) {
      q = splitInputProjection(resid, l, "Q", h);
      kk = splitInputProjection(resid, l, "K", config.nKvHeads());
      v = splitInputProjection(resid, l, "V", config.nKvHeads());
    } else {
      Tensor x = norm(resid, b + "ln1.");
      q = headProjection(x, b, "Q", h, batch, len);
      kk = headProjection(x, b, "K", config.nKvHeads(), batch, len);
      v = headProjection(x, b, "V", config.nKvHeads(), batch, len);
    }
    q = hooks.fire(GptHooks.qkv(l, 'q'), q);
    kk = hooks.fire(GptHooks.qkv(l, 'k'), kk);
    v = hooks.fire(GptHooks.qkv(l, 'v'), v);
    if (!config.learnedPositions()) {
      q = rotary(q);
      kk = rotary(kk);
    }
    if (config.nKvHeads() != h) {
      long group = h / config.nKvHeads(); // query head i reads key/value head i / group
      kk = kk.repeat_interleave(group, new org.bytedeco.pytorch.LongOptional(2), new org.bytedeco.pytorch.LongOptional());
      v = v.repeat_interleave(group, new org.bytedeco.pytorch.LongOptional(2), new org.bytedeco.pytorch.LongOptional());
    }
    Tensor z = hooks.isActive(GptHooks.pattern(l)) ? attentionWithPattern(l, q, kk, v, len)
        : fusedAttention(q, kk, v); // [B, T, H, dh]
    z = hooks.fire(GptHooks.z(l), z);
    Tensor attnOut;
    if (hooks.isActive(GptHooks.result(l))) {
      Tensor result = hooks.fire(GptHooks.result(l), perHeadOutput(z, params.get(b + "attn.W_O")));
      attnOut = result.sum(new long[] {2}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).add(params.get(b + "attn.b_O"));
    } else {
      attnOut = Linear.inOut(z.reshape(batch, len, h * k), params.get(b + "attn.W_O").reshape(h * k, d), params.get(b + "attn.b_O"));
    }
    attnOut = hooks.fire(GptHooks.attnOut(l), attnOut);
    resid = hooks.fire(GptHooks.residMid(l), resid.add(attnOut));

    Tensor y = norm(hooks.fire(GptHooks.mlpIn(l), resid), b + "ln2.");
    Tensor pre = hooks.fire(GptHooks.mlpPre(l), Linear.inOut(y, params.get(b + "mlp.W_in"), params.get(b + "mlp.b_in")));
    Tensor post = hooks.fire(GptHooks.mlpPost(l), torch.gelu(pre, config.exactGelu() ? "none" : "tanh"));
    Tensor mlpOut = hooks.fire(GptHooks.mlpOut(l), Linear.inOut(post, params.get(b + "mlp.W_out"), params.get(b + "mlp.b_out")));
    return hooks.fire(GptHooks.residPost(l), resid.add(mlpOut));
  }

  /** Causal attention {@code [B, T, H, dh]} with the pattern materialised for the hooks on {@code attn.hook_pattern}. */
  private Tensor attentionWithPattern(int l, Tensor q, Tensor kk, Tensor v, long len) {
    Tensor scores = q.permute(0, 2, 1, 3).matmul(kk.permute(0, 2, 3, 1)); // [B, H, Tq, Tk]
    if (config.attnScale()) scores = scores.mul(new Scalar(1.0 / Math.sqrt(config.dHead())));
    scores = scores.masked_fill(causalMask(len), new Scalar(Float.NEGATIVE_INFINITY));
    Tensor pattern = hooks.fire(GptHooks.pattern(l), scores.softmax(-1));
    return pattern.matmul(v.permute(0, 2, 1, 3)).permute(0, 2, 1, 3);
  }

  /**
   * The same attention by libtorch's fused kernel (flash attention on the CPU: blocks of queries
   * and keys, online softmax, the masked half of the causal pattern never computed, no
   * {@code [B, H, T, T]} tensors kept for the backward pass). Equal to {@link #attentionWithPattern}
   * up to float rounding.
   */
  private Tensor fusedAttention(Tensor q, Tensor kk, Tensor v) {
    double scale = config.attnScale() ? 1.0 / Math.sqrt(config.dHead()) : 1.0;
    return torch.scaled_dot_product_attention(q.permute(0, 2, 1, 3), kk.permute(0, 2, 1, 3), v.permute(0, 2, 1, 3),
        new TensorOptional(), 0.0, true, new org.bytedeco.pytorch.DoubleOptional(scale), false).permute(0, 2, 1, 3);
  }

  /**
   * The split-input path (TransformerLens's {@code use_split_qkv_input}): each head reads its own
   * copy of the residual stream {@code attn.hook_{q,k,v}_input [B, T, H, D]}, so that a hook can
   * change what one head reads; normed and projected head by head, {@code [B, T, H, dh]}.
   */
  private Tensor splitInputProjection(Tensor resid, int l, String which, long heads) {
    long bsz = resid.size(0), len = resid.size(1), d = config.dModel(), k = config.dHead();
    String b = "blocks." + l + ".";
    Tensor perHead = hooks.fire(GptHooks.qkvInput(l, Character.toLowerCase(which.charAt(0))), resid.unsqueeze(2).expand(bsz, len, heads, d));
    Tensor x = norm(perHead, b + "ln1.").permute(2, 0, 1, 3).reshape(heads, bsz * len, d);
    Tensor projected = x.bmm(params.get(b + "attn.W_" + which)).view(heads, bsz, len, k).permute(1, 2, 0, 3);
    return projected.add(params.get(b + "attn.b_" + which));
  }

  /** Each head's write into the residual stream, {@code z [B, T, H, dh]} times {@code W_O [H, dh, D]}: {@code [B, T, H, D]}. */
  private static Tensor perHeadOutput(Tensor z, Tensor wO) {
    long bsz = z.size(0), len = z.size(1), heads = z.size(2), k = z.size(3), d = wO.size(2);
    return z.permute(2, 0, 1, 3).reshape(heads, bsz * len, k).bmm(wO).view(heads, bsz, len, d).permute(1, 2, 0, 3);
  }

  /** {@code x [B, T, D]} projected by {@code W_{which} [H, D, dh]}: {@code [B, T, H, dh]}. */
  private Tensor headProjection(Tensor x, String b, String which, long h, long batch, long len) {
    long k = config.dHead(), d = config.dModel();
    Tensor w = params.get(b + "attn.W_" + which).permute(1, 0, 2).reshape(d, h * k);
    return Linear.inOut(x, w, params.get(b + "attn.b_" + which).reshape(h * k)).view(batch, len, h, k);
  }

  private Tensor norm(Tensor x, String prefix) {
    if (config.norm() == GptConfig.Norm.RMS) return rmsNorm(x, params.get(prefix + "w"), config.lnEps());
    return torch.layer_norm(x, new long[] {config.dModel()}, new TensorOptional(params.get(prefix + "w")),
        new TensorOptional(params.get(prefix + "b")), config.lnEps(), false);
  }

  /** {@code x / sqrt(mean(x²) + eps) * gain} over the last dim. */
  public static Tensor rmsNorm(Tensor x, Tensor gain, double eps) {
    Tensor meanSquare = x.mul(x).mean(new long[] {-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
    return x.mul(meanSquare.add(new Scalar(eps)).rsqrt()).mul(gain);
  }

  private Tensor rotary(Tensor x) {
    if (rotary == null) rotary = new Rotary(config.nCtx(), config.rotaryDim(), GptConfig.ROTARY_BASE, device);
    return rotary.apply(x);
  }


  private Tensor causalMask(long len) {
    if (causal == null) {
      int n = config.nCtx();
      boolean[] above = new boolean[n * n];
      for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) above[i * n + j] = true;
      Tensor m = Tensor.create(above, n, n);
      if (!device.is_cpu()) m = m.to(device, ScalarType.Bool);
      causal = m.retainReference();
    }
    return causal.narrow(0, 0, len).narrow(1, 0, len);
  }

  // ------------------------------------------------------------------------------ copies, I/O

  /** A deep copy of the weights (no hooks, no gradients). */
  public Gpt copy() {
    checkOpen();
    LinkedHashMap<String, Tensor> copies = new LinkedHashMap<>();
    try (NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : params.entrySet()) {
        Tensor c = e.getValue().detach().clone();
        c.requires_grad_(true);
        copies.put(e.getKey(), c.retainReference());
      }
    }
    return new Gpt(config, device, copies);
  }

  /** Overwrites this model's weights with {@code other}'s (same configuration), in place. */
  public void copyWeightsFrom(Gpt other) {
    checkOpen();
    if (!other.config.equals(config)) {
      throw new IllegalArgumentException("cannot copy weights of " + other.config + " into " + config);
    }
    try (NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : params.entrySet()) e.getValue().copy_(other.params.get(e.getKey()));
    }
  }

  /** Writes the configuration and every parameter into {@code archive}. */
  public void save(OutputArchive archive) {
    checkOpen();
    ModuleState.writeText(archive, CONFIG_KEY, Json.toJson(config));
    ModuleState.save(params, Map.of(), archive);
  }

  /** A training checkpoint: this model (as {@link #save}) and its optimiser, under "model" and "optimizer". */
  public void saveWithOptimizer(OutputArchive archive, org.bytedeco.pytorch.Optimizer optimizer) {
    OutputArchive m = new OutputArchive();
    save(m);
    archive.write("model", m);
    OutputArchive o = new OutputArchive();
    optimizer.save(o);
    archive.write("optimizer", o);
  }

  /** Restores what {@link #saveWithOptimizer} wrote. */
  public void loadWithOptimizer(InputArchive archive, org.bytedeco.pytorch.Optimizer optimizer) {
    InputArchive m = new InputArchive();
    archive.read("model", m);
    load(m);
    InputArchive o = new InputArchive();
    archive.read("optimizer", o);
    gradroute.train.ModuleState.loadOptimizer(optimizer, o);
  }

  /** Saves to a libtorch archive file, atomically. */
  public void save(Path file) throws IOException {
    OutputArchive out = new OutputArchive();
    save(out);
    gradroute.train.Archives.save(out, file, 0);
  }

  /**
   * Loads weights saved by {@link #save} into this model.
   *
   * @throws CheckpointMismatchException naming the first parameter that is missing, extra or of
   *     another shape
   */
  public void load(InputArchive archive) {
    checkOpen();
    ModuleState.load(params, Map.of(), archive);
  }

  /** Loads weights from a file written by {@link #save(Path)}; see {@link #load(InputArchive)}. */
  public void load(Path file) throws IOException {
    InputArchive in = openArchive(file);
    try {
      load(in);
    } catch (CheckpointMismatchException e) {
      throw new CheckpointMismatchException(file + ": " + e.getMessage());
    }
  }

  /** A new model with the configuration and weights stored in {@code file}. */
  public static Gpt load(Path file, Device device) throws IOException {
    InputArchive in = openArchive(file);
    String cfg = ModuleState.readText(in, CONFIG_KEY);
    if (cfg == null) {
      throw new IOException(file + " has no model configuration (was it written by Gpt.save?)");
    }
    GptConfig config = Json.mapper().readValue(cfg, GptConfig.class);
    Gpt model = zeros(config, device);
    try {
      model.load(in);
    } catch (CheckpointMismatchException e) {
      model.close();
      throw new CheckpointMismatchException(file + ": " + e.getMessage());
    }
    return model;
  }

  private static InputArchive openArchive(Path file) throws IOException {
    if (!Files.isRegularFile(file)) throw new IOException("no checkpoint file " + file);
    InputArchive in = new InputArchive();
    try {
      in.load_from(file.toString());
    } catch (RuntimeException e) {
      throw new IOException("cannot read checkpoint " + file + ": " + e.getMessage().lines().findFirst().orElse(""), e);
    }
    return in;
  }

  /** Frees the parameters' native memory; the model is unusable afterwards. Idempotent. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    hooks.clear();
    for (Tensor t : params.values()) t.releaseReference();
    if (causal != null) causal.releaseReference();
    if (rotary != null) rotary.close();
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("this model was closed");
  }

  @Override
  public String toString() {
    return "Gpt" + config;
  }
}
