/* pool.h: a fixed set of worker threads for the independent rollouts of an epoch. */
#ifndef SOMAIF_POOL_H
#define SOMAIF_POOL_H

#include <stdatomic.h>

typedef struct SomaifPool SomaifPool;
/* fn(ctx, index) for one task, on any thread.  Tasks of one call begin in
 * the order of their indices, so a task may wait for an earlier one to end
 * (somaif_pool_await), never for a later one. */
typedef void (*SomaifPoolTask) (void *ctx, int index);

SomaifPool *somaif_pool_new (int threads);
int somaif_pool_threads (const SomaifPool *pool);
/* Tasks 0..n-1 on the workers and the calling thread, in two halves:
 * start() sets the workers on them and returns at once (the caller may do
 * other work meanwhile); join() runs the tasks left on the calling thread
 * too, and returns when all are done.  One start at a time; with one
 * thread, join() runs them all. */
void somaif_pool_start (SomaifPool *pool, int n, SomaifPoolTask fn, void *ctx);
void somaif_pool_join (SomaifPool *pool);
void somaif_pool_free (SomaifPool *pool);
/* Waits until *flag is not 0 (another thread's task sets it, with release
 * order); returns it.  Spins a while, then yields the core (at once when
 * the pool has more threads than the machine has cores). */
int somaif_pool_await (const SomaifPool *pool, const atomic_int *flag);

#endif
