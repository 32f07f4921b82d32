/**
 * Training: the one loop every optimisation in gradroute runs on, and what it needs.
 *
 * <ul>
 *   <li>{@link gradroute.train.TrainingLoop} drives a {@link gradroute.train.Trainable} step by
 *       step, each step in its own native-memory scope ({@link gradroute.train.Steps}, which
 *       library users call for their own loops), and hands each step's metrics to its {@link
 *       gradroute.train.TrainingListener}s.
 *   <li>Listeners: {@link gradroute.train.DivergenceCheck} (always first: a NaN or infinite loss
 *       term stops training with {@link gradroute.train.TrainingDivergedException} naming the run,
 *       step and terms), {@link gradroute.train.HistoryRecorder}, {@link
 *       gradroute.train.ProgressListener}, {@link gradroute.train.CheckpointListener} (save and
 *       resume), {@link gradroute.train.Timing} (steps/s of the steps this process ran), {@link
 *       gradroute.train.Evaluate}, {@link gradroute.train.EarlyStopping}, {@link
 *       gradroute.train.KeepBest}.
 *   <li>{@link gradroute.train.Checkpoint}: crash-safe (step-numbered archives, the previous marker
 *       kept, SHA-256 of archive and marker, fallback to the previous checkpoint with a warning).
 *   <li>{@link gradroute.train.ModuleState}: the one parameter-state format, failing with {@link
 *       gradroute.train.CheckpointMismatchException}; {@link gradroute.train.History#writeCsv} the
 *       one history CSV writer.
 * </ul>
 */
package gradroute.train;
