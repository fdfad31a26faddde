/* conf.c: an experiment config, read with libconfig and validated against
 * what the core and each plugin declare, before any plugin instance exists. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "host.h"
#include "readfile.h"
#include "include.h"

#ifndef SOMAIF_CONFIGSDIR
#define SOMAIF_CONFIGSDIR "/usr/local/share/somaif/configs"
#endif

G_DEFINE_QUARK (somaif-config-error-quark, somaif_config_error)

const SomaifParamSpec somaif_experiment_params[] = {
  { "epochs", SOMAIF_PARAM_INT, NULL, 1, 1e9, 0, 0,
    "training epochs (one goal and one optimiser step each)" },
  { "seed", SOMAIF_PARAM_INT, "0", 0, 4.6e18, 0, 0,
    "seed of every random stream of the run" },
  { "steps", SOMAIF_PARAM_INT, "100", 1, 100000, 0, 0,
    "time steps of a rollout" },
  { "beta", SOMAIF_PARAM_FLOAT, "8.0", 0, 1e6, 0, 0,
    "precision of the complexity prior exp(-beta d) over map distance d" },
  { "snapshots", SOMAIF_PARAM_INT, "10", 0, 1000, 0, 0,
    "prototype snapshots kept over the run (at the end of each equal share)" },
  { "checkpoint_every", SOMAIF_PARAM_INT, "1000", 0, 1e9, 0, 0,
    "epochs between checkpoints (0: only at the end and when interrupted)" },
  { "output", SOMAIF_PARAM_STRING, "\"full\"", 1, 0, 0, 0,
    "what the run folder keeps: full, compact or lean (docs/run-folder.md)" },
  { "gzip_metrics", SOMAIF_PARAM_BOOL, "false", 0, 0, 0, 0,
    "compress metrics.csv into metrics.csv.gz when the run ends" },
  SOMAIF_PARAM_END
};

static const char *const group_names[] = {
  "experiment", "generator", "plant", "renderer", "perceiver", "optimiser"
};

/* The config being read on this thread, with where each of its lines was
 * written: a message names the file and line of a setting, also of one
 * from an @include, though the settings come from one expanded text. */
static _Thread_local const SomaifSourceMap *loading_map;
static _Thread_local const char *loading_path;

/* file:line of the expanded text's line, in the file that holds it. */
static void
source_of (const char **file, int *line)
{
  if (*line > 0 && loading_map && g_strcmp0 (*file, loading_path) == 0)
    somaif_source_map_find (loading_map, *line, file, line);
}

void
somaif_config_error (GError **error, const char *file, int line, const char *key,
                     const char *message)
{
  source_of (&file, &line);
  if (line > 0)
    g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_INVALID, "%s:%d: %s: %s",
                 file, line, key, message);
  else if (line < 0) /* a declared default: the caller says whose */
    g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_INVALID, "%s", message);
  else
    g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_INVALID,
                 "%s: %s (from --set): %s", file, key, message);
}

static int
edit_distance (const char *a, const char *b)
{
  int la = (int) strlen (a), lb = (int) strlen (b);
  int *row = g_new (int, lb + 1);
  for (int j = 0; j <= lb; j++)
    row[j] = j;
  for (int i = 1; i <= la; i++)
    {
      int diag = row[0];
      row[0] = i;
      for (int j = 1; j <= lb; j++)
        {
          int up = row[j];
          int best = MIN (row[j] + 1, row[j - 1] + 1);
          best = MIN (best, diag + (a[i - 1] != b[j - 1]));
          row[j] = best;
          diag = up;
        }
    }
  int d = row[lb];
  g_free (row);
  return d;
}

const char *
somaif_closest_name (const char *name, const char *const *valid, int n_valid)
{
  const char *best = NULL;
  int best_d = G_MAXINT;
  for (int i = 0; i < n_valid; i++)
    {
      int d = edit_distance (name, valid[i]);
      if (d < best_d)
        best_d = d, best = valid[i];
    }
  int limit = MAX (2, (int) strlen (name) / 3);
  return best_d <= limit ? best : NULL;
}

void
somaif_config_unknown_key (GError **error, const char *file, int line, const char *key,
                           const char *name, const char *const *valid, int n_valid)
{
  const char *close = somaif_closest_name (name, valid, n_valid);
  g_autofree char *msg = NULL;
  if (close)
    msg = g_strdup_printf ("unknown key; did you mean '%s'?", close);
  else
    {
      GString *list = g_string_new (NULL);
      for (int i = 0; i < n_valid; i++)
        g_string_append_printf (list, "%s%s", i ? ", " : "", valid[i]);
      msg = g_strdup_printf ("unknown key (valid keys: %s)", list->str);
      g_string_free (list, TRUE);
    }
  somaif_config_error (error, file, line, key, msg);
}

