/* schedule.h: a numeric parameter's value as a function of the epoch. */
#ifndef SOMAIF_SCHEDULE_H
#define SOMAIF_SCHEDULE_H

#include <glib.h>
#include <libconfig.h>

typedef struct SomaifSchedule SomaifSchedule;

/* Parses a number or a schedule group.  key is the full key path used in
 * messages ("perceiver.spread"); file the config's name.  Each value the
 * schedule can take must lie in [min, max] (min > max: unbounded); that is
 * checked by somaif_schedule_check_range() once the epoch count is known. */
SomaifSchedule *somaif_schedule_parse (const config_setting_t *setting, const char *file,
                                       const char *key, GError **error);
SomaifSchedule *somaif_schedule_new_constant (double value);
void somaif_schedule_free (SomaifSchedule *s);

double somaif_schedule_eval (const SomaifSchedule *s, gint64 epoch, gint64 epochs);
gboolean somaif_schedule_is_constant (const SomaifSchedule *s);

/* Evaluates every epoch and checks the range and finiteness; the message
 * names the first epoch out of range. */
gboolean somaif_schedule_check_range (const SomaifSchedule *s, gint64 epochs, double min,
                                      double max, const char *file, int line,
                                      const char *key, GError **error);

/* Appends the schedule in config syntax (resolved config). */
void somaif_schedule_write (const SomaifSchedule *s, GString *out, int indent);

#endif
