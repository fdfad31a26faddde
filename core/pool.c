/* pool.c: workers take tasks from a shared counter; between calls they wait
 * awake for a while (an epoch's sequential part is short), then asleep on a
 * condition variable.  The caller works too, so one thread means no worker
 * at all. */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <glib.h>

#include "pool.h"

/* Rounds of waiting before a thread sleeps: an epoch's sequential part
 * (the map's learning, the rows) is shorter than this, so the workers wait
 * for the next epoch's rollouts awake, and a call costs no system call. */
#define SPIN_ROUNDS 20000

/* Rounds of waiting for another task's end before yielding the core: a
 * task waits at most for one of the generator's blocks, unless the thread
 * running it lost its core. */
#define AWAIT_SPINS 50000

struct SomaifPool
{
  int threads;
  /* Waiting awake, in rounds: none with more threads than cores, where a
     spinning thread takes the core of the one it waits for. */
  int spin_rounds, await_spins;
  pthread_t *workers;
  pthread_mutex_t lock;        /* guards the sleepers and the sleeping */
  pthread_cond_t start, done;
  atomic_uint_fast64_t generation; /* bumped for each somaif_pool_start */
  atomic_int stop;
  SomaifPoolTask fn;           /* written before generation is bumped */
  void *ctx;
  int n_tasks;
  atomic_int next_task;
  atomic_int busy;             /* workers still in the current generation */
  int sleepers;                /* workers asleep on start (under lock) */
  int caller_sleeping;         /* the caller asleep on done (under lock) */
  int started;                 /* a start not yet joined (the caller's own) */
};

static inline void
relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#elif defined(__aarch64__)
  __asm__ __volatile__ ("yield");
#endif
}

static void
drain (SomaifPool *p)
{
  for (;;)
    {
      int i = atomic_fetch_add (&p->next_task, 1);
      if (i >= p->n_tasks)
        return;
      p->fn (p->ctx, i);
    }
}

static void *
worker (void *data)
{
  SomaifPool *p = data;
  guint64 seen = 0;
  for (;;)
    {
      /* awake for a while, then asleep until the next call */
      int spins = 0;
      while (atomic_load (&p->generation) == seen && !atomic_load (&p->stop)
             && spins++ < p->spin_rounds)
        relax ();
      if (atomic_load (&p->generation) == seen && !atomic_load (&p->stop))
        {
          pthread_mutex_lock (&p->lock);
          p->sleepers++;
          while (atomic_load (&p->generation) == seen && !atomic_load (&p->stop))
            pthread_cond_wait (&p->start, &p->lock);
          p->sleepers--;
          pthread_mutex_unlock (&p->lock);
        }
      if (atomic_load (&p->stop))
        break;
      seen = atomic_load (&p->generation);
      drain (p);
      if (atomic_fetch_sub (&p->busy, 1) == 1)
        {
          pthread_mutex_lock (&p->lock);
          if (p->caller_sleeping)
            pthread_cond_signal (&p->done);
          pthread_mutex_unlock (&p->lock);
        }
    }
  return NULL;
}

SomaifPool *
somaif_pool_new (int threads)
{
  SomaifPool *p = g_new0 (SomaifPool, 1);
  p->threads = threads < 1 ? 1 : threads;
  gboolean crowded = p->threads > (int) g_get_num_processors ();
  p->spin_rounds = crowded ? 0 : SPIN_ROUNDS;
  p->await_spins = crowded ? 0 : AWAIT_SPINS;
  pthread_mutex_init (&p->lock, NULL);
  pthread_cond_init (&p->start, NULL);
  pthread_cond_init (&p->done, NULL);
  atomic_init (&p->generation, 0);
  atomic_init (&p->stop, 0);
  atomic_init (&p->next_task, 0);
  atomic_init (&p->busy, 0);
  p->workers = g_new0 (pthread_t, p->threads);
  for (int i = 1; i < p->threads; i++)
    if (pthread_create (&p->workers[i], NULL, worker, p) != 0)
      {
        /* Fewer threads still give the same results, only later. */
        p->threads = i;
        break;
      }
  return p;
}

int
somaif_pool_threads (const SomaifPool *p)
{
  return p->threads;
}

void
somaif_pool_start (SomaifPool *p, int n, SomaifPoolTask fn, void *ctx)
{
  p->fn = fn;
  p->ctx = ctx;
  p->n_tasks = n;
  p->started = 1;
  if (p->threads == 1 || n < 1)
    return; /* the caller runs them all in join */
  atomic_store (&p->next_task, 0);
  atomic_store (&p->busy, p->threads - 1);
  /* seq_cst: the workers see the task before the new generation */
  atomic_fetch_add (&p->generation, 1);
  pthread_mutex_lock (&p->lock);
  if (p->sleepers > 0)
    pthread_cond_broadcast (&p->start);
  pthread_mutex_unlock (&p->lock);
}

void
somaif_pool_join (SomaifPool *p)
{
  if (!p->started)
    return;
  p->started = 0;
  if (p->threads == 1 || p->n_tasks < 1)
    {
      for (int i = 0; i < p->n_tasks; i++)
        p->fn (p->ctx, i);
      return;
    }
  drain (p);
  int spins = 0;
  while (atomic_load (&p->busy) > 0 && spins++ < p->spin_rounds)
    relax ();
  if (atomic_load (&p->busy) > 0)
    {
      pthread_mutex_lock (&p->lock);
      p->caller_sleeping = 1;
      while (atomic_load (&p->busy) > 0)
        pthread_cond_wait (&p->done, &p->lock);
      p->caller_sleeping = 0;
      pthread_mutex_unlock (&p->lock);
    }
}

int
somaif_pool_await (const SomaifPool *p, const atomic_int *flag)
{
  int v, spins = 0;
  while ((v = atomic_load_explicit (flag, memory_order_acquire)) == 0)
    {
      if (spins < p->await_spins)
        {
          spins++;
          relax ();
        }
      else
        sched_yield ();
    }
  return v;
}

void
somaif_pool_free (SomaifPool *p)
{
  if (!p)
    return;
  atomic_store (&p->stop, 1);
  pthread_mutex_lock (&p->lock);
  pthread_cond_broadcast (&p->start);
  pthread_mutex_unlock (&p->lock);
  for (int i = 1; i < p->threads; i++)
    pthread_join (p->workers[i], NULL);
  pthread_mutex_destroy (&p->lock);
  pthread_cond_destroy (&p->start);
  pthread_cond_destroy (&p->done);
  g_free (p->workers);
  g_free (p);
}