void
somaif_config_append_float (GString *out, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  /* %.17g reads back to the same double; libconfig needs a '.' or an
     exponent to take it for a float. */
  g_ascii_formatd (buf, sizeof buf, "%.17g", v);
  g_string_append (out, buf);
  if (!strpbrk (buf, ".eEn"))
    g_string_append (out, ".0");
}

/* ------------------------------------------------------------------ */
/* Validation of a group against declared parameters                   */

static gboolean
number_of (const config_setting_t *s, double *out)
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

static const char *
type_word (SomaifParamType t)
{
  switch (t)
    {
    case SOMAIF_PARAM_INT: return "an integer";
    case SOMAIF_PARAM_FLOAT: return "a number";
    case SOMAIF_PARAM_BOOL: return "true or false";
    case SOMAIF_PARAM_STRING: return "a string in double quotes";
    case SOMAIF_PARAM_FLOATS: return "a list of numbers [a, b, ...]";
    }
  return "?";
}

static gboolean
in_range (const SomaifParamSpec *spec, double v)
{
  return spec->min > spec->max || (v >= spec->min && v <= spec->max);
}

static char *
range_text (const SomaifParamSpec *spec)
{
  if (spec->type == SOMAIF_PARAM_INT)
    return g_strdup_printf ("[%.0f, %.0f]", spec->min, spec->max);
  return g_strdup_printf ("[%g, %g]", spec->min, spec->max);
}

static char *
number_problem (const SomaifParamSpec *spec, double v)
{
  if (in_range (spec, v))
    return NULL;
  g_autofree char *r = range_text (spec);
  return g_strdup_printf ("%.17g is outside its range %s", v, r);
}

static char *
floats_problem (const SomaifParamSpec *spec, const double *x, int n)
{
  if (spec->length > 0 && n != spec->length)
    return g_strdup_printf ("must have %d numbers, not %d", spec->length, n);
  for (int i = 0; i < n; i++)
    {
      if (!isfinite (x[i]))
        return g_strdup_printf ("element %d must be a finite number", i);
      if (!in_range (spec, x[i]))
        {
          g_autofree char *r = range_text (spec);
          return g_strdup_printf ("element %d (%g) is outside %s", i, x[i], r);
        }
    }
  return NULL;
}

char *
somaif_param_value_problem (const SomaifParamValue *v)
{
  switch (v->spec->type)
    {
    case SOMAIF_PARAM_INT:
      return number_problem (v->spec, (double) v->i);
    case SOMAIF_PARAM_FLOAT:
      if (!isfinite (v->f))
        return g_strdup ("must be a finite number");
      return number_problem (v->spec, v->f);
    case SOMAIF_PARAM_FLOATS:
      return floats_problem (v->spec, v->floats, v->n_floats);
    default:
      return NULL;
    }
}

gboolean
somaif_params_validate (const SomaifParams *params, const char *group, GError **error)
{
  for (int i = 0; i < params->n; i++)
    {
      const SomaifParamValue *v = &params->values[i];
      const SomaifParamSpec *spec = v->spec;
      g_autofree char *problem = NULL;
      if (v->present)
        problem = somaif_param_value_problem (v);
      else if (!(spec->flags & SOMAIF_PARAM_OPTIONAL))
        problem = g_strdup_printf ("is required (%s: %s)", type_word (spec->type), spec->doc);
      if (problem)
        {
          g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_PARAMS, "%s.%s: %s",
                       group, spec->name, problem);
          return FALSE;
        }
    }
  return TRUE;
}

