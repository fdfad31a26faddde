/* bench-peak.h: this machine's fp32 FMA peak, measured (make bench). */
#ifndef SOMAIF_BENCH_PEAK_H
#define SOMAIF_BENCH_PEAK_H

#include <somaif/plugin.h>

/* GFLOP/s (an FMA is 2) of fused multiply-adds on the vector unit simd:
 * on one thread, or on threads threads at once (all of them busy). */
double somaif_bench_fma_peak (SomaifSimd simd, int threads);

#endif
