/* schedule.c: constant, linear, exponential, tanh-step and piecewise schedules.
 *
 * Syntax (a number is a constant):
 *   { constant = 0.01; }
 *   { linear = { from = 1.0; to = 0.0; }; }                 from + (to - from) e/E
 *   { exp = { scale = 10.0; rate = -6.0; }; }               scale exp(rate e / E)
 *   { tanh = { from = 1.0; to = 0.0; centre = 0.75; sharpness = 20.0; }; }
 *        from + (to - from) (tanh(sharpness (e - centre E) / E) + 1) / 2
 *   { phases = ( { until_epoch = 1; value = 100.0; },
 *                { until_fraction = 0.7; value = { exp = { ... }; }; },
 *                { value = 0.0; } ); }
 * A phase holds while e < until (an epoch index, or a fraction of the run E);
 * the last phase has no bound.  Each formula is evaluated at the absolute
 * epoch e, in the order of operations written above, so that the seed's
 * schedules come out bit for bit.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "host.h"
#include "schedule.h"

typedef enum
{
  SCHED_CONSTANT,
  SCHED_LINEAR,
  SCHED_EXP,
  SCHED_TANH,
  SCHED_PHASES
} SchedKind;

typedef struct
{
  gboolean by_fraction;
  double until; /* epoch index or fraction; +inf for the last phase */
  SomaifSchedule *value;
} Phase;

struct SomaifSchedule
{
  SchedKind kind;
  double a, b, c, d; /* constant: a; linear: from a to b; exp: scale a, rate b;
                        tanh: from a, to b, centre c, sharpness d */
  GArray *phases;    /* of Phase */
};

static const char *const kind_names[] = { "constant", "linear", "exp", "tanh", "phases" };

SomaifSchedule *
somaif_schedule_new_constant (double value)
{
  SomaifSchedule *s = g_new0 (SomaifSchedule, 1);
  s->kind = SCHED_CONSTANT;
  s->a = value;
  return s;
}

void
somaif_schedule_free (SomaifSchedule *s)
{
  if (!s)
    return;
  if (s->phases)
    {
      for (guint i = 0; i < s->phases->len; i++)
        somaif_schedule_free (g_array_index (s->phases, Phase, i).value);
      g_array_free (s->phases, TRUE);
    }
  g_free (s);
}

static gboolean
get_number (const config_setting_t *s, double *out)
{
  switch (config_setting_type (s))
    {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
      *out = (double) config_setting_get_int64 (s);
      return TRUE;
    case CONFIG_TYPE_FLOAT:
      *out = config_setting_get_float (s);
      return TRUE;
    default:
      return FALSE;
    }
}

/* Reads the named numeric members of a formula group, refusing others. */
static gboolean
parse_members (const config_setting_t *g, const char *file, const char *key,
               const char *const *names, double *const *outs, const gboolean *required,
               GError **error)
{
  int n = 0;
  while (names[n])
    n++;
  if (!config_setting_is_group (g))
    {
      somaif_config_error (error, file, config_setting_source_line (g), key,
                           "must be a group { ... }");
      return FALSE;
    }
  for (int i = 0; i < config_setting_length (g); i++)
    {
      config_setting_t *m = config_setting_get_elem (g, (unsigned) i);
      const char *mn = config_setting_name (m);
      int k;
      for (k = 0; k < n; k++)
        if (strcmp (mn, names[k]) == 0)
          break;
      g_autofree char *mkey = g_strdup_printf ("%s.%s", key, mn);
      if (k == n)
        {
          somaif_config_unknown_key (error, file, config_setting_source_line (m), mkey, mn,
                                     names, n);
          return FALSE;
        }
      if (!get_number (m, outs[k]) || !isfinite (*outs[k]))
        {
          somaif_config_error (error, file, config_setting_source_line (m), mkey,
                               "must be a finite number");
          return FALSE;
        }
    }
  for (int k = 0; k < n; k++)
    if (required[k] && !config_setting_get_member (g, names[k]))
      {
        g_autofree char *mkey = g_strdup_printf ("%s.%s", key, names[k]);
        somaif_config_error (error, file, config_setting_source_line (g), mkey,
                             "is missing");
        return FALSE;
      }
  return TRUE;
}

static SomaifSchedule *parse (const config_setting_t *setting, const char *file,
                              const char *key, int depth, GError **error);