/* Stores setting s as spec's value; file and line for messages. */
static gboolean
take_value (SomaifParamValue *v, const config_setting_t *s, const char *file, int line,
            const char *key, const char *config_dir, SomaifSchedule **schedule,
            GError **error)
{
  const SomaifParamSpec *spec = v->spec;
  double num;
  switch (spec->type)
    {
    case SOMAIF_PARAM_INT:
      {
        int t = config_setting_type (s);
        if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
          {
            g_autofree char *m = g_strdup_printf ("must be %s", type_word (spec->type));
            somaif_config_error (error, file, line, key, m);
            return FALSE;
          }
        v->i = config_setting_get_int64 (s);
        break;
      }
    case SOMAIF_PARAM_FLOAT:
      if (number_of (s, &num))
        {
          if (!isfinite (num))
            {
              somaif_config_error (error, file, line, key, "must be a finite number");
              return FALSE;
            }
          v->f = num;
          if (schedule)
            *schedule = somaif_schedule_new_constant (num);
          break;
        }
      if (config_setting_is_group (s) && (spec->flags & SOMAIF_PARAM_SCHEDULABLE) && schedule)
        {
          *schedule = somaif_schedule_parse (s, file, key, error);
          if (!*schedule)
            return FALSE;
          v->f = somaif_schedule_eval (*schedule, 0, 1);
          v->present = TRUE;
          return TRUE; /* its range is checked over every epoch later */
        }
      if (config_setting_is_group (s))
        {
          somaif_config_error (error, file, line, key,
                               "cannot be scheduled: it must be a number");
          return FALSE;
        }
      {
        g_autofree char *m = g_strdup_printf ("must be %s%s", type_word (spec->type),
                                              (spec->flags & SOMAIF_PARAM_SCHEDULABLE)
                                              ? " or a schedule { ... }" : "");
        somaif_config_error (error, file, line, key, m);
      }
      return FALSE;
    case SOMAIF_PARAM_BOOL:
      if (config_setting_type (s) != CONFIG_TYPE_BOOL)
        {
          somaif_config_error (error, file, line, key, "must be true or false");
          return FALSE;
        }
      v->b = config_setting_get_bool (s);
      v->present = TRUE;
      return TRUE;
    case SOMAIF_PARAM_STRING:
      {
        const char *str = config_setting_get_string (s);
        if (!str)
          {
            somaif_config_error (error, file, line, key, "must be a string in double quotes");
            return FALSE;
          }
        /* From a \x escape or --set: config.cfg must stay a text file. */
        if (!g_utf8_validate (str, -1, NULL))
          {
            somaif_config_error (error, file, line, key, "is not UTF-8 text");
            return FALSE;
          }
        g_free (v->s);
        /* A path given with --set is the user's, from the current folder. */
        if ((spec->flags & SOMAIF_PARAM_PATH) && str[0])
          v->s = g_canonicalize_filename (str, line == 0 ? NULL : config_dir);
        else
          v->s = g_strdup (str);
        v->present = TRUE;
        return TRUE;
      }
    case SOMAIF_PARAM_FLOATS:
      {
        if (!config_setting_is_array (s) && !config_setting_is_list (s))
          {
            somaif_config_error (error, file, line, key, "must be a list of numbers [a, b, ...]");
            return FALSE;
          }
        /* the length is checked with the elements' range, once for every
           source of the value (somaif_param_value_problem) */
        int n = config_setting_length (s);
        double *vals = g_new0 (double, n ? n : 1);
        for (int i = 0; i < n; i++)
          {
            double x;
            if (!number_of (config_setting_get_elem (s, (unsigned) i), &x) || !isfinite (x))
              {
                g_autofree char *m = g_strdup_printf ("element %d must be a finite number", i);
                somaif_config_error (error, file, line, key, m);
                g_free (vals);
                return FALSE;
              }
            vals[i] = x;
          }
        g_free (v->floats);
        v->floats = vals;
        v->n_floats = n;
        break;
      }
    default:
      return FALSE;
    }
  g_autofree char *problem = somaif_param_value_problem (v);
  if (problem)
    {
      somaif_config_error (error, file, line, key, problem);
      return FALSE;
    }
  v->present = TRUE;
  return TRUE;
}

/* Validates the members of group (NULL: all defaults) against specs.
 * skip: a member handled by the caller ("plugin").  who: for messages
 * about the declaration itself. */
static gboolean
validate_group (const config_setting_t *group, const char *group_name, const char *skip,
                const char *file, const char *config_dir, SomaifParams *params,
                SomaifSchedule **schedules, const char *who, GError **error)
{
  int n = params->n;
  const char **names = g_new0 (const char *, n + 2);
  for (int i = 0; i < n; i++)
    names[i] = params->values[i].spec->name;
  int n_names = n;
  if (skip)
    names[n_names++] = skip;
  gboolean ok = TRUE;

  for (int m = 0; ok && group && m < config_setting_length (group); m++)
    {
      config_setting_t *s = config_setting_get_elem (group, (unsigned) m);
      const char *name = config_setting_name (s);
      int line = config_setting_source_line (s);
      g_autofree char *key = g_strdup_printf ("%s.%s", group_name, name);
      if (skip && strcmp (name, skip) == 0)
        continue;
      int i;
      for (i = 0; i < n; i++)
        if (strcmp (name, names[i]) == 0)
          break;
      if (i == n)
        {
          somaif_config_unknown_key (error, file, line, key, name, names, n_names);
          ok = FALSE;
          break;
        }
      SomaifParamValue *v = &params->values[i];
      gboolean sched = (v->spec->flags & SOMAIF_PARAM_SCHEDULABLE) != 0;
      ok = take_value (v, s, file, line, key, config_dir, sched ? &schedules[i] : NULL, error);
      v->given = ok;
    }

  for (int i = 0; ok && i < n; i++)
    {
      SomaifParamValue *v = &params->values[i];
      if (v->present)
        continue;
      g_autofree char *key = g_strdup_printf ("%s.%s", group_name, v->spec->name);
      if (!v->spec->def)
        {
          if (v->spec->flags & SOMAIF_PARAM_OPTIONAL)
            continue;
          g_autofree char *m = g_strdup_printf ("is required (%s: %s)",
                                                type_word (v->spec->type), v->spec->doc);
          somaif_config_error (error, file, group ? config_setting_source_line (group) : 0,
                               key, m);
          ok = FALSE;
          break;
        }
      config_t tmp;
      config_init (&tmp);
      g_autofree char *text = g_strdup_printf ("v = %s;", v->spec->def);
      GError *derr = NULL;
      gboolean sched = (v->spec->flags & SOMAIF_PARAM_SCHEDULABLE) != 0;
      if (config_read_string (&tmp, text) != CONFIG_TRUE
          || !take_value (v, config_lookup (&tmp, "v"), who, -1, key, config_dir,
                          sched ? &schedules[i] : NULL, &derr))
        {
          g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_PARAMS,
                       "%s: the default '%s' of %s is not valid%s%s", who, v->spec->def,
                       key, derr ? ": " : "", derr ? derr->message : "");
          g_clear_error (&derr);
          ok = FALSE;
        }
      config_destroy (&tmp);
    }
  g_free (names);
  return ok;
}

