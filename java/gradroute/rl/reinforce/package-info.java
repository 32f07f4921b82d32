/**
 * The algorithm: REINFORCE with a value baseline ({@link gradroute.rl.reinforce.ReinforceTrainer},
 * {@link gradroute.rl.reinforce.ReinforceLoss}) over rollouts ({@link gradroute.rl.reinforce.RolloutBuffer},
 * {@link gradroute.rl.reinforce.Returns}, {@link gradroute.rl.reinforce.EpisodeLabels}) and policy
 * evaluation. What it trains is an {@link gradroute.rl.reinforce.AgentRecipe} inside an
 * {@link gradroute.rl.reinforce.AgentConfig}; experiments name their agents and give each a recipe.
 */
package gradroute.rl.reinforce;
