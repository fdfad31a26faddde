/* pool.c: workers sleep on a condition variable between epochs and take
 * tasks from a shared counter; the caller works too, so one thread means
 * no worker at all. */
#include "config.h"

#include <pthread.h>
#include <glib.h>

#include "pool.h"

struct SomaifPool
{
  int threads;
  pthread_t *workers;
  pthread_mutex_t lock;
  pthread_cond_t start, done;
  guint64 generation;   /* bumped for each somaif_pool_run */
  int stop;
  SomaifPoolTask fn;
  void *ctx;
  int n_tasks;
  int next_task;        /* under lock */
  int busy;             /* workers still in the current generation */
};

static void
drain (SomaifPool *p)
{
  for (;;)
    {
      pthread_mutex_lock (&p->lock);
      int i = p->next_task < p->n_tasks ? p->next_task++ : -1;
      pthread_mutex_unlock (&p->lock);
      if (i < 0)
        return;
      p->fn (p->ctx, i);
    }
}

static void *
worker (void *data)
{
  SomaifPool *p = data;
  guint64 seen = 0;
  pthread_mutex_lock (&p->lock);
  for (;;)
    {
      while (!p->stop && p->generation == seen)
        pthread_cond_wait (&p->start, &p->lock);
      if (p->stop)
        break;
      seen = p->generation;
      pthread_mutex_unlock (&p->lock);
      drain (p);
      pthread_mutex_lock (&p->lock);
      if (--p->busy == 0)
        pthread_cond_signal (&p->done);
    }
  pthread_mutex_unlock (&p->lock);
  return NULL;
}

SomaifPool *
somaif_pool_new (int threads)
{
  SomaifPool *p = g_new0 (SomaifPool, 1);
  p->threads = threads < 1 ? 1 : threads;
  pthread_mutex_init (&p->lock, NULL);
  pthread_cond_init (&p->start, NULL);
  pthread_cond_init (&p->done, NULL);
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
somaif_pool_run (SomaifPool *p, int n, SomaifPoolTask fn, void *ctx)
{
  if (p->threads == 1 || n <= 1)
    {
      for (int i = 0; i < n; i++)
        fn (ctx, i);
      return;
    }
  pthread_mutex_lock (&p->lock);
  p->fn = fn;
  p->ctx = ctx;
  p->n_tasks = n;
  p->next_task = 0;
  p->busy = p->threads - 1;
  p->generation++;
  pthread_cond_broadcast (&p->start);
  pthread_mutex_unlock (&p->lock);
  drain (p);
  pthread_mutex_lock (&p->lock);
  while (p->busy > 0)
    pthread_cond_wait (&p->done, &p->lock);
  pthread_mutex_unlock (&p->lock);
}

void
somaif_pool_free (SomaifPool *p)
{
  if (!p)
    return;
  pthread_mutex_lock (&p->lock);
  p->stop = 1;
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