static SomaifSchedule *
parse_phases (const config_setting_t *list, const char *file, const char *key, int depth,
              GError **error)
{
  int line = config_setting_source_line (list);
  if (!config_setting_is_list (list) || config_setting_length (list) == 0)
    {
      somaif_config_error (error, file, line, key,
                           "must be a non-empty list of phases ( { until_epoch = N; value = ...; }, ... )");
      return NULL;
    }
  SomaifSchedule *s = g_new0 (SomaifSchedule, 1);
  s->kind = SCHED_PHASES;
  s->phases = g_array_new (FALSE, TRUE, sizeof (Phase));
  int n = config_setting_length (list);
  double last_epoch = -1.0, last_fraction = -1.0;
  for (int i = 0; i < n; i++)
    {
      config_setting_t *ph = config_setting_get_elem (list, (unsigned) i);
      g_autofree char *pkey = g_strdup_printf ("%s[%d]", key, i);
      int pline = config_setting_source_line (ph);
      if (!config_setting_is_group (ph))
        {
          somaif_config_error (error, file, pline, pkey, "a phase must be a group { ... }");
          goto fail;
        }
      Phase p = { FALSE, INFINITY, NULL };
      config_setting_t *value = NULL;
      gboolean has_until = FALSE;
      for (int j = 0; j < config_setting_length (ph); j++)
        {
          config_setting_t *m = config_setting_get_elem (ph, (unsigned) j);
          const char *mn = config_setting_name (m);
          g_autofree char *mkey = g_strdup_printf ("%s.%s", pkey, mn);
          int mline = config_setting_source_line (m);
          if (strcmp (mn, "value") == 0)
            value = m;
          else if (strcmp (mn, "until_epoch") == 0 || strcmp (mn, "until_fraction") == 0)
            {
              if (has_until)
                {
                  somaif_config_error (error, file, mline, mkey,
                                       "a phase has one bound: until_epoch or until_fraction");
                  goto fail;
                }
              has_until = TRUE;
              p.by_fraction = mn[6] == 'f';
              if (!get_number (m, &p.until) || !isfinite (p.until) || p.until < 0
                  || (p.by_fraction && p.until > 1.0))
                {
                  somaif_config_error (error, file, mline, mkey, p.by_fraction
                                       ? "must be a fraction of the run in [0, 1]"
                                       : "must be an epoch index >= 0");
                  goto fail;
                }
              if (!p.by_fraction && config_setting_type (m) == CONFIG_TYPE_FLOAT)
                {
                  somaif_config_error (error, file, mline, mkey,
                                       "must be an integer epoch (use until_fraction for a share of the run)");
                  goto fail;
                }
              double *last = p.by_fraction ? &last_fraction : &last_epoch;
              if (p.until <= *last)
                {
                  somaif_config_error (error, file, mline, mkey,
                                       "phases must end in increasing order");
                  goto fail;
                }
              *last = p.until;
            }
          else
            {
              static const char *const pnames[] = { "until_epoch", "until_fraction", "value" };
              somaif_config_unknown_key (error, file, mline, mkey, mn, pnames, 3);
              goto fail;
            }
        }
      if (!value)
        {
          g_autofree char *vkey = g_strdup_printf ("%s.value", pkey);
          somaif_config_error (error, file, pline, vkey, "is missing");
          goto fail;
        }
      if (!has_until && i + 1 < n)
        {
          somaif_config_error (error, file, pline, pkey,
                               "only the last phase may go without until_epoch or until_fraction");
          goto fail;
        }
      if (has_until && i + 1 == n)
        {
          somaif_config_error (error, file, pline, pkey,
                               "the last phase must have no bound (it holds to the end of the run)");
          goto fail;
        }
      g_autofree char *vkey = g_strdup_printf ("%s.value", pkey);
      p.value = parse (value, file, vkey, depth + 1, error);
      if (!p.value)
        goto fail;
      g_array_append_val (s->phases, p);
    }
  return s;
fail:
  somaif_schedule_free (s);
  return NULL;
}

