/* sweep.c: a parameter sweep's combinations, run folders and statistics. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "host.h"
#include "figures.h"
#include "rundir.h"
#include "sweep.h"
#include "readfile.h"


/* Longest combination name kept whole; longer ones end in a hash. */
#define MAX_NAME 180
#define MAX_RUNS 1000000

static const char *const sweep_keys[] = { "base", "vary", "seeds", "threads", "name", "figure",
                                           "output" };

static const char *const stat_names[SOMAIF_SWEEP_N_STATS] = {
  "accuracy", "complexity", "wall_seconds", "distance", "recognised"
};

const char *
somaif_sweep_stat_name (SomaifSweepStat stat)
{
  return stat >= 0 && stat < SOMAIF_SWEEP_N_STATS ? stat_names[stat] : NULL;
}

/* ------------------------------------------------------------------ */
/* Values as config text and as names                                   */

/* The shortest %g text that reads back as v. */
static void
append_short_float (GString *out, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  for (int digits = 1; digits <= 17; digits++)
    {
      char fmt[8];
      g_snprintf (fmt, sizeof fmt, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, fmt, v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  g_string_append (out, buf);
}

/* s as libconfig text, which --set reads back to the same setting. */
static void
append_config_text (GString *out, const config_setting_t *s)
{
  int type = config_setting_type (s);
  switch (type)
    {
    case CONFIG_TYPE_INT:
      g_string_append_printf (out, "%d", config_setting_get_int (s));
      return;
    case CONFIG_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT "L",
                              (gint64) config_setting_get_int64 (s));
      return;
    case CONFIG_TYPE_FLOAT:
      {
        /* Shortest, with a '.' or an exponent so that it stays a float. */
        gsize at = out->len;
        append_short_float (out, config_setting_get_float (s));
        if (!strpbrk (out->str + at, ".eEn"))
          g_string_append (out, ".0");
        return;
      }
    case CONFIG_TYPE_BOOL:
      g_string_append (out, config_setting_get_bool (s) ? "true" : "false");
      return;
    case CONFIG_TYPE_STRING:
      somaif_config_append_string (out, config_setting_get_string (s));
      return;
    default:
      break;
    }
  gboolean group = type == CONFIG_TYPE_GROUP;
  g_string_append (out, group ? "{ " : type == CONFIG_TYPE_ARRAY ? "[" : "(");
  for (int i = 0; i < config_setting_length (s); i++)
    {
      const config_setting_t *e = config_setting_get_elem (s, (unsigned) i);
      if (group)
        g_string_append_printf (out, "%s = ", config_setting_name (e));
      else if (i)
        g_string_append (out, ", ");
      append_config_text (out, e);
      if (group)
        g_string_append (out, "; ");
    }
  g_string_append (out, group ? "}" : type == CONFIG_TYPE_ARRAY ? "]" : ")");
}

/* s as a person writes it: 4, 0.001, esn, true, [1, 2]. */
static void
append_plain_text (GString *out, const config_setting_t *s)
{
  int type = config_setting_type (s);
  switch (type)
    {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, (gint64) config_setting_get_int64 (s));
      return;
    case CONFIG_TYPE_FLOAT:
      append_short_float (out, config_setting_get_float (s));
      return;
    case CONFIG_TYPE_BOOL:
      g_string_append (out, config_setting_get_bool (s) ? "true" : "false");
      return;
    case CONFIG_TYPE_STRING:
      g_string_append (out, config_setting_get_string (s));
      return;
    default:
      break;
    }
  gboolean group = type == CONFIG_TYPE_GROUP;
  g_string_append (out, group ? "{" : "[");
  for (int i = 0; i < config_setting_length (s); i++)
    {
      const config_setting_t *e = config_setting_get_elem (s, (unsigned) i);
      if (i)
        g_string_append (out, ", ");
      if (group)
        g_string_append_printf (out, "%s ", config_setting_name (e));
      append_plain_text (out, e);
    }
  g_string_append (out, group ? "}" : "]");
}

char *
somaif_sweep_sanitise (const char *text)
{
  GString *out = g_string_new (NULL);
  for (const char *p = text; *p; p++)
    {
      if (g_ascii_isalnum (*p) || strchr ("._+-,", *p))
        g_string_append_c (out, *p);
      else if (!(out->len && out->str[out->len - 1] == '_'))
        g_string_append_c (out, '_');
    }
  /* No name of only dots ("." and ".." are not folders of ours). */
  if (out->len == 0 || strspn (out->str, ".") == out->len)
    g_string_append_c (out, '_');
  return g_string_free (out, FALSE);
}

/* A value's text for a folder name (before sanitising): scalars as a
 * person writes them, a list's elements joined by commas. */
static void
append_name_text (GString *out, const config_setting_t *s)
{
  if (!config_setting_is_aggregate (s))
    {
      append_plain_text (out, s);
      return;
    }
  for (int i = 0; i < config_setting_length (s); i++)
    {
      const config_setting_t *e = config_setting_get_elem (s, (unsigned) i);
      if (i)
        g_string_append_c (out, ',');
      if (config_setting_is_group (s))
        g_string_append_printf (out, "%s_", config_setting_name (e));
      append_name_text (out, e);
    }
}

static char *
value_name (const config_setting_t *s)
{
  GString *text = g_string_new (NULL);
  append_name_text (text, s);
  char *name = somaif_sweep_sanitise (text->str);
  g_string_free (text, TRUE);
  return name;
}

/* ------------------------------------------------------------------ */
/* Loading                                                              */

static void
axis_clear (SomaifSweepAxis *a)
{
  g_free (a->key);
  g_free (a->label);
  for (int i = 0; i < a->n_values; i++)
    {
      g_free (a->values[i]);
      g_free (a->names[i]);
    }
  g_free (a->values);
  g_free (a->names);
}

