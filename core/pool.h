/* pool.h: a fixed set of worker threads for the independent rollouts of an epoch. */
#ifndef SOMAIF_POOL_H
#define SOMAIF_POOL_H

typedef struct SomaifPool SomaifPool;
/* fn(ctx, index) for one task; tasks of one call run in any order on any thread. */
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

#endif