/* ------------------------------------------------------------------ */
static const char *const output_levels[] = { "full", "compact", "lean" };

int
somaif_output_level_parse (const char *name)
{
  for (guint i = 0; name && i < G_N_ELEMENTS (output_levels); i++)
    if (strcmp (name, output_levels[i]) == 0)
      return (int) i;
  return -1;
}

const char *
somaif_output_level_name (int level)
{
  return level >= 0 && level < (int) G_N_ELEMENTS (output_levels) ? output_levels[level] : "?";
}

/* experiment.output: one of the levels somaif_output_level_parse() knows. */
static gboolean
read_output_level (SomaifConfig *c, const config_setting_t *eg, const char *path,
                   GError **error)
{
  const char *name = somaif_params_get_string (c->experiment, "output");
  c->output_level = somaif_output_level_parse (name);
  if (c->output_level >= 0)
    return TRUE;
  const config_setting_t *s = config_setting_get_member (eg, "output");
  g_autofree char *msg = g_strdup_printf ("'%s' is not an output level (full, compact or lean)",
                                          name);
  somaif_config_error (error, path, s ? config_setting_source_line (s) : 0, "experiment.output",
                       msg);
  return FALSE;
}

/* --set overrides                                                     */

static gboolean
copy_setting (config_setting_t *parent, const char *name, const config_setting_t *src)
{
  int type = config_setting_type (src);
  config_setting_t *dst = config_setting_add (parent, name, type);
  if (!dst)
    return FALSE;
  switch (type)
    {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
      return config_setting_set_int64 (dst, config_setting_get_int64 (src)) == CONFIG_TRUE;
    case CONFIG_TYPE_FLOAT:
      return config_setting_set_float (dst, config_setting_get_float (src)) == CONFIG_TRUE;
    case CONFIG_TYPE_BOOL:
      return config_setting_set_bool (dst, config_setting_get_bool (src)) == CONFIG_TRUE;
    case CONFIG_TYPE_STRING:
      return config_setting_set_string (dst, config_setting_get_string (src)) == CONFIG_TRUE;
    default:
      for (int i = 0; i < config_setting_length (src); i++)
        {
          const config_setting_t *e = config_setting_get_elem (src, (unsigned) i);
          if (!copy_setting (dst, config_setting_is_group (src) ? config_setting_name (e) : NULL, e))
            return FALSE;
        }
      return TRUE;
    }
}

static char *widen_integers (const char *text, const char *path, GError **error);

