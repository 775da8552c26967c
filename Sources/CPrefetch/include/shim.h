#ifndef GRIDWEAVE_CPREFETCH_SHIM_H
#define GRIDWEAVE_CPREFETCH_SHIM_H

// Software prefetch for the lookup's batches: Swift has no prefetch instruction of its own.
// Static inline, so that each call compiles to the one instruction where Swift calls it.

/// Asks the processor to bring the cache line holding `address` into every cache level, for a
/// read soon (`prefetcht0` on x86-64, `prfm pldl1keep` on arm64). Never faults, whatever the
/// address: a hint only.
static inline __attribute__((always_inline)) void gridweave_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