void
somaif_sweep_free (SomaifSweep *s)
{
  if (!s)
    return;
  for (int i = 0; i < s->n_axes; i++)
    axis_clear (&s->axes[i]);
  g_free (s->axes);
  g_free (s->seeds);
  g_free (s->path);
  g_free (s->name);
  g_free (s->base);
  g_free (s);
}

static gboolean
fail_at (GError **error, const SomaifSweep *s, const config_setting_t *at, const char *key,
         const char *message)
{
  int line = at ? config_setting_source_line (at) : 0;
  if (line > 0)
    somaif_config_error (error, s->path, line, key, message);
  else
    g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_INVALID, "%s: %s: %s", s->path,
                 key, message);
  return FALSE;
}

/* A config path relative to the sweep file's folder, else an installed
 * config's name (as somaif-run takes it). */
static char *
resolve_base (const char *base, const char *dir)
{
  g_autofree char *path = somaif_config_find (base, dir);
  return g_canonicalize_filename (path, NULL);
}

static gboolean
get_int (const config_setting_t *s, gint64 *out)
{
  int t = config_setting_type (s);
  if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
    return FALSE;
  *out = config_setting_get_int64 (s);
  return TRUE;
}

static gboolean
load_axis (SomaifSweep *s, const config_setting_t *entry, int index, GError **error)
{
  g_autofree char *where = g_strdup_printf ("vary[%d]", index);
  if (!config_setting_is_group (entry))
    return fail_at (error, s, entry, where,
                    "must be a group { key = \"group.key\"; values = [ ... ]; }");
  for (int m = 0; m < config_setting_length (entry); m++)
    {
      const config_setting_t *e = config_setting_get_elem (entry, (unsigned) m);
      const char *n = config_setting_name (e);
      if (strcmp (n, "key") != 0 && strcmp (n, "values") != 0)
        {
          g_autofree char *k = g_strdup_printf ("%s.%s", where, n);
          const char *valid[] = { "key", "values" };
          somaif_config_unknown_key (error, s->path, config_setting_source_line (e), k, n,
                                     valid, 2);
          return FALSE;
        }
    }
  const config_setting_t *ks = config_setting_get_member (entry, "key");
  const char *key = ks ? config_setting_get_string (ks) : NULL;
  if (!key)
    return fail_at (error, s, ks ? ks : entry, where,
                    "needs key = \"group.key\"; (a string naming the varied key)");
  g_auto (GStrv) parts = g_strsplit (key, ".", -1);
  gboolean ok = g_strv_length (parts) >= 2;
  for (int i = 0; ok && parts[i]; i++)
    {
      ok = parts[i][0] && g_ascii_isalpha (parts[i][0]);
      for (const char *c = parts[i]; ok && *c; c++)
        ok = g_ascii_isalnum (*c) || *c == '_' || *c == '-';
    }
  if (!ok)
    {
      g_autofree char *m = g_strdup_printf ("'%s' is not a key path (a group and a key, "
                                            "e.g. experiment.beta)", key);
      return fail_at (error, s, ks, where, m);
    }
  if (strcmp (key, "experiment.seed") == 0)
    return fail_at (error, s, ks, where,
                    "experiment.seed is varied by seeds = { from = N; count = K; };");
  for (int i = 0; i < s->n_axes; i++)
    if (strcmp (s->axes[i].key, key) == 0)
      {
        g_autofree char *m = g_strdup_printf ("%s is varied twice", key);
        return fail_at (error, s, ks, where, m);
      }
  const config_setting_t *vs = config_setting_get_member (entry, "values");
  if (!vs || !(config_setting_is_array (vs) || config_setting_is_list (vs))
      || config_setting_length (vs) == 0)
    {
      g_autofree char *m = g_strdup_printf ("%s needs values = [ ... ]; (a non-empty list)", key);
      return fail_at (error, s, vs ? vs : entry, where, m);
    }

  SomaifSweepAxis *a = &s->axes[s->n_axes++];
  a->key = g_strdup (key);
  a->n_values = config_setting_length (vs);
  a->values = g_new0 (char *, a->n_values);
  a->names = g_new0 (char *, a->n_values);
  for (int i = 0; i < a->n_values; i++)
    {
      const config_setting_t *v = config_setting_get_elem (vs, (unsigned) i);
      GString *text = g_string_new (NULL);
      append_config_text (text, v);
      a->values[i] = g_string_free (text, FALSE);
      a->names[i] = value_name (v);
      for (int j = 0; j < i; j++)
        if (strcmp (a->names[j], a->names[i]) == 0)
          {
            g_autofree char *m = g_strdup_printf ("values %d (%s) and %d (%s) would share the "
                                                  "folder name '%s'", j + 1, a->values[j],
                                                  i + 1, a->values[i], a->names[i]);
            return fail_at (error, s, vs, key, m);
          }
    }
  return TRUE;
}

/* The base config's own experiment.seed (0, its default, when unreadable:
 * somaif_config_load reports what is wrong with it later). */
static gint64
base_seed (const char *base)
{
  config_t cfg;
  config_init (&cfg);
  long long seed = 0;
  if (config_read_file (&cfg, base) != CONFIG_TRUE
      || config_lookup_int64 (&cfg, "experiment.seed", &seed) != CONFIG_TRUE || seed < 0)
    seed = 0;
  config_destroy (&cfg);
  return seed;
}