static gboolean
apply_set (config_t *cfg, const char *file, const char *assignment, GError **error)
{
  const char *eq = strchr (assignment, '=');
  if (!eq || eq == assignment)
    {
      g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_USAGE,
                   "--set %s: expected key.path=value", assignment);
      return FALSE;
    }
  g_autofree char *path = g_strstrip (g_strndup (assignment, (gsize) (eq - assignment)));
  const char *value = eq + 1;
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);
  int n = (int) g_strv_length (parts);
  for (int i = 0; i < n; i++)
    {
      gboolean ok = parts[i][0] && (g_ascii_isalpha (parts[i][0]) || parts[i][0] == '*');
      for (const char *c = parts[i]; ok && *c; c++)
        ok = g_ascii_isalnum (*c) || *c == '_' || *c == '-' || *c == '*';
      if (!ok)
        {
          g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_USAGE,
                       "--set %s: '%s' is not a valid key path (names separated by '.')",
                       assignment, path);
          return FALSE;
        }
    }
  /* A bare group name replaces the whole group: --set 'plant={ plugin = "pen2d"; }'. */
  const char *v = value;
  while (g_ascii_isspace (*v))
    v++;
  gboolean whole_group = n == 1 && *v == '{';
  if (n < 2 && !whole_group)
    {
      g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_USAGE,
                   "--set %s: the key path must name a group and a key (e.g. experiment.seed),"
                   " or a group and a whole group value { ... }", assignment);
      return FALSE;
    }

  /* libconfig 1.5 silently truncates a plain integer beyond 32 bits: mark it
     64-bit (L) as the resolved config does. */
  g_autofree char *plain = g_strdup_printf ("v = %s;", value);
  g_autofree char *text = widen_integers (plain, "--set", NULL);
  if (!text)
    {
      g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_USAGE,
                   "--set %s: '%s' does not fit in a 64-bit integer", assignment, value);
      return FALSE;
    }
  config_t tmp;
  config_init (&tmp);
  if (config_read_string (&tmp, text) != CONFIG_TRUE)
    {
      /* A bare word is taken as a string, so --set generator.plugin=esn works. */
      gboolean bare = value[0] != '\0';
      for (const char *c = value; bare && *c; c++)
        bare = g_ascii_isalnum (*c) || strchr ("_-./", *c);
      config_destroy (&tmp);
      config_init (&tmp);
      g_autofree char *quoted = g_strdup_printf ("v = \"%s\";", value);
      if (!bare || config_read_string (&tmp, quoted) != CONFIG_TRUE)
        {
          g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_USAGE,
                       "--set %s: '%s' is not a config value (a number, true/false, "
                       "\"text\", [list] or { group })", assignment, value);
          config_destroy (&tmp);
          return FALSE;
        }
    }
  config_setting_t *parent = config_root_setting (cfg);
  for (int i = 0; i < n - 1; i++)
    {
      config_setting_t *next = config_setting_get_member (parent, parts[i]);
      if (!next)
        next = config_setting_add (parent, parts[i], CONFIG_TYPE_GROUP);
      if (!next || !config_setting_is_group (next))
        {
          g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_USAGE,
                       "--set %s: '%s' in %s is not a group", assignment, parts[i], file);
          config_destroy (&tmp);
          return FALSE;
        }
      parent = next;
    }
  if (config_setting_get_member (parent, parts[n - 1]))
    config_setting_remove (parent, parts[n - 1]);
  gboolean ok = copy_setting (parent, parts[n - 1], config_lookup (&tmp, "v"));
  config_destroy (&tmp);
  if (!ok)
    g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_USAGE,
                 "--set %s: cannot set this key", assignment);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Integers beyond 32 bits                                              */

/* libconfig 1.5 reads a plain integer literal with atoi(): one beyond 32
 * bits silently wraps (epochs = 4294967297 became 1 epoch).  Returns text
 * with an 'L' after each such decimal or hex literal, as the resolved config
 * writes them, so that it is read as 64-bit; refuses one beyond 64 bits.  The
 * lines do not move, so libconfig's line numbers stay right. */
