package gradroute.circuits;

/** How a circuit is run (AutoCircuit's {@code PatchType}). */
public enum PatchType {
  /** Run the corrupt input and patch the clean values onto the circuit's edges. */
  EDGE_PATCH,
  /** Run the clean input and ablate every edge outside the circuit. */
  TREE_PATCH
}