static gboolean
load_seeds (SomaifSweep *s, const config_setting_t *ss, GError **error)
{
  if (!ss)
    {
      s->n_seeds = 1;
      s->seeds = g_new (gint64, 1);
      s->seeds[0] = base_seed (s->base);
      return TRUE;
    }
  if (config_setting_is_group (ss))
    {
      gint64 from = 0, count = 0;
      const config_setting_t *f = config_setting_get_member (ss, "from");
      const config_setting_t *c = config_setting_get_member (ss, "count");
      for (int m = 0; m < config_setting_length (ss); m++)
        {
          const config_setting_t *e = config_setting_get_elem (ss, (unsigned) m);
          const char *n = config_setting_name (e);
          if (strcmp (n, "from") != 0 && strcmp (n, "count") != 0)
            {
              g_autofree char *k = g_strdup_printf ("seeds.%s", n);
              const char *valid[] = { "from", "count" };
              somaif_config_unknown_key (error, s->path, config_setting_source_line (e), k, n,
                                         valid, 2);
              return FALSE;
            }
        }
      if (f && (!get_int (f, &from) || from < 0))
        return fail_at (error, s, f, "seeds.from", "must be a whole number >= 0");
      if (!c || !get_int (c, &count) || count < 1 || count > MAX_RUNS)
        return fail_at (error, s, c ? c : ss, "seeds.count",
                        "is required: a whole number of seeds, 1 to 1000000");
      if (from > G_MAXINT64 - count)
        return fail_at (error, s, f, "seeds.from", "is too large");
      s->n_seeds = (int) count;
      s->seeds = g_new (gint64, s->n_seeds);
      for (int i = 0; i < s->n_seeds; i++)
        s->seeds[i] = from + i;
      return TRUE;
    }
  if (!(config_setting_is_array (ss) || config_setting_is_list (ss))
      || config_setting_length (ss) == 0 || config_setting_length (ss) > MAX_RUNS)
    return fail_at (error, s, ss, "seeds",
                    "must be { from = N; count = K; } or a list of seeds [1, 2, ...]");
  s->n_seeds = config_setting_length (ss);
  s->seeds = g_new (gint64, s->n_seeds);
  for (int i = 0; i < s->n_seeds; i++)
    {
      if (!get_int (config_setting_get_elem (ss, (unsigned) i), &s->seeds[i]) || s->seeds[i] < 0)
        return fail_at (error, s, ss, "seeds", "each seed must be a whole number >= 0");
      for (int j = 0; j < i; j++)
        if (s->seeds[j] == s->seeds[i])
          {
            g_autofree char *m = g_strdup_printf ("seed %" G_GINT64_FORMAT " is listed twice",
                                                  s->seeds[i]);
            return fail_at (error, s, ss, "seeds", m);
          }
    }
  return TRUE;
}

/* The varied key named key (its whole key or its label), or -1. */
static int
axis_named (const SomaifSweep *s, const char *key)
{
  for (int i = 0; key && i < s->n_axes; i++)
    if (strcmp (s->axes[i].key, key) == 0 || strcmp (s->axes[i].label, key) == 0)
      return i;
  return -1;
}

/* figure = { column = "distance"; against = "beta"; log = true; } */
static gboolean
load_figure (SomaifSweep *s, const config_setting_t *fs, GError **error)
{
  s->figure_stat = -1;
  if (!fs)
    return TRUE;
  const char *column = NULL, *against = NULL;
  int log_x = 0;
  if (!config_setting_is_group (fs) || !config_setting_lookup_string (fs, "column", &column)
      || !config_setting_lookup_string (fs, "against", &against))
    return fail_at (error, s, fs, "figure",
                    "must be a group { column = \"distance\"; against = \"beta\"; log = true; }");
  for (int k = 0; k < SOMAIF_SWEEP_N_STATS; k++)
    if (strcmp (column, stat_names[k]) == 0)
      s->figure_stat = k;
  if (s->figure_stat < 0)
    return fail_at (error, s, fs, "figure.column",
                    "must be a summary column: accuracy, complexity, wall_seconds, distance "
                    "or recognised");
  s->figure_axis = axis_named (s, against);
  if (s->figure_axis < 0)
    return fail_at (error, s, fs, "figure.against", "must be a varied key (its key or label)");
  const config_setting_t *ls = config_setting_get_member (fs, "log");
  if (ls && config_setting_type (ls) != CONFIG_TYPE_BOOL)
    return fail_at (error, s, ls, "figure.log", "must be true or false");
  log_x = ls ? config_setting_get_bool (ls) : 0;
  s->figure_log = log_x != 0;
  const SomaifSweepAxis *a = &s->axes[s->figure_axis];
  for (int v = 0; v < a->n_values; v++)
    {
      char *end = NULL;
      double x = g_ascii_strtod (a->values[v], &end);
      if (end == a->values[v] || *end || !isfinite (x) || (s->figure_log && !(x > 0.0)))
        return fail_at (error, s, fs, "figure.against",
                        s->figure_log ? "must vary over numbers > 0 for a log axis"
                                      : "must vary over numbers");
    }
  return TRUE;
}

/* output = "lean"; (the default): the runs' experiment.output. */
static gboolean
load_output (SomaifSweep *s, const config_setting_t *os, GError **error)
{
  s->output_level = SOMAIF_OUTPUT_LEAN;
  if (!os)
    return TRUE;
  const char *name = config_setting_get_string (os);
  s->output_level = somaif_output_level_parse (name);
  if (s->output_level < 0)
    return fail_at (error, s, os, "output", "must be \"full\", \"compact\" or \"lean\"");
  return TRUE;
}