static char *
widen_integers (const char *text, const char *path, GError **error)
{
  GString *out = g_string_sized_new (strlen (text) + 16);
  const char *p = text;
  int line = 1;
  while (*p)
    {
      const char *start = p;
      if (*p == '"')
        {
          for (p++; *p && *p != '"'; p++)
            {
              if (*p == '\\' && p[1])
                p++;
              line += *p == '\n';
            }
          if (*p)
            p++;
        }
      else if (*p == '#' || (p[0] == '/' && p[1] == '/'))
        while (*p && *p != '\n')
          p++;
      else if (p[0] == '/' && p[1] == '*')
        {
          for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
            line += *p == '\n';
          if (*p)
            p += 2;
        }
      else if (g_ascii_isalpha (*p) || *p == '*' || *p == '@')
        while (g_ascii_isalnum (*p) || (*p && strchr ("-_*@", *p)))
          p++;
      else if (g_ascii_isdigit (*p) || (*p == '.' && g_ascii_isdigit (p[1])))
        {
          /* A number token: digits, letters, '.', and a sign after an exponent. */
          for (p++; g_ascii_isalnum (*p) || *p == '.'
                    || ((*p == '-' || *p == '+') && (p[-1] == 'e' || p[-1] == 'E')
                        && !(start[0] == '0' && (start[1] == 'x' || start[1] == 'X')));
               p++)
            ;
          gsize n = (gsize) (p - start);
          gboolean hex = n > 2 && start[0] == '0' && (start[1] == 'x' || start[1] == 'X');
          gsize i = hex ? 2 : 0;
          while (i < n && (hex ? g_ascii_isxdigit (start[i]) : g_ascii_isdigit (start[i])))
            i++;
          if (i == n)
            {
              gboolean negative = start > text && start[-1] == '-';
              g_autofree char *digits = g_strndup (start, n);
              errno = 0;
              guint64 v = g_ascii_strtoull (digits, NULL, hex ? 16 : 10);
              gboolean too_big = errno == ERANGE
                                 || v > (guint64) G_MAXINT64 + (!hex && negative);
              if (too_big)
                {
                  g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_SYNTAX,
                               "%s:%d: %s%s does not fit in a 64-bit integer", path, line,
                               negative ? "-" : "", digits);
                  g_string_free (out, TRUE);
                  return NULL;
                }
              g_string_append_len (out, start, (gssize) n);
              if (v > (guint64) G_MAXINT32 + (!hex && negative))
                g_string_append_c (out, 'L');
              continue;
            }
        }
      else
        {
          line += *p == '\n';
          p++;
        }
      g_string_append_len (out, start, p - start);
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */

static void
part_clear (SomaifPart *part)
{
  if (part->schedules && part->params)
    for (int i = 0; i < part->params->n; i++)
      somaif_schedule_free (part->schedules[i]);
  g_free (part->schedules);
  somaif_params_free (part->params);
  somaif_plugin_free (part->plugin);
  memset (part, 0, sizeof *part);
}

void
somaif_config_free (SomaifConfig *c)
{
  if (!c)
    return;
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    part_clear (&c->parts[k]);
  somaif_params_free (c->experiment);
  g_free (c->path);
  g_free (c->dir);
  g_free (c->name);
  g_free (c);
}

static gboolean
load_part (SomaifConfig *c, config_t *cfg, SomaifKind kind, GError **error)
{
  SomaifPart *part = &c->parts[kind - 1];
  part->kind = kind;
  part->group = group_names[kind];
  config_setting_t *g = config_lookup (cfg, part->group);
  if (!g)
    {
      g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_INVALID,
                   "%s: the group '%s' is missing (it names the %s plugin: %s = { plugin = \"...\"; })",
                   c->path, part->group, part->group, part->group);
      return FALSE;
    }
  part->line = config_setting_source_line (g);
  if (!config_setting_is_group (g))
    {
      somaif_config_error (error, c->path, part->line, part->group, "must be a group { ... }");
      return FALSE;
    }
  g_autofree char *pkey = g_strdup_printf ("%s.plugin", part->group);
  config_setting_t *ps = config_setting_get_member (g, "plugin");
  if (!ps)
    {
      somaif_config_error (error, c->path, part->line, pkey,
                           "is required: the name of the plugin (e.g. plugin = \"name\";)");
      return FALSE;
    }
  const char *pname = config_setting_get_string (ps);
  int pline = config_setting_source_line (ps);
  if (!pname)
    {
      somaif_config_error (error, c->path, pline, pkey, "must be a string in double quotes");
      return FALSE;
    }
  GError *lerr = NULL;
  /* A path given with --set (line 0) is the user's, from the current folder. */
  part->plugin = somaif_plugin_load (pname, pline > 0 ? c->dir : NULL, kind, &lerr);
  if (!part->plugin)
    {
      somaif_config_error (error, c->path, pline, pkey, lerr->message);
      (*error)->code = SOMAIF_CONFIG_ERROR_INVALID;
      g_error_free (lerr);
      return FALSE;
    }
  const SomaifPluginHead *h = part->plugin->head;
  part->params = somaif_params_new (h->params);
  part->schedules = g_new0 (SomaifSchedule *, part->params->n ? part->params->n : 1);
  g_autofree char *who = g_strdup_printf ("plugin '%s' (%s)", h->name, part->plugin->path);
  if (!validate_group (g, part->group, "plugin", c->path, c->dir, part->params,
                       part->schedules, who, error))
    return FALSE;
  for (int i = 0; i < part->params->n; i++)
    {
      if (!part->schedules[i])
        continue;
      const SomaifParamSpec *spec = part->params->values[i].spec;
      config_setting_t *s = config_setting_get_member (g, spec->name);
      g_autofree char *key = g_strdup_printf ("%s.%s", part->group, spec->name);
      /* No setting: the plugin's own default schedule is at fault. */
      if (!somaif_schedule_check_range (part->schedules[i], c->epochs, spec->min, spec->max,
                                        c->path, s ? (int) config_setting_source_line (s) : -1,
                                        key, error))
        {
          if (!s)
            g_prefix_error (error, "%s: the default of %s ", who, key);
          return FALSE;
        }
      part->params->values[i].f = somaif_schedule_eval (part->schedules[i], 0, c->epochs);
    }
  return TRUE;
}