static SomaifSchedule *
parse (const config_setting_t *setting, const char *file, const char *key, int depth,
       GError **error)
{
  int line = config_setting_source_line (setting);
  double v;
  if (get_number (setting, &v))
    {
      if (!isfinite (v))
        {
          somaif_config_error (error, file, line, key, "must be a finite number");
          return NULL;
        }
      return somaif_schedule_new_constant (v);
    }
  if (depth > 8)
    {
      somaif_config_error (error, file, line, key, "schedules nest too deeply");
      return NULL;
    }
  if (!config_setting_is_group (setting) || config_setting_length (setting) != 1)
    {
      somaif_config_error (error, file, line, key,
                           "must be a number or a schedule with one of: constant, linear, exp, tanh, phases");
      return NULL;
    }
  config_setting_t *f = config_setting_get_elem (setting, 0);
  const char *name = config_setting_name (f);
  g_autofree char *fkey = g_strdup_printf ("%s.%s", key, name);
  int k;
  for (k = 0; k < (int) G_N_ELEMENTS (kind_names); k++)
    if (strcmp (name, kind_names[k]) == 0)
      break;
  if (k == (int) G_N_ELEMENTS (kind_names))
    {
      somaif_config_unknown_key (error, file, config_setting_source_line (f), fkey, name,
                                 kind_names, G_N_ELEMENTS (kind_names));
      return NULL;
    }
  if (k == SCHED_PHASES)
    return parse_phases (f, file, fkey, depth, error);

  SomaifSchedule *s = g_new0 (SomaifSchedule, 1);
  s->kind = (SchedKind) k;
  gboolean ok = FALSE;
  switch (s->kind)
    {
    case SCHED_CONSTANT:
      ok = get_number (f, &s->a) && isfinite (s->a);
      if (!ok)
        somaif_config_error (error, file, config_setting_source_line (f), fkey,
                             "must be a finite number");
      break;
    case SCHED_LINEAR:
      {
        static const char *const names[] = { "from", "to", NULL };
        double *outs[] = { &s->a, &s->b };
        static const gboolean req[] = { TRUE, TRUE };
        ok = parse_members (f, file, fkey, names, outs, req, error);
        break;
      }
    case SCHED_EXP:
      {
        static const char *const names[] = { "scale", "rate", NULL };
        double *outs[] = { &s->a, &s->b };
        static const gboolean req[] = { TRUE, TRUE };
        ok = parse_members (f, file, fkey, names, outs, req, error);
        break;
      }
    case SCHED_TANH:
      {
        static const char *const names[] = { "from", "to", "centre", "sharpness", NULL };
        double *outs[] = { &s->a, &s->b, &s->c, &s->d };
        static const gboolean req[] = { TRUE, TRUE, TRUE, TRUE };
        ok = parse_members (f, file, fkey, names, outs, req, error);
        break;
      }
    case SCHED_PHASES:
      g_assert_not_reached ();
    }
  if (!ok)
    {
      somaif_schedule_free (s);
      return NULL;
    }
  return s;
}

SomaifSchedule *
somaif_schedule_parse (const config_setting_t *setting, const char *file, const char *key,
                       GError **error)
{
  return parse (setting, file, key, 0, error);
}

double
somaif_schedule_eval (const SomaifSchedule *s, gint64 epoch, gint64 epochs)
{
  double e = (double) epoch, E = (double) epochs;
  switch (s->kind)
    {
    case SCHED_CONSTANT:
      return s->a;
    case SCHED_LINEAR:
      return s->a + (s->b - s->a) * e / E;
    case SCHED_EXP:
      return s->a * exp (s->b * e / E);
    case SCHED_TANH:
      return s->a + (s->b - s->a) * ((tanh (s->d * (e - s->c * E) / E) + 1.0) / 2.0);
    case SCHED_PHASES:
      for (guint i = 0; i < s->phases->len; i++)
        {
          const Phase *p = &g_array_index (s->phases, Phase, i);
          double bound = p->by_fraction ? p->until * E : p->until;
          if (e < bound)
            return somaif_schedule_eval (p->value, epoch, epochs);
        }
      /* Unreachable: the last phase is unbounded. */
      return NAN;
    }
  return NAN;
}

gboolean
somaif_schedule_is_constant (const SomaifSchedule *s)
{
  return s->kind == SCHED_CONSTANT;
}

static gboolean
outside (const SomaifSchedule *s, gint64 e, gint64 epochs, double min, double max)
{
  double v = somaif_schedule_eval (s, e, epochs);
  return !isfinite (v) || (min <= max && (v < min || v > max));
}

/* The first epoch of [from, to) where s leaves [min, max] or is not finite,
 * or -1.  Each formula is monotonic in the epoch, so its two ends decide a
 * range of epochs: the check costs a few evaluations, not one an epoch. */