static gboolean
load_settings (SomaifSweep *s, config_t *cfg, GError **error)
{
  config_setting_t *root = config_root_setting (cfg);
  for (int i = 0; i < config_setting_length (root); i++)
    {
      const config_setting_t *e = config_setting_get_elem (root, (unsigned) i);
      const char *n = config_setting_name (e);
      gboolean known = FALSE;
      for (guint k = 0; k < G_N_ELEMENTS (sweep_keys); k++)
        known = known || strcmp (n, sweep_keys[k]) == 0;
      if (!known)
        {
          somaif_config_unknown_key (error, s->path, config_setting_source_line (e), n, n,
                                     sweep_keys, G_N_ELEMENTS (sweep_keys));
          return FALSE;
        }
    }

  const config_setting_t *bs = config_lookup (cfg, "base");
  const char *base = bs ? config_setting_get_string (bs) : NULL;
  if (!base || !*base)
    return fail_at (error, s, bs, "base",
                    "is required: the config the sweep varies (base = \"quick.cfg\";)");
  g_autofree char *dir = g_path_get_dirname (s->path);
  s->base = resolve_base (base, dir);

  const config_setting_t *ns = config_lookup (cfg, "name");
  if (ns)
    {
      const char *name = config_setting_get_string (ns);
      if (!name || !*name)
        return fail_at (error, s, ns, "name", "must be a non-empty string");
      g_free (s->name);
      s->name = somaif_sweep_sanitise (name);
    }

  const config_setting_t *vs = config_lookup (cfg, "vary");
  if (vs)
    {
      if (!(config_setting_is_list (vs) || config_setting_is_array (vs)))
        return fail_at (error, s, vs, "vary",
                        "must be a list ( { key = \"group.key\"; values = [ ... ]; }, ... )");
      int n = config_setting_length (vs);
      s->axes = g_new0 (SomaifSweepAxis, n ? n : 1);
      for (int i = 0; i < n; i++)
        if (!load_axis (s, config_setting_get_elem (vs, (unsigned) i), i, error))
          return FALSE;
    }
  /* Labels: the key's last part, unless two varied keys share it. */
  for (int i = 0; i < s->n_axes; i++)
    {
      const char *last = strrchr (s->axes[i].key, '.') + 1;
      gboolean shared = FALSE;
      for (int j = 0; j < s->n_axes; j++)
        shared = shared || (j != i && strcmp (strrchr (s->axes[j].key, '.') + 1, last) == 0);
      s->axes[i].label = somaif_sweep_sanitise (shared ? s->axes[i].key : last);
    }

  if (!load_seeds (s, config_lookup (cfg, "seeds"), error)
      || !load_figure (s, config_lookup (cfg, "figure"), error))
    return FALSE;

  s->threads = 1;
  const config_setting_t *ts = config_lookup (cfg, "threads");
  if (ts)
    {
      gint64 t;
      if (!get_int (ts, &t) || t < 1 || t > 1024)
        return fail_at (error, s, ts, "threads", "must be a whole number of threads, 1 to 1024");
      s->threads = (int) t;
    }

  if (!load_output (s, config_lookup (cfg, "output"), error))
    return FALSE;

  gint64 combos = 1;
  for (int i = 0; i < s->n_axes; i++)
    {
      combos *= s->axes[i].n_values;
      if (combos * s->n_seeds > MAX_RUNS)
        {
          g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_INVALID,
                       "%s: more than %d runs", s->path, MAX_RUNS);
          return FALSE;
        }
    }
  s->n_combos = (int) combos;
  return TRUE;
}

static SomaifSweep *
sweep_new (const char *path)
{
  SomaifSweep *s = g_new0 (SomaifSweep, 1);
  s->path = g_strdup (path);
  g_autofree char *leaf = g_path_get_basename (path);
  if (g_str_has_suffix (leaf, ".cfg"))
    leaf[strlen (leaf) - 4] = '\0';
  s->name = somaif_sweep_sanitise (leaf);
  s->figure_stat = -1;
  return s;
}

SomaifSweep *
somaif_sweep_load_data (const char *text, const char *path, GError **error)
{
  SomaifSweep *s = sweep_new (path);
  config_t cfg;
  config_init (&cfg);
  gboolean ok = FALSE;
  if (config_read_string (&cfg, text) != CONFIG_TRUE)
    g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_SYNTAX, "%s:%d: syntax error: %s",
                 path, config_error_line (&cfg), config_error_text (&cfg));
  else
    ok = load_settings (s, &cfg, error);
  config_destroy (&cfg);
  if (!ok)
    {
      somaif_sweep_free (s);
      return NULL;
    }
  return s;
}

SomaifSweep *
somaif_sweep_load (const char *name, GError **error)
{
  /* a name without a '/' that is no file here: an installed sweep */
  g_autofree char *path = somaif_config_find (name, NULL);
  g_autofree char *text = NULL;
  gsize len = 0;
  GError *ferr = NULL;
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_USAGE,
                   "%s: is a folder, not a sweep file", path);
      return NULL;
    }
  if (!somaif_read_file (path, "sweep file", SOMAIF_MAX_CONFIG_BYTES, &text, &len, &ferr))
    {
      g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_USAGE, "%s", ferr->message);
      g_error_free (ferr);
      return NULL;
    }
  if (memchr (text, '\0', len) || !g_utf8_validate (text, (gssize) len, NULL))
    {
      g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_SYNTAX,
                   "%s: not a text sweep file (it holds binary data)", path);
      return NULL;
    }
  return somaif_sweep_load_data (text, path, error);
}

/* ------------------------------------------------------------------ */
/* Combinations and runs                                                */

int
somaif_sweep_n_runs (const SomaifSweep *s)
{
  return s->n_combos * s->n_seeds;
}

void
somaif_sweep_combo_indices (const SomaifSweep *s, int combo, int *index)
{
  for (int i = s->n_axes - 1; i >= 0; i--)
    {
      index[i] = combo % s->axes[i].n_values;
      combo /= s->axes[i].n_values;
    }
}

char *
somaif_sweep_combo_name (const SomaifSweep *s, int combo)
{
  if (s->n_axes == 0)
    return g_strdup ("base");
  int *index = g_new (int, s->n_axes);
  somaif_sweep_combo_indices (s, combo, index);
  GString *out = g_string_new (NULL);
  for (int i = 0; i < s->n_axes; i++)
    g_string_append_printf (out, "%s%s=%s", i ? "-" : "", s->axes[i].label,
                            s->axes[i].names[index[i]]);
  g_free (index);
  if (out->len > MAX_NAME)
    {
      /* Too long for a file name: cut, and keep it unique with a hash. */
      g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA1, out->str, -1);
      g_string_truncate (out, MAX_NAME - 10);
      g_string_append_printf (out, "~%.8s", sum);
    }
  return g_string_free (out, FALSE);
}

