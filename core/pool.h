/* pool.h: a fixed set of worker threads for the independent rollouts of an
 * epoch (and of the next, started before this one is joined). */
#ifndef SOMAIF_POOL_H
#define SOMAIF_POOL_H

typedef struct SomaifPool SomaifPool;
/* fn(ctx, index) for one task, on any thread.  Tasks of one call begin in
 * the order of their indices, those of a call before those of the next. */
typedef void (*SomaifPoolTask) (void *ctx, int index);

SomaifPool *somaif_pool_new (int threads);
int somaif_pool_threads (const SomaifPool *pool);
/* Calls started and not yet joined, at most. */
#define SOMAIF_POOL_MAX_CALLS 2

/* Tasks 0..n-1 on the workers and the calling thread, in two halves:
 * start() sets the workers on them and returns at once (the caller may do
 * other work meanwhile); join() runs the tasks left of the oldest call not
 * joined on the calling thread too, and returns when all its tasks are
 * done.  A second call may be started before the first is joined: the
 * workers take its tasks once the first has none left to hand out.  With
 * one thread, join() runs them all. */
void somaif_pool_start (SomaifPool *pool, int n, SomaifPoolTask fn, void *ctx);
void somaif_pool_join (SomaifPool *pool);
/* join(), calling idle(ctx) again and again while the call's last tasks
 * run on other threads: idle does a share of their work that any thread
 * may take, and returns nonzero if it found some (when it finds none, the
 * caller waits as join() does, calling it between rounds). */
typedef int (*SomaifPoolIdle) (void *ctx);
void somaif_pool_join_idle (SomaifPool *pool, SomaifPoolIdle idle, void *ctx);
/* Joins the calls not joined yet, then ends the workers. */
void somaif_pool_free (SomaifPool *pool);
#endif