SomaifConfig *
somaif_config_load (const char *path, const char *const *sets, gint64 seed, GError **error)
{
  SomaifConfig *c = g_new0 (SomaifConfig, 1);
  c->path = g_strdup (path);
  {
    g_autofree char *dir = g_path_get_dirname (path);
    c->dir = g_canonicalize_filename (dir, NULL);
  }
  g_autofree char *base = g_path_get_basename (path);
  if (g_str_has_suffix (base, ".cfg"))
    base[strlen (base) - 4] = '\0';
  c->name = g_strdup (base);

  config_t cfg;
  config_init (&cfg);
  gboolean ok = FALSE;
  int read = CONFIG_FALSE;
  SomaifSourceMap *map = NULL;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_USAGE,
                   "%s: is a folder, not a config file", path);
      goto out;
    }
  {
    g_autofree char *text = somaif_config_expand (path, &map, error);
    if (!text)
      goto out;
    loading_map = map;
    loading_path = path;
    g_autofree char *wide = widen_integers (text, path, error);
    if (!wide)
      goto out;
    read = config_read_string (&cfg, wide);
  }
  if (read != CONFIG_TRUE)
    {
      const char *file = path;
      int line = config_error_line (&cfg);
      source_of (&file, &line);
      g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_SYNTAX, "%s:%d: syntax error: %s",
                   file, line, config_error_text (&cfg));
      goto out;
    }
  for (int i = 0; sets && sets[i]; i++)
    if (!apply_set (&cfg, path, sets[i], error))
      goto out;

  config_setting_t *root = config_root_setting (&cfg);
  for (int i = 0; i < config_setting_length (root); i++)
    {
      config_setting_t *s = config_setting_get_elem (root, (unsigned) i);
      const char *name = config_setting_name (s);
      gboolean known = FALSE;
      for (guint k = 0; k < G_N_ELEMENTS (group_names); k++)
        known = known || strcmp (name, group_names[k]) == 0;
      if (!known)
        {
          somaif_config_unknown_key (error, path, config_setting_source_line (s), name, name,
                                     group_names, G_N_ELEMENTS (group_names));
          goto out;
        }
    }

  config_setting_t *eg = config_lookup (&cfg, "experiment");
  if (!eg)
    {
      g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_INVALID,
                   "%s: the group 'experiment' is missing (experiment = { epochs = N; ... })",
                   path);
      goto out;
    }
  if (!config_setting_is_group (eg))
    {
      somaif_config_error (error, path, config_setting_source_line (eg), "experiment",
                           "must be a group { ... }");
      goto out;
    }
  c->experiment = somaif_params_new (somaif_experiment_params);
  {
    SomaifSchedule **none = g_new0 (SomaifSchedule *, c->experiment->n);
    gboolean valid = validate_group (eg, "experiment", NULL, path, c->dir, c->experiment,
                                     none, "somaif", error);
    g_free (none);
    if (!valid)
      goto out;
  }
  if (seed >= 0)
    {
      SomaifParamValue *v = somaif_params_lookup (c->experiment, "seed");
      v->i = seed;
      v->given = TRUE;
    }
  c->epochs = somaif_params_get_int (c->experiment, "epochs");
  c->seed = somaif_params_get_int (c->experiment, "seed");
  c->steps = somaif_params_get_int (c->experiment, "steps");
  c->beta = somaif_params_get_float (c->experiment, "beta");
  c->snapshots = somaif_params_get_int (c->experiment, "snapshots");
  c->checkpoint_every = somaif_params_get_int (c->experiment, "checkpoint_every");
  c->gzip_metrics = somaif_params_get_bool (c->experiment, "gzip_metrics");
  if (!read_output_level (c, eg, path, error))
    goto out;

  for (int k = SOMAIF_KIND_GENERATOR; k <= SOMAIF_KIND_OPTIMISER; k++)
    if (!load_part (c, &cfg, (SomaifKind) k, error))
      goto out;
  ok = TRUE;
out:
  config_destroy (&cfg);
  loading_map = NULL;
  loading_path = NULL;
  somaif_source_map_free (map);
  if (!ok)
    {
      somaif_config_free (c);
      return NULL;
    }
  return c;
}

/* ------------------------------------------------------------------ */
/* The resolved config                                                  */

void
somaif_config_append_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const char *p = s; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      if (*p == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_params (GString *out, const SomaifParams *p, SomaifSchedule *const *schedules)
{
  for (int i = 0; i < p->n; i++)
    {
      const SomaifParamValue *v = &p->values[i];
      if (!v->present)
        continue;
      g_string_append_printf (out, "  %s = ", v->spec->name);
      switch (v->spec->type)
        {
        case SOMAIF_PARAM_INT:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, v->i);
          if (v->i > G_MAXINT32 || v->i < G_MININT32)
            g_string_append (out, "L");
          break;
        case SOMAIF_PARAM_FLOAT:
          if (schedules && schedules[i])
            somaif_schedule_write (schedules[i], out, 2);
          else
            somaif_config_append_float (out, v->f);
          break;
        case SOMAIF_PARAM_BOOL:
          g_string_append (out, v->b ? "true" : "false");
          break;
        case SOMAIF_PARAM_STRING:
          somaif_config_append_string (out, v->s);
          break;
        case SOMAIF_PARAM_FLOATS:
          g_string_append (out, "[");
          for (int k = 0; k < v->n_floats; k++)
            {
              if (k)
                g_string_append (out, ", ");
              somaif_config_append_float (out, v->floats[k]);
            }
          g_string_append (out, "]");
          break;
        }
      g_string_append (out, ";\n");
    }
}

