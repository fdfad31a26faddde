/* test-pool.c: the worker pool of the rollouts (core/pool.c): every task of
 * every call runs once, join() returns only once all of the oldest call's
 * tasks have ended, a second call may be started before the first is
 * joined, the joining thread's idle work, and free() joining what is left. */
#include "config.h"

#include <stdatomic.h>
#include <glib.h>

#include "pool.h"

#define MAX_TASKS 64

typedef struct
{
  atomic_int runs[MAX_TASKS];  /* times task i began */
  atomic_int ended[MAX_TASKS]; /* task i ended */
  int sleep_us;                /* each task sleeps up to this, by its index */
} Call;

static void
task (void *data, int i)
{
  Call *c = data;
  g_assert_cmpint (i, >=, 0);
  g_assert_cmpint (i, <, MAX_TASKS);
  atomic_fetch_add (&c->runs[i], 1);
  if (c->sleep_us > 0)
    g_usleep ((gulong) ((i * 7919) % (c->sleep_us + 1)));
  atomic_store (&c->ended[i], 1);
}

/* How many of c's first n tasks have ended; each began once at most. */
static int
ended (Call *c, int n)
{
  int k = 0;
  for (int i = 0; i < n; i++)
    {
      g_assert_cmpint (atomic_load (&c->runs[i]), <=, 1);
      k += atomic_load (&c->ended[i]);
    }
  return k;
}

/* Two calls started, then joined oldest first, on 1 to 8 threads: each
 * join returns once every task of its call has ended, each task ran once. */
static void
test_two_calls (void)
{
  static const int threads[] = { 1, 2, 3, 8 };
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    for (int round = 0; round < 20; round++)
      {
        SomaifPool *p = somaif_pool_new (threads[t]);
        g_assert_cmpint (somaif_pool_threads (p), ==, threads[t]);
        Call *a = g_new0 (Call, 1), *b = g_new0 (Call, 1);
        const int na = 1 + round % MAX_TASKS, nb = 1 + (round * 13) % MAX_TASKS;
        a->sleep_us = b->sleep_us = 200;
        somaif_pool_start (p, na, task, a);
        somaif_pool_start (p, nb, task, b);
        somaif_pool_join (p);
        g_assert_cmpint (ended (a, na), ==, na);
        somaif_pool_join (p);
        g_assert_cmpint (ended (b, nb), ==, nb);
        /* nothing beyond n, and a join with nothing started does nothing */
        g_assert_cmpint (ended (a, MAX_TASKS), ==, na);
        somaif_pool_join (p);
        somaif_pool_free (p);
        g_free (a);
        g_free (b);
      }
}

/* A call of no tasks, then one of some: both join. */
static void
test_empty_call (void)
{
  SomaifPool *p = somaif_pool_new (2);
  Call *a = g_new0 (Call, 1), *b = g_new0 (Call, 1);
  somaif_pool_start (p, 0, task, a);
  somaif_pool_start (p, 5, task, b);
  somaif_pool_join (p);
  g_assert_cmpint (ended (a, MAX_TASKS), ==, 0);
  somaif_pool_join (p);
  g_assert_cmpint (ended (b, 5), ==, 5);
  somaif_pool_free (p);
  g_free (a);
  g_free (b);
}

typedef struct
{
  atomic_int calls; /* times idle() was called */
} Idle;

/* Reports work the first three times, then none. */
static int
idle (void *data)
{
  Idle *d = data;
  return atomic_fetch_add (&d->calls, 1) < 3;
}

static void
sleep_task (void *data, int i)
{
  Call *c = data;
  atomic_fetch_add (&c->runs[i], 1);
  g_usleep (30000);
  atomic_store (&c->ended[i], 1);
}

/* While a worker runs the call's one long task, the joining thread calls
 * idle(), again while it reports work, and returns once the task ended;
 * with one thread it runs the task itself and never calls idle(). */
static void
test_join_idle (void)
{
  for (int threads = 1; threads <= 2; threads++)
    {
      SomaifPool *p = somaif_pool_new (threads);
      Call *a = g_new0 (Call, 1);
      Idle d = { 0 };
      somaif_pool_start (p, 1, sleep_task, a);
      if (threads > 1)
        {
          /* let the worker take it */
          for (int k = 0; k < 1000 && !atomic_load (&a->runs[0]); k++)
            g_usleep (1000);
          g_assert_cmpint (atomic_load (&a->runs[0]), ==, 1);
        }
      somaif_pool_join_idle (p, idle, &d);
      g_assert_cmpint (ended (a, 1), ==, 1);
      if (threads == 1)
        g_assert_cmpint (atomic_load (&d.calls), ==, 0);
      else
        g_assert_cmpint (atomic_load (&d.calls), >=, 4);
      somaif_pool_free (p);
      g_free (a);
    }
}

/* free() joins the calls started and not joined (their tasks use the
 * caller's memory). */
static void
test_free_joins (void)
{
  for (int threads = 1; threads <= 8; threads *= 2)
    {
      SomaifPool *p = somaif_pool_new (threads);
      Call *a = g_new0 (Call, 1), *b = g_new0 (Call, 1);
      a->sleep_us = b->sleep_us = 500;
      somaif_pool_start (p, 20, task, a);
      somaif_pool_start (p, 30, task, b);
      somaif_pool_free (p);
      g_assert_cmpint (ended (a, 20), ==, 20);
      g_assert_cmpint (ended (b, 30), ==, 30);
      g_free (a);
      g_free (b);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pool/two-calls", test_two_calls);
  g_test_add_func ("/pool/empty-call", test_empty_call);
  g_test_add_func ("/pool/join-idle", test_join_idle);
  g_test_add_func ("/pool/free-joins", test_free_joins);
  return g_test_run ();
}