gint64
somaif_sweep_run_seed (const SomaifSweep *s, int run)
{
  return s->seeds[run % s->n_seeds];
}

char *
somaif_sweep_run_name (const SomaifSweep *s, int run)
{
  g_autofree char *combo = somaif_sweep_combo_name (s, run / s->n_seeds);
  return g_strdup_printf ("%s-seed=%" G_GINT64_FORMAT, combo, somaif_sweep_run_seed (s, run));
}

char **
somaif_sweep_combo_sets (const SomaifSweep *s, int combo)
{
  int *index = g_new (int, s->n_axes ? s->n_axes : 1);
  somaif_sweep_combo_indices (s, combo, index);
  char **sets = g_new0 (char *, s->n_axes + 1);
  for (int i = 0; i < s->n_axes; i++)
    sets[i] = g_strdup_printf ("%s=%s", s->axes[i].key, s->axes[i].values[index[i]]);
  g_free (index);
  return sets;
}

char *
somaif_sweep_output_set (const SomaifSweep *s)
{
  for (int i = 0; i < s->n_axes; i++)
    if (strcmp (s->axes[i].key, "experiment.output") == 0)
      return NULL;
  return g_strdup_printf ("experiment.output=\"%s\"", somaif_output_level_name (s->output_level));
}

char **
somaif_sweep_run_sets (const SomaifSweep *s, int combo)
{
  g_auto (GStrv) sets = somaif_sweep_combo_sets (s, combo);
  char *level = somaif_sweep_output_set (s);
  GPtrArray *all = g_ptr_array_new ();
  if (level)
    g_ptr_array_add (all, level);
  for (int i = 0; sets[i]; i++)
    g_ptr_array_add (all, g_steal_pointer (&sets[i]));
  g_ptr_array_add (all, NULL);
  return (char **) g_ptr_array_free (all, FALSE);
}

char *
somaif_sweep_resolved (const SomaifSweep *s)
{
  GString *out = g_string_new ("# The sweep that made this folder (somaif-sweep), its base\n"
                               "# config's path resolved and its seeds listed.\n");
  g_string_append (out, "name = ");
  somaif_config_append_string (out, s->name);
  g_string_append (out, ";\nbase = ");
  somaif_config_append_string (out, s->base);
  g_string_append (out, ";\n");
  if (s->n_axes)
    {
      g_string_append (out, "vary = (\n");
      for (int i = 0; i < s->n_axes; i++)
        {
          g_string_append (out, "  { key = ");
          somaif_config_append_string (out, s->axes[i].key);
          g_string_append (out, "; values = ( ");
          for (int v = 0; v < s->axes[i].n_values; v++)
            g_string_append_printf (out, "%s%s", v ? ", " : "", s->axes[i].values[v]);
          g_string_append_printf (out, " ); }%s\n", i + 1 < s->n_axes ? "," : "");
        }
      g_string_append (out, ");\n");
    }
  g_string_append (out, "seeds = [");
  for (int i = 0; i < s->n_seeds; i++)
    g_string_append_printf (out, "%s%" G_GINT64_FORMAT "%s", i ? ", " : "", s->seeds[i],
                            s->seeds[i] > G_MAXINT32 ? "L" : "");
  g_string_append_printf (out, "];\nthreads = %d;\noutput = \"%s\";\n", s->threads,
                          somaif_output_level_name (s->output_level));
  if (s->figure_stat >= 0)
    {
      g_string_append_printf (out, "figure = { column = \"%s\"; against = ",
                              stat_names[s->figure_stat]);
      somaif_config_append_string (out, s->axes[s->figure_axis].key);
      g_string_append_printf (out, "; log = %s; };\n", s->figure_log ? "true" : "false");
    }
  return g_string_free (out, FALSE);
}

SomaifSweepRunState
somaif_sweep_run_state (const char *dir)
{
  g_autofree char *json = g_build_filename (dir, "run.json", NULL);
  g_autofree char *ck = g_build_filename (dir, "checkpoint.bin", NULL);
  gboolean has_json = g_file_test (json, G_FILE_TEST_IS_REGULAR);
  if (has_json && somaif_rundir_check_final (dir, NULL))
    return SOMAIF_SWEEP_RUN_DONE;
  if (!has_json && g_file_test (ck, G_FILE_TEST_IS_REGULAR))
    return SOMAIF_SWEEP_RUN_INTERRUPTED;
  return SOMAIF_SWEEP_RUN_NEW;
}

gboolean
somaif_sweep_check_config (const SomaifSweep *s, int run, const char *dir, GError **error)
{
  g_auto (GStrv) sets = somaif_sweep_run_sets (s, run / s->n_seeds);
  SomaifConfig *cfg = somaif_config_load (s->base, (const char *const *) sets,
                                          somaif_sweep_run_seed (s, run), error);
  if (!cfg)
    return FALSE;
  g_autofree char *want = somaif_config_resolved (cfg);
  somaif_config_free (cfg);
  g_autofree char *path = g_build_filename (dir, "config.cfg", NULL);
  g_autofree char *have = NULL;
  if (somaif_read_file (path, "config", SOMAIF_MAX_CONFIG_BYTES, &have, NULL, NULL)
      && strcmp (have, want) == 0)
    return TRUE;
  g_autofree char *name = somaif_sweep_run_name (s, run);
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
               "%s: %s is not this sweep's run %s (%s with its values and seed): a run of "
               "another sweep or config", dir, have ? "its config.cfg" : "no config.cfg: it",
               name, s->base);
  return FALSE;
}

