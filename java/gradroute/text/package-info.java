/**
 * Text data for the TinyStories "forest" unlearning experiment, in pure Java.
 * <ul>
 *   <li>{@link gradroute.text.BpeTokenizer}: GPT-2-style byte-level BPE (train, encode, decode, GPT-2 file layout).</li>
 *   <li>{@link gradroute.text.SyntheticStories}: a deterministic TinyStories-like corpus with a forest forget topic,
 *       rule noise, graded-overlap words and fixed entity facts; train and validation come from
 *       {@code forSplit("train", seed)} and {@code forSplit("validation", seed)}.</li>
 *   <li>{@link gradroute.text.TinyStoriesReader}: streams the real TinyStories dumps (text or JSON).</li>
 *   <li>{@link gradroute.text.ForgetLabels} and {@link gradroute.text.PartialOversight}: story labels
 *       (0 = forget, 1 = retain), optionally with only a share of forget stories labelled.</li>
 *   <li>{@link gradroute.text.TokenFrequencyWeights} and {@link gradroute.text.ConceptMatcher}: the
 *       token-level soft weights and the concept (multi-token word) masking rule.</li>
 * </ul>
 */
package gradroute.text;
