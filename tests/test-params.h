/* test-params.h: SomaifParams built as the host hands them to create():
 * every declared default, then the test's overrides, then the host's
 * validation.  Included by the plugin tests that call a vtable's create()
 * directly. */
#ifndef SOMAIF_TEST_PARAMS_H
#define SOMAIF_TEST_PARAMS_H

#include <libconfig.h>

#include "core/params-private.h"

static inline double
test_param_number (const config_setting_t *s)
{
  return config_setting_type (s) == CONFIG_TYPE_FLOAT ? config_setting_get_float (s)
                                                      : (double) config_setting_get_int64 (s);
}

/* Sets v from text written as a libconfig value ("7", "0.5", "\"dense\"", "[1, 2]"). */
static inline void
test_param_take (SomaifParamValue *v, const char *text)
{
  config_t cfg;
  config_init (&cfg);
  g_autofree char *line = g_strdup_printf ("v = %s;", text);
  if (config_read_string (&cfg, line) != CONFIG_TRUE)
    g_error ("'%s' (%s) is not a libconfig value", text, v->spec->name);
  const config_setting_t *s = config_lookup (&cfg, "v");
  switch (v->spec->type)
    {
    case SOMAIF_PARAM_INT:
      g_assert_true (config_setting_type (s) == CONFIG_TYPE_INT
                     || config_setting_type (s) == CONFIG_TYPE_INT64);
      v->i = config_setting_get_int64 (s);
      break;
    case SOMAIF_PARAM_FLOAT:
      v->f = test_param_number (s);
      break;
    case SOMAIF_PARAM_BOOL:
      v->b = config_setting_get_bool (s);
      break;
    case SOMAIF_PARAM_STRING:
      g_assert_true (config_setting_type (s) == CONFIG_TYPE_STRING);
      g_free (v->s);
      v->s = g_strdup (config_setting_get_string (s));
      break;
    case SOMAIF_PARAM_FLOATS:
      g_free (v->floats);
      v->n_floats = config_setting_length (s);
      v->floats = g_new (double, MAX (v->n_floats, 1));
      for (int i = 0; i < v->n_floats; i++)
        v->floats[i] = test_param_number (config_setting_get_elem (s, (unsigned) i));
      break;
    default:
      g_assert_not_reached ();
    }
  v->present = TRUE;
  config_destroy (&cfg);
}

/* overrides: NULL-terminated "name", "libconfig value" pairs (an OPTIONAL
 * parameter without a default stays absent unless overridden).  NULL with
 * error set when a value breaks the declaration (as the host refuses such a
 * config before any create()). */
static inline SomaifParams *
test_params_new (const SomaifParamSpec *specs, const char *const *overrides, GError **error)
{
  SomaifParams *p = somaif_params_new (specs);
  for (int i = 0; i < p->n; i++)
    {
      const SomaifParamSpec *spec = p->values[i].spec;
      g_assert_nonnull (spec->doc);
      g_assert_true (spec->def || (spec->flags & SOMAIF_PARAM_OPTIONAL));
      if (spec->def)
        test_param_take (&p->values[i], spec->def);
    }
  for (int i = 0; overrides && overrides[i]; i += 2)
    {
      SomaifParamValue *v = somaif_params_lookup (p, overrides[i]);
      g_assert_nonnull (v);
      test_param_take (v, overrides[i + 1]);
      v->given = TRUE;
    }
  if (!somaif_params_validate (p, "plugin", error))
    {
      somaif_params_free (p);
      return NULL;
    }
  return p;
}

#endif