SomaifSweepRunState
somaif_sweep_run_state_of (const SomaifSweep *s, int run, const char *dir)
{
  SomaifSweepRunState st = somaif_sweep_run_state (dir);
  if (st != SOMAIF_SWEEP_RUN_NEW && !somaif_sweep_check_config (s, run, dir, NULL))
    return SOMAIF_SWEEP_RUN_NEW;
  return st;
}

/* ------------------------------------------------------------------ */
/* Student's t                                                          */

/* The continued fraction of the regularised incomplete beta function
 * (evaluated from the front with the modified Lentz method). */
static double
beta_fraction (double a, double b, double x)
{
  const double tiny = 1e-300, eps = 1e-15;
  double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
  if (fabs (d) < tiny)
    d = tiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 1000; m++)
    {
      /* Two terms a step: the even one d_2m, then the odd one d_2m+1. */
      for (int odd = 0; odd < 2; odd++)
        {
          double num = odd ? -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
                           : m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
          d = 1.0 + num * d;
          if (fabs (d) < tiny)
            d = tiny;
          c = 1.0 + num / c;
          if (fabs (c) < tiny)
            c = tiny;
          d = 1.0 / d;
          double step = c * d;
          h *= step;
          if (odd && fabs (step - 1.0) < eps)
            return h;
        }
    }
  return h;
}

/* I_x(a, b). */
static double
incomplete_beta (double a, double b, double x)
{
  if (x <= 0.0)
    return 0.0;
  if (x >= 1.0)
    return 1.0;
  double front = exp (lgamma (a + b) - lgamma (a) - lgamma (b) + a * log (x) + b * log1p (-x));
  /* The fraction converges quickly below the mean; above it use symmetry. */
  if (x < (a + 1.0) / (a + b + 2.0))
    return front * beta_fraction (a, b, x) / a;
  return 1.0 - front * beta_fraction (b, a, 1.0 - x) / b;
}

/* P(T > t) for t >= 0. */
static double
t_upper_tail (double t, double df)
{
  if (df > 1e7)
    return 0.5 * erfc (t / sqrt (2.0));
  return 0.5 * incomplete_beta (df / 2.0, 0.5, df / (df + t * t));
}

double
somaif_t_quantile (double p, double df)
{
  if (!(df > 0.0) || !(p > 0.0 && p < 1.0))
    return p == 0.0 ? -INFINITY : p == 1.0 ? INFINITY : NAN;
  if (p == 0.5)
    return 0.0;
  if (p < 0.5)
    return -somaif_t_quantile (1.0 - p, df);
  double tail = 1.0 - p;
  double lo = 0.0, hi = 1.0;
  while (t_upper_tail (hi, df) > tail && hi < 1e300)
    {
      lo = hi;
      hi *= 2.0;
    }
  /* The tail falls as t grows: bisect to the last bit. */
  for (int i = 0; i < 2000 && hi - lo > 1e-15 * hi; i++)
    {
      double mid = 0.5 * (lo + hi);
      if (mid <= lo || mid >= hi)
        break;
      if (t_upper_tail (mid, df) > tail)
        lo = mid;
      else
        hi = mid;
    }
  return 0.5 * (lo + hi);
}

void
somaif_mean_ci95 (const double *x, int n, double *mean, double *half)
{
  *mean = *half = NAN;
  if (n < 1)
    return;
  double sum = 0.0;
  for (int i = 0; i < n; i++)
    sum += x[i];
  *mean = sum / n;
  if (n < 2)
    return;
  double ss = 0.0;
  for (int i = 0; i < n; i++)
    ss += (x[i] - *mean) * (x[i] - *mean);
  *half = somaif_t_quantile (0.975, n - 1) * sqrt (ss / (n - 1)) / sqrt ((double) n);
}

/* ------------------------------------------------------------------ */
/* Reading finished runs                                                */

gboolean
somaif_sweep_read_run (const char *dir, double *stats, GError **error)
{
  GArray *rows = somaif_rundir_read_final (dir, error);
  if (!rows)
    return FALSE;
  SomaifRunInfo info;
  gboolean ok = somaif_rundir_read_run (dir, &info, error);
  double sa = 0.0, sc = 0.0, sd = 0.0, hits = 0.0;
  for (guint i = 0; i < rows->len; i++)
    {
      const SomaifFinalRow *r = &g_array_index (rows, SomaifFinalRow, i);
      sa += r->accuracy;
      sc += r->complexity;
      sd += r->distance;
      hits += r->winner == r->goal;
    }
  if (ok)
    {
      stats[SOMAIF_SWEEP_ACCURACY] = sa / rows->len;
      stats[SOMAIF_SWEEP_COMPLEXITY] = sc / rows->len;
      stats[SOMAIF_SWEEP_WALL_SECONDS] = info.wall_seconds;
      stats[SOMAIF_SWEEP_DISTANCE] = sd / rows->len;
      stats[SOMAIF_SWEEP_RECOGNISED] = hits / rows->len;
      somaif_rundir_run_info_clear (&info);
    }
  g_array_free (rows, TRUE);
  return ok;
}

/* A run's learning curves (the means across goals, per visit): its
 * curves.csv, which a finished run has at every output level, or for a run
 * written before curves.csv existed, computed from its metrics.csv. */
static gboolean
read_curves (const char *dir, int *n_points, double **acc, double **comp, GError **error)
{
  SomaifCurves c;
  g_autofree char *csv = g_build_filename (dir, "curves.csv", NULL);
  if (g_file_test (csv, G_FILE_TEST_IS_REGULAR))
    {
      if (!somaif_rundir_read_curves (dir, &c, error))
        return FALSE;
      *n_points = c.n_points;
      *acc = g_steal_pointer (&c.acc_mean);
      *comp = g_steal_pointer (&c.comp_mean);
      somaif_rundir_curves_clear (&c);
      return TRUE;
    }
  GArray *rows = somaif_rundir_read_metrics (dir, error);
  if (!rows)
    return FALSE;
  somaif_rundir_curves ((const SomaifMetricsRow *) (void *) rows->data, rows->len, &c);
  *n_points = c.n_points;
  *acc = g_steal_pointer (&c.acc_mean);
  *comp = g_steal_pointer (&c.comp_mean);
  somaif_rundir_curves_clear (&c);
  g_array_free (rows, TRUE);
  return TRUE;
}

