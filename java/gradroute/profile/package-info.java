/** Profiling native kernels with libtorch's own (Kineto) profiler: per-op tables and Chrome traces. */
package gradroute.profile;
