/**
 * Data-parallel training over libtorch's own c10d: a {@link gradroute.distributed.ProcessGroup}
 * (Gloo on CPU, NCCL on GPUs) over a {@code TCPStore}, gradient averaging in one flattened
 * all-reduce, and a {@link gradroute.distributed.Launcher} that starts one JVM per rank and ends
 * the whole job when any rank fails.
 */
package gradroute.distributed;
