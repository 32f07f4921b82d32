/**
 * Transformers for gradient routing: a GPT-style decoder ({@link gradroute.model.Gpt}, configured
 * by {@link gradroute.model.GptConfig}) in TransformerLens layout, with named hook points ({@link
 * gradroute.hooks.Hooks}) where activations can be read, replaced or routed ({@link
 * gradroute.hooks.RoutingHook}, through the native core's {@code Router.NATIVE.routeIndexed}).
 *
 * <p>Training and evaluation: {@link gradroute.model.TokenBatch} (right-padded next-token batches),
 * {@link gradroute.model.LmLoss}, {@link gradroute.model.LmEval} (mean of batch means), {@link
 * gradroute.model.LmTrainer} (the one LM training step, a {@code Trainable} for {@code
 * gradroute.train.TrainingLoop}: AdamW with {@link gradroute.model.LrSchedule}, micro-batches,
 * clipping, data parallel, decay groups, and any {@link gradroute.model.LmRouting}: ERA, neuron
 * routing, or per-token {@link gradroute.model.TokenRouting} at hook points), {@link
 * gradroute.model.Generation} (greedy / temperature / top-k). Save and load with {@link
 * gradroute.model.Gpt#save(java.nio.file.Path)} and {@link gradroute.model.Gpt#load(java.nio.file.Path,
 * org.bytedeco.pytorch.Device)}; a checkpoint of another shape fails with {@link
 * gradroute.train.CheckpointMismatchException} naming the parameter and both shapes.
 *
 * <p>Expand, Route, Ablate lives in {@link gradroute.model.era}; the unlearning baselines (RMU) and
 * the retraining attack in {@link gradroute.model.unlearn}.
 */
package gradroute.model;
