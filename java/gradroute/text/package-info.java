/**
 * Text tools in pure Java: tokenising, reading TinyStories-format corpora, and the token-level
 * masking rules built from text. (The synthetic TinyStories corpus and its forest forget labels are
 * experiment code, in {@code gradroute.experiment.tinystories}.)
 * <ul>
 *   <li>{@link gradroute.text.BpeTokenizer}: GPT-2-style byte-level BPE (train, encode, decode, GPT-2 file layout).</li>
 *   <li>{@link gradroute.text.TinyStoriesReader}: streams the real TinyStories dumps (text or JSON).</li>
 *   <li>{@link gradroute.text.TokenFrequencyWeights} and {@link gradroute.text.ConceptMatcher}: the
 *       token-level soft weights and the concept (multi-token word) masking rule.</li>
 * </ul>
 */
package gradroute.text;