int
somaif_sweep_mean_curves (int n, const int *n_points, double *const *curve, double **mean,
                          double **band)
{
  int len = n > 0 ? G_MAXINT : 0;
  for (int k = 0; k < n; k++)
    len = MIN (len, MAX (n_points[k], 0));
  *mean = *band = NULL;
  if (len == 0)
    return 0;
  *mean = g_new (double, len);
  *band = g_new (double, len);
  double *column = g_new (double, n);
  for (int i = 0; i < len; i++)
    {
      for (int k = 0; k < n; k++)
        column[k] = curve[k][i];
      somaif_mean_ci95 (column, n, &(*mean)[i], &(*band)[i]);
    }
  g_free (column);
  return len;
}

static void
append_csv_field (GString *out, const char *s)
{
  if (!strpbrk (s, ",\"\n\r"))
    {
      g_string_append (out, s);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = s; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_csv_number (GString *out, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  if (isnan (v))
    g_string_append (out, "nan");
  else
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.10g", v));
}

/* The plain text of axis i's value v (numbers as 4, strings bare). */
static char *
axis_plain (const SomaifSweepAxis *axis, int v)
{
  config_t tmp;
  config_init (&tmp);
  g_autofree char *text = g_strdup_printf ("v = %s;", axis->values[v]);
  GString *out = g_string_new (NULL);
  if (config_read_string (&tmp, text) == CONFIG_TRUE)
    append_plain_text (out, config_lookup (&tmp, "v"));
  else
    g_string_append (out, axis->values[v]);
  config_destroy (&tmp);
  return g_string_free (out, FALSE);
}

/* One combination's finished runs: their numbers and learning curves. */
typedef struct
{
  int n;                               /* finished runs read */
  double *vals[SOMAIF_SWEEP_N_STATS];  /* n_seeds each, n used */
  int *points;                         /* each run's curve length */
  double **curve[2];                   /* inaccuracy, complexity per run */
} ComboRuns;

static void
combo_runs_init (ComboRuns *c, int n_seeds)
{
  memset (c, 0, sizeof *c);
  for (int k = 0; k < SOMAIF_SWEEP_N_STATS; k++)
    c->vals[k] = g_new (double, n_seeds);
  c->points = g_new (int, n_seeds);
  c->curve[0] = g_new0 (double *, n_seeds);
  c->curve[1] = g_new0 (double *, n_seeds);
}

/* Frees the runs' curves (n_seeds of them at most), keeping the arrays. */
static void
combo_runs_drop_curves (ComboRuns *c, int n_seeds)
{
  for (int k = 0; k < n_seeds; k++)
    for (int p = 0; p < 2; p++)
      g_clear_pointer (&c->curve[p][k], g_free);
}

static void
combo_runs_clear (ComboRuns *c, int n_seeds)
{
  combo_runs_drop_curves (c, n_seeds);
  for (int k = 0; k < SOMAIF_SWEEP_N_STATS; k++)
    g_free (c->vals[k]);
  g_free (c->points);
  g_free (c->curve[0]);
  g_free (c->curve[1]);
}

/* Reads combo's finished runs into c (c->n of them); counts the others. */
static gboolean
read_combo (const SomaifSweep *s, const char *outdir, int combo, ComboRuns *c, int *n_missing,
            GError **error)
{
  double stats[SOMAIF_SWEEP_N_STATS];
  c->n = 0;
  for (int k = 0; k < s->n_seeds; k++)
    {
      g_autofree char *name = somaif_sweep_run_name (s, combo * s->n_seeds + k);
      g_autofree char *dir = g_build_filename (outdir, name, NULL);
      if (somaif_sweep_run_state (dir) != SOMAIF_SWEEP_RUN_DONE)
        {
          /* Finished, by its run.json, but its results are not whole. */
          g_autofree char *json = g_build_filename (dir, "run.json", NULL);
          if (g_file_test (json, G_FILE_TEST_EXISTS) && !somaif_rundir_check_final (dir, error))
            return FALSE;
          (*n_missing)++;
          continue;
        }
      if (!somaif_sweep_check_config (s, combo * s->n_seeds + k, dir, error)
          || !somaif_sweep_read_run (dir, stats, error)
          || !read_curves (dir, &c->points[c->n], &c->curve[0][c->n], &c->curve[1][c->n],
                           error))
        return FALSE;
      for (int i = 0; i < SOMAIF_SWEEP_N_STATS; i++)
        c->vals[i][c->n] = stats[i];
      c->n++;
    }
  return TRUE;
}

/* combo's values as CSV fields (each followed by a comma) and as a label. */
static char *
combo_fields (const SomaifSweep *s, int combo, int skip_axis, GString *csv)
{
  int *index = g_new (int, s->n_axes ? s->n_axes : 1);
  somaif_sweep_combo_indices (s, combo, index);
  GString *label = g_string_new (NULL);
  for (int i = 0; i < s->n_axes; i++)
    {
      g_autofree char *plain = axis_plain (&s->axes[i], index[i]);
      if (csv)
        {
          append_csv_field (csv, plain);
          g_string_append_c (csv, ',');
        }
      if (i != skip_axis)
        g_string_append_printf (label, "%s%s = %s", label->len ? ", " : "", s->axes[i].label,
                                plain);
    }
  g_free (index);
  return g_string_free (label, FALSE);
}

/* outdir/sweep-COLUMN.png: the column's means and half-widths (one per
 * combination) against the figure's axis, a line per value of the others. */
static gboolean
summary_figure (const SomaifSweep *s, const char *outdir, const double *mean,
                const double *half, GError **error)
{
  const SomaifSweepAxis *a = &s->axes[s->figure_axis];
  int n_points = a->n_values, n_lines = s->n_combos / n_points;
  double *x = g_new (double, n_points);
  double *m = g_new (double, s->n_combos), *h = g_new (double, s->n_combos);
  char **labels = g_new0 (char *, n_lines + 1);
  int *index = g_new (int, s->n_axes);
  for (int v = 0; v < n_points; v++)
    x[v] = g_ascii_strtod (a->values[v], NULL);
  for (int combo = 0; combo < s->n_combos; combo++)
    {
      /* the line: combo's index with the figure's axis left out */
      somaif_sweep_combo_indices (s, combo, index);
      int line = 0;
      for (int i = 0; i < s->n_axes; i++)
        if (i != s->figure_axis)
          line = line * s->axes[i].n_values + index[i];
      m[line * n_points + index[s->figure_axis]] = mean[combo];
      h[line * n_points + index[s->figure_axis]] = half[combo];
      if (!labels[line])
        labels[line] = combo_fields (s, combo, s->figure_axis, NULL);
    }
  const char *column = stat_names[s->figure_stat];
  g_autofree char *file = g_strdup_printf ("sweep-%s.png", column);
  g_autofree char *path = g_build_filename (outdir, file, NULL);
  g_autofree char *y_label = g_strdup_printf ("%s (mean, 95%% interval)", column);
  gboolean ok = somaif_figure_column (path, s->name, a->key, y_label, s->figure_log, n_lines,
                                      (const char *const *) labels, n_points, x, m, h, error);
  g_free (x);
  g_free (m);
  g_free (h);
  g_strfreev (labels);
  g_free (index);
  return ok;
}

/* The learning curves of every combination (sweep.png). */
static gboolean
summary_curves (const SomaifSweep *s, const char *outdir, char **labels, int *n_points,
                double **mean, double **band, GError **error)
{
  g_autofree char *path = g_build_filename (outdir, "sweep.png", NULL);
  const char *panels[2] = { "Inaccuracy", "Complexity" };
  return somaif_figure_curve_panels (path, s->name, 2, panels, s->n_combos,
                                     (const char *const *) labels, n_points,
                                     (const double *const *) mean,
                                     (const double *const *) band, error);
}

gboolean
somaif_sweep_summarise (const SomaifSweep *s, const char *outdir, int *n_missing,
                        GError **error)
{
  int n_curves = s->n_combos;
  GString *csv = g_string_new (NULL);
  for (int i = 0; i < s->n_axes; i++)
    {
      append_csv_field (csv, s->axes[i].key);
      g_string_append_c (csv, ',');
    }
  g_string_append (csv, "runs");
  for (int k = 0; k < SOMAIF_SWEEP_N_STATS; k++)
    g_string_append_printf (csv, ",%s_mean,%s_ci95", stat_names[k], stat_names[k]);
  g_string_append_c (csv, '\n');
  char **labels = g_new0 (char *, n_curves + 1);
  int *n_points = g_new0 (int, n_curves);
  /* Panel 0 inaccuracy, panel 1 complexity: mean[p * n_curves + c]. */
  double **mean = g_new0 (double *, 2 * n_curves);
  double **band = g_new0 (double *, 2 * n_curves);
  /* the figure's column, a mean and half-width per combination */
  double *fig_mean = g_new (double, n_curves), *fig_half = g_new (double, n_curves);
  ComboRuns runs;
  combo_runs_init (&runs, s->n_seeds);
  gboolean ok = TRUE;
  *n_missing = 0;

  for (int combo = 0; ok && combo < s->n_combos; combo++)
    {
      g_autofree char *label = combo_fields (s, combo, -1, csv);
      ok = read_combo (s, outdir, combo, &runs, n_missing, error);
      labels[combo] = g_strdup_printf ("%s (%d run%s)", s->n_axes ? label : "all runs",
                                       runs.n, runs.n == 1 ? "" : "s");
      if (!ok)
        break;
      g_string_append_printf (csv, "%d", runs.n);
      for (int k = 0; k < SOMAIF_SWEEP_N_STATS; k++)
        {
          double m, h;
          somaif_mean_ci95 (runs.vals[k], runs.n, &m, &h);
          g_string_append_c (csv, ',');
          append_csv_number (csv, m);
          g_string_append_c (csv, ',');
          append_csv_number (csv, h);
          if (k == s->figure_stat)
            fig_mean[combo] = m, fig_half[combo] = h;
        }
      g_string_append_c (csv, '\n');

      /* Curves: mean and 95% band across seeds over their common length. */
      for (int p = 0; p < 2; p++)
        n_points[combo] = somaif_sweep_mean_curves (runs.n, runs.points, runs.curve[p],
                                                    &mean[p * n_curves + combo],
                                                    &band[p * n_curves + combo]);
      combo_runs_drop_curves (&runs, s->n_seeds);
    }

  if (ok)
    {
      g_autofree char *path = g_build_filename (outdir, "summary.csv", NULL);
      ok = somaif_rundir_write (path, csv->str, csv->len, error);
    }
  ok = ok && summary_curves (s, outdir, labels, n_points, mean, band, error);
  ok = ok && (s->figure_stat < 0 || summary_figure (s, outdir, fig_mean, fig_half, error));

  for (int i = 0; i < 2 * n_curves; i++)
    {
      g_free (mean[i]);
      g_free (band[i]);
    }
  g_free (mean);
  g_free (band);
  g_strfreev (labels);
  g_free (n_points);
  g_free (fig_mean);
  g_free (fig_half);
  combo_runs_clear (&runs, s->n_seeds);
  g_string_free (csv, TRUE);
  return ok;
}