static gint64
first_bad_epoch (const SomaifSchedule *s, gint64 from, gint64 to, gint64 epochs, double min,
                 double max)
{
  if (from >= to)
    return -1;
  if (s->kind == SCHED_PHASES)
    {
      gint64 start = 0;
      for (guint i = 0; i < s->phases->len && start < to; i++)
        {
          const Phase *p = &g_array_index (s->phases, Phase, i);
          /* The phase holds while e < bound: up to the first integer >= bound. */
          double bound = p->by_fraction ? p->until * (double) epochs : p->until;
          gint64 end = isfinite (bound) ? (gint64) ceil (MIN (bound, (double) epochs))
                                        : epochs;
          gint64 bad = first_bad_epoch (p->value, MAX (from, start), MIN (to, end), epochs,
                                        min, max);
          if (bad >= 0)
            return bad;
          start = MAX (start, end);
        }
      return -1;
    }
  if (outside (s, from, epochs, min, max))
    return from;
  if (!outside (s, to - 1, epochs, min, max))
    return -1;
  /* In range at from, not at to - 1: the epochs out of range are a tail;
     bisect for its first. */
  gint64 lo = from, hi = to - 1;
  while (hi - lo > 1)
    {
      gint64 mid = lo + (hi - lo) / 2;
      if (outside (s, mid, epochs, min, max))
        hi = mid;
      else
        lo = mid;
    }
  return hi;
}

gboolean
somaif_schedule_check_range (const SomaifSchedule *s, gint64 epochs, double min, double max,
                             const char *file, int line, const char *key, GError **error)
{
  gint64 e = first_bad_epoch (s, 0, epochs, epochs, min, max);
  if (e < 0)
    return TRUE;
  double v = somaif_schedule_eval (s, e, epochs);
  g_autofree char *msg = NULL;
  if (min <= max && isfinite (v))
    msg = g_strdup_printf ("takes the value %.17g at epoch %" G_GINT64_FORMAT
                           ", outside its range [%g, %g]", v, e, min, max);
  else
    msg = g_strdup_printf ("is not finite at epoch %" G_GINT64_FORMAT, e);
  somaif_config_error (error, file, line, key, msg);
  return FALSE;
}

static void
put_indent (GString *out, int indent)
{
  for (int i = 0; i < indent; i++)
    g_string_append_c (out, ' ');
}

void
somaif_schedule_write (const SomaifSchedule *s, GString *out, int indent)
{
  switch (s->kind)
    {
    case SCHED_CONSTANT:
      somaif_config_append_float (out, s->a);
      return;
    case SCHED_LINEAR:
      g_string_append (out, "{ linear = { from = ");
      somaif_config_append_float (out, s->a);
      g_string_append (out, "; to = ");
      somaif_config_append_float (out, s->b);
      g_string_append (out, "; }; }");
      return;
    case SCHED_EXP:
      g_string_append (out, "{ exp = { scale = ");
      somaif_config_append_float (out, s->a);
      g_string_append (out, "; rate = ");
      somaif_config_append_float (out, s->b);
      g_string_append (out, "; }; }");
      return;
    case SCHED_TANH:
      g_string_append (out, "{ tanh = { from = ");
      somaif_config_append_float (out, s->a);
      g_string_append (out, "; to = ");
      somaif_config_append_float (out, s->b);
      g_string_append (out, "; centre = ");
      somaif_config_append_float (out, s->c);
      g_string_append (out, "; sharpness = ");
      somaif_config_append_float (out, s->d);
      g_string_append (out, "; }; }");
      return;
    case SCHED_PHASES:
      g_string_append (out, "{ phases = (\n");
      for (guint i = 0; i < s->phases->len; i++)
        {
          const Phase *p = &g_array_index (s->phases, Phase, i);
          put_indent (out, indent + 4);
          g_string_append (out, "{ ");
          if (isfinite (p->until))
            {
              if (p->by_fraction)
                {
                  g_string_append (out, "until_fraction = ");
                  somaif_config_append_float (out, p->until);
                }
              else
                g_string_append_printf (out, "until_epoch = %.0f", p->until);
              g_string_append (out, "; ");
            }
          g_string_append (out, "value = ");
          somaif_schedule_write (p->value, out, indent + 4);
          g_string_append (out, i + 1 < s->phases->len ? "; },\n" : "; }\n");
        }
      put_indent (out, indent);
      g_string_append (out, ") ; }");
      return;
    }
}
