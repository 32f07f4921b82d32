/**
 * The environment of the scalable-oversight experiment: a vectorised gridworld in plain Java arrays
 * ({@link gradroute.rl.env.Gridworld}, configured by {@link gradroute.rl.env.GridworldConfig}) where
 * an agent reaches a diamond or a ghost and only some terminals are overseen; its
 * {@link gradroute.rl.env.Reward}s, per-step {@link gradroute.rl.env.StepResult}s and a renderer.
 */
package gradroute.rl.env;
