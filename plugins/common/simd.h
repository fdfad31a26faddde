/* simd.h: how the plugins' vector kernels are compiled for the CPU at hand.
 * Internal to the plugins: built into each, never installed.
 *
 * A kernel marked with one of these is compiled twice, for AVX2 and for
 * plain x86-64, and the clone is picked once a process from the CPU (GCC's
 * target_clones; configure checks the compiler has it).  Two variants:
 *
 *   SOMAIF_SIMD_FMA    AVX2 with fused multiply-adds (x86-64-v3): fastest,
 *                      but a product and its sum round once on the CPUs that
 *                      have FMA and twice on the others.
 *   SOMAIF_SIMD_NOFMA  AVX2 without FMA: every product and sum rounds apart
 *                      on every CPU, so runs repeat bit for bit across
 *                      machines (unless built with --enable-native).
 *
 * SOMAIF_SIMD_FMA_CPU() tells whether this CPU runs the FMA clone.
 *
 * A kernel that wants AVX-512's wider registers (GCC lowers a 64-byte
 * vector type badly for AVX2) is written twice: once as above, once marked
 * SOMAIF_SIMD_TARGET_AVX512 (AVX-512 Foundation, no FMA: the build's
 * -ffp-contract=off keeps the compiler from fusing), defined where the
 * first is, and the caller picks it where somaif_simd() says AVX-512 (so
 * that SOMAIF_SIMD=avx2 in the environment picks the other, as for every
 * kernel of ours).
 */
#ifndef SOMAIF_PLUGINS_SIMD_H
#define SOMAIF_PLUGINS_SIMD_H

#if defined(SOMAIF_HAVE_TARGET_CLONES) && defined(__x86_64__)
#define SOMAIF_SIMD_NOFMA __attribute__ ((target_clones ("avx2", "default")))
/* Older compilers name no x86-64-v3: their AVX2 clone then does without FMA. */
#if defined(__clang__) || __GNUC__ < 12
#define SOMAIF_SIMD_FMA __attribute__ ((target_clones ("avx2", "default")))
#define SOMAIF_SIMD_FMA_CPU() (__builtin_cpu_init (), __builtin_cpu_supports ("avx2"))
#else
#define SOMAIF_SIMD_FMA __attribute__ ((target_clones ("arch=x86-64-v3", "default")))
#define SOMAIF_SIMD_FMA_CPU() (__builtin_cpu_init (), __builtin_cpu_supports ("x86-64-v3"))
#endif
#define SOMAIF_SIMD_TARGET_AVX512 __attribute__ ((target ("avx512f")))
#else
#define SOMAIF_SIMD_NOFMA
#define SOMAIF_SIMD_FMA
#define SOMAIF_SIMD_FMA_CPU() 0
#endif

#endif /* SOMAIF_PLUGINS_SIMD_H */
