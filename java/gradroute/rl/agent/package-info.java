/**
 * The agents' networks: the {@link gradroute.rl.agent.RoutedPolicy} (diamond and ghost experts and a
 * gate), the {@link gradroute.rl.agent.SingleExpertPolicy} of the baselines and the
 * {@link gradroute.rl.agent.ValueNetwork}. All are hooked models; {@link gradroute.rl.agent.RouteGates}
 * routes the policy's gradient by episode label at its hook points, and a
 * {@link gradroute.rl.agent.PolicyView} steers it by keeping one expert.
 */
package gradroute.rl.agent;