char *
somaif_config_resolved (const SomaifConfig *c)
{
  GString *out = g_string_new (NULL);
  /* No source path here: the text must not depend on where it was read from
     (run.json records that), so that running it again repeats the run. */
  g_string_append (out, "# The resolved config of a somaif run: every key with the value\n"
                   "# used, defaults filled in.  Running it again repeats the run.\n\n");
  g_string_append (out, "experiment = {\n");
  append_params (out, c->experiment, NULL);
  g_string_append (out, "};\n");
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      const SomaifPart *part = &c->parts[k];
      g_string_append_printf (out, "\n%s = {\n  plugin = ", part->group);
      /* Written as a name when the name finds this very file (first in the
         search path); otherwise as its full path. */
      const char *pname = part->plugin->head->name;
      g_autofree char *self = g_canonicalize_filename (part->plugin->path, NULL);
      g_autofree char *file = g_strconcat (pname, ".so", NULL);
      g_auto (GStrv) dirs = somaif_plugin_dirs ();
      gboolean by_name = FALSE;
      for (int i = 0; dirs[i]; i++)
        {
          g_autofree char *cand = g_build_filename (dirs[i], file, NULL);
          if (!g_file_test (cand, G_FILE_TEST_IS_REGULAR))
            continue;
          g_autofree char *canon = g_canonicalize_filename (cand, NULL);
          by_name = strcmp (canon, self) == 0;
          break;
        }
      if (by_name)
        somaif_config_append_string (out, pname);
      else
        somaif_config_append_string (out, self);
      g_string_append (out, ";\n");
      append_params (out, part->params, part->schedules);
      g_string_append (out, "};\n");
    }
  return g_string_free (out, FALSE);
}

char *
somaif_config_find (const char *name, const char *dir)
{
  char *here = dir && !g_path_is_absolute (name) ? g_build_filename (dir, name, NULL)
                                                 : g_strdup (name);
  if (g_file_test (here, G_FILE_TEST_EXISTS) || strchr (name, '/'))
    return here;
  const char *dirs[] = { g_getenv ("SOMAIF_CONFIGS_DIR"), SOMAIF_CONFIGSDIR };
  g_autofree char *file = g_str_has_suffix (name, ".cfg") ? g_strdup (name)
                                                          : g_strconcat (name, ".cfg", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      if (!dirs[i])
        continue;
      char *path = g_build_filename (dirs[i], file, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_free (here);
          return path;
        }
      g_free (path);
    }
  return here;
}

/* ------------------------------------------------------------------ */
/* Configs of plain groups (somaif-chain's)                             */

/* Reads the file's text with the wide integers marked, or "" for NULL. */
static gboolean
read_plain_text (config_t *cfg, const char *path, GError **error)
{
  if (!path)
    return TRUE;
  g_autofree char *text = NULL;
  gsize len = 0;
  GError *ferr = NULL;
  /* Bounded, and no folder, device or pipe: as the experiment's configs. */
  if (!somaif_read_file (path, "config file", SOMAIF_MAX_CONFIG_BYTES, &text, &len, &ferr))
    {
      g_set_error_literal (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_USAGE, ferr->message);
      g_error_free (ferr);
      return FALSE;
    }
  if (memchr (text, '\0', len) || !g_utf8_validate (text, (gssize) len, NULL))
    {
      g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_SYNTAX,
                   "%s: not a text config file (it holds binary data)", path);
      return FALSE;
    }
  g_autofree char *wide = widen_integers (text, path, error);
  if (!wide)
    return FALSE;
  if (config_read_string (cfg, wide) != CONFIG_TRUE)
    {
      g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_SYNTAX,
                   "%s:%d: syntax error: %s", path, config_error_line (cfg),
                   config_error_text (cfg));
      return FALSE;
    }
  return TRUE;
}

gboolean
somaif_config_read_plain (const char *path, const char *const *sets, int n_groups,
                          const char *const *names, SomaifParams *const *params,
                          GError **error)
{
  const char *file = path ? path : "(defaults)";
  g_autofree char *dir = g_path_get_dirname (path ? path : ".");
  config_t cfg;
  config_init (&cfg);
  gboolean ok = read_plain_text (&cfg, path, error);
  for (int i = 0; ok && sets && sets[i]; i++)
    ok = apply_set (&cfg, file, sets[i], error);
  config_setting_t *root = config_root_setting (&cfg);
  for (int i = 0; ok && i < config_setting_length (root); i++)
    {
      config_setting_t *s = config_setting_get_elem (root, (unsigned) i);
      int g = 0;
      while (g < n_groups && strcmp (config_setting_name (s), names[g]) != 0)
        g++;
      if (g == n_groups)
        {
          somaif_config_unknown_key (error, file, config_setting_source_line (s),
                                     config_setting_name (s), config_setting_name (s),
                                     names, n_groups);
          ok = FALSE;
        }
      else if (!config_setting_is_group (s))
        {
          somaif_config_error (error, file, config_setting_source_line (s), names[g],
                               "must be a group { ... }");
          ok = FALSE;
        }
    }
  for (int g = 0; ok && g < n_groups; g++)
    {
      SomaifSchedule **none = g_new0 (SomaifSchedule *, params[g]->n + 1);
      ok = validate_group (config_lookup (&cfg, names[g]), names[g], NULL, file, dir,
                           params[g], none, "somaif", error);
      g_free (none);
    }
  config_destroy (&cfg);
  return ok;
}
