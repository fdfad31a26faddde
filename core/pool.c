/* pool.c: workers take tasks from the oldest call that has any left; a
 * second call may be started before the first is joined, so that a worker
 * done with the first goes on with the second instead of waiting.  Between
 * calls the workers wait awake for a while (an epoch's sequential part is
 * short), then asleep on a condition variable.  The caller works too, so one
 * thread means no worker at all. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <glib.h>

#include "machine.h"
#include "pool.h"

/* Rounds of waiting before a thread sleeps: an epoch's sequential part
 * (the map's learning, the rows) is shorter than this, so the workers wait
 * for the next epoch's rollouts awake, and a call costs no system call. */
#define SPIN_ROUNDS 20000

/* Calls started and not yet joined, at most. */
#define MAX_CALLS SOMAIF_POOL_MAX_CALLS

typedef struct
{
  SomaifPoolTask fn;
  void *ctx;
  int n;                /* tasks */
  int next;             /* the next task to hand out (under lock) */
  atomic_int remaining; /* tasks not yet ended */
} Call;

struct SomaifPool
{
  int threads;
  /* Waiting awake, in rounds: none with more threads than cores, where a
     spinning thread takes the core of the one it waits for. */
  int spin_rounds;
  pthread_t *workers;
  pthread_mutex_t lock;        /* guards the calls, the sleepers and the sleeping */
  pthread_cond_t start, done;
  Call calls[MAX_CALLS];       /* the calls not joined, oldest first at head */
  int head, count;
  atomic_int untaken;          /* tasks of those calls not handed out yet */
  atomic_int stop;
  int sleepers;                /* workers asleep on start */
  int caller_sleeping;         /* the caller asleep on done */
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

/* c's next task, handed out (c has one left).  Under lock. */
static int
hand_out (SomaifPool *p, Call *c)
{
  atomic_fetch_sub_explicit (&p->untaken, 1, memory_order_relaxed);
  return c->next++;
}

/* The oldest call with a task left, its task index in *index; NULL if none.
 * Under lock. */
static Call *
take_task (SomaifPool *p, int *index)
{
  for (int i = 0; i < p->count; i++)
    {
      Call *c = &p->calls[(p->head + i) % MAX_CALLS];
      if (c->next < c->n)
        {
          *index = hand_out (p, c);
          return c;
        }
    }
  return NULL;
}

/* Runs task index of c, then tells the caller if it was c's last. */
static void
run_task (SomaifPool *p, Call *c, int index)
{
  c->fn (c->ctx, index);
  /* c may be joined and its slot used again from here on */
  if (atomic_fetch_sub_explicit (&c->remaining, 1, memory_order_acq_rel) == 1)
    {
      pthread_mutex_lock (&p->lock);
      if (p->caller_sleeping)
        pthread_cond_signal (&p->done);
      pthread_mutex_unlock (&p->lock);
    }
}

static void *
worker (void *data)
{
  SomaifPool *p = data;
  pthread_mutex_lock (&p->lock);
  for (;;)
    {
      int index;
      Call *c = take_task (p, &index);
      if (c)
        {
          pthread_mutex_unlock (&p->lock);
          run_task (p, c, index);
          pthread_mutex_lock (&p->lock);
          continue;
        }
      if (atomic_load (&p->stop))
        break;
      /* awake for a while, then asleep until a task is there */
      pthread_mutex_unlock (&p->lock);
      int spins = 0;
      while (atomic_load_explicit (&p->untaken, memory_order_relaxed) == 0
             && !atomic_load (&p->stop) && spins++ < p->spin_rounds)
        relax ();
      pthread_mutex_lock (&p->lock);
      if (atomic_load (&p->untaken) == 0 && !atomic_load (&p->stop))
        {
          p->sleepers++;
          while (atomic_load (&p->untaken) == 0 && !atomic_load (&p->stop))
            pthread_cond_wait (&p->start, &p->lock);
          p->sleepers--;
        }
    }
  pthread_mutex_unlock (&p->lock);
  return NULL;
}

SomaifPool *
somaif_pool_new (int threads)
{
  SomaifPool *p = g_new0 (SomaifPool, 1);
  p->threads = threads < 1 ? 1 : threads;
  gboolean crowded = p->threads > somaif_machine_cores ();
  p->spin_rounds = crowded ? 0 : SPIN_ROUNDS;
  pthread_mutex_init (&p->lock, NULL);
  pthread_cond_init (&p->start, NULL);
  pthread_cond_init (&p->done, NULL);
  atomic_init (&p->untaken, 0);
  atomic_init (&p->stop, 0);
  for (int i = 0; i < MAX_CALLS; i++)
    atomic_init (&p->calls[i].remaining, 0);
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
  pthread_mutex_lock (&p->lock);
  g_assert (p->count < MAX_CALLS);
  Call *c = &p->calls[(p->head + p->count) % MAX_CALLS];
  c->fn = fn;
  c->ctx = ctx;
  c->n = n < 0 ? 0 : n;
  c->next = 0;
  atomic_store_explicit (&c->remaining, c->n, memory_order_relaxed);
  p->count++;
  /* with one thread, the caller runs them all in join */
  if (p->threads > 1 && c->n > 0)
    {
      atomic_fetch_add (&p->untaken, c->n);
      if (p->sleepers > 0)
        pthread_cond_broadcast (&p->start);
    }
  else
    c->next = c->n; /* not handed out: join runs them */
  pthread_mutex_unlock (&p->lock);
}

void
somaif_pool_join (SomaifPool *p)
{
  somaif_pool_join_idle (p, NULL, NULL);
}

void
somaif_pool_join_idle (SomaifPool *p, SomaifPoolIdle idle, void *ctx)
{
  pthread_mutex_lock (&p->lock);
  if (p->count == 0)
    {
      pthread_mutex_unlock (&p->lock);
      return;
    }
  Call *c = &p->calls[p->head];
  if (p->threads == 1 || c->n < 1)
    {
      pthread_mutex_unlock (&p->lock);
      for (int i = 0; i < c->n; i++)
        c->fn (c->ctx, i);
    }
  else
    {
      /* the tasks of this call left, then wait for the others' */
      while (c->next < c->n)
        {
          int index = hand_out (p, c);
          pthread_mutex_unlock (&p->lock);
          run_task (p, c, index);
          pthread_mutex_lock (&p->lock);
        }
      pthread_mutex_unlock (&p->lock);
      int spins = 0;
      while (atomic_load_explicit (&c->remaining, memory_order_acquire) > 0)
        {
          if (idle && idle (ctx))
            spins = 0;
          else if (spins++ < p->spin_rounds)
            relax ();
          else
            break;
        }
      if (atomic_load_explicit (&c->remaining, memory_order_acquire) > 0)
        {
          pthread_mutex_lock (&p->lock);
          p->caller_sleeping = 1;
          while (atomic_load (&c->remaining) > 0)
            pthread_cond_wait (&p->done, &p->lock);
          p->caller_sleeping = 0;
          pthread_mutex_unlock (&p->lock);
        }
    }
  pthread_mutex_lock (&p->lock);
  p->head = (p->head + 1) % MAX_CALLS;
  p->count--;
  pthread_mutex_unlock (&p->lock);
}

void
somaif_pool_free (SomaifPool *p)
{
  if (!p)
    return;
  /* calls not joined (after a failure) end first: their tasks use the
     caller's buffers */
  while (p->count > 0)
    somaif_pool_join (p);
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
