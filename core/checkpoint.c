/* checkpoint.c: a run's parts saved and restored between two epochs, in a
 * versioned, checksummed binary file, little-endian:
 *
 *   "SOMAIFCK" u32 format  u32 abi_major  u32 abi_minor  u64 config_hash
 *   i64 next_epoch  u64 rng[4]  f64 spare  u32 has_spare
 *   i64 metrics_bytes  i64 schedules_bytes
 *   5 x { str name  u32 n  f64 values[n]  u32 has_state  u64 len  bytes[len] }
 *   u64 fnv1a(everything before)
 * where str is u32 length then bytes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "experiment.h"
#include "rundir.h"
#include "readfile.h"

#define MAGIC "SOMAIFCK"
#define FORMAT 1

guint64
somaif_hash64 (const void *data, gsize length)
{
  const guint8 *p = data;
  guint64 h = 0xcbf29ce484222325ULL;
  for (gsize i = 0; i < length; i++)
    h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

static void
put_u32 (GByteArray *b, guint32 v)
{
  guint8 x[4];
  for (int i = 0; i < 4; i++)
    x[i] = (guint8) (v >> (8 * i));
  g_byte_array_append (b, x, 4);
}

static void
put_u64 (GByteArray *b, guint64 v)
{
  guint8 x[8];
  for (int i = 0; i < 8; i++)
    x[i] = (guint8) (v >> (8 * i));
  g_byte_array_append (b, x, 8);
}

static void
put_f64 (GByteArray *b, double v)
{
  guint64 u;
  memcpy (&u, &v, 8);
  put_u64 (b, u);
}

static void
put_bytes (GByteArray *b, const void *data, gsize len)
{
  put_u64 (b, len);
  g_byte_array_append (b, data, (guint) len);
}

static void
put_str (GByteArray *b, const char *s)
{
  put_u32 (b, (guint32) strlen (s));
  g_byte_array_append (b, (const guint8 *) s, (guint) strlen (s));
}

GByteArray *
somaif_checkpoint_encode (const SomaifCheckpoint *ck)
{
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, (const guint8 *) MAGIC, 8);
  put_u32 (b, FORMAT);
  put_u32 (b, SOMAIF_ABI_MAJOR);
  put_u32 (b, SOMAIF_ABI_MINOR);
  put_u64 (b, ck->config_hash);
  put_u64 (b, (guint64) ck->next_epoch);
  for (int i = 0; i < 4; i++)
    put_u64 (b, ck->rng.s[i]);
  put_f64 (b, ck->rng.spare);
  put_u32 (b, (guint32) ck->rng.has_spare);
  put_u64 (b, (guint64) ck->metrics_bytes);
  put_u64 (b, (guint64) ck->schedules_bytes);
  for (int k = 0; k < SOMAIF_CHECKPOINT_PARTS; k++)
    {
      put_str (b, ck->names[k] ? ck->names[k] : "");
      put_u32 (b, (guint32) ck->n_values[k]);
      for (int i = 0; i < ck->n_values[k]; i++)
        put_f64 (b, ck->values[k][i]);
      put_u32 (b, ck->states[k] != NULL);
      gsize len = 0;
      const void *data = ck->states[k] ? g_bytes_get_data (ck->states[k], &len) : NULL;
      put_bytes (b, data, len);
    }
  return b;
}

gboolean
somaif_checkpoint_write_bytes (const char *path, GByteArray *b, GError **error)
{
  put_u64 (b, somaif_hash64 (b->data, b->len));

  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
  gboolean ok = FALSE;
  int fd = somaif_rundir_create (tmp, TRUE, NULL);
  if (fd < 0)
    goto fail;
  for (gsize done = 0; done < b->len;)
    {
      ssize_t w = write (fd, b->data + done, b->len - done);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        {
          int e = errno;
          close (fd);
          errno = e ? e : ENOSPC;
          goto fail;
        }
      done += (gsize) w;
    }
  if (fsync (fd) != 0)
    {
      int e = errno;
      close (fd);
      errno = e;
      goto fail;
    }
  if (close (fd) != 0 || rename (tmp, path) != 0)
    goto fail;
  {
    /* The rename itself reaches the disk with the folder's fsync. */
    g_autofree char *dir = g_path_get_dirname (path);
    int dfd = open (dir, O_RDONLY);
    if (dfd >= 0)
      {
        fsync (dfd);
        close (dfd);
      }
  }
  ok = TRUE;
fail:
  if (!ok)
    {
      int e = errno;
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_OUTPUT,
                   "%s: cannot write the checkpoint: %s", path, g_strerror (e));
      unlink (tmp);
    }
  return ok;
}

gboolean
somaif_checkpoint_write (const char *path, const SomaifCheckpoint *ck, GError **error)
{
  GByteArray *b = somaif_checkpoint_encode (ck);
  gboolean ok = somaif_checkpoint_write_bytes (path, b, error);
  g_byte_array_unref (b);
  return ok;
}

typedef struct
{
  const guint8 *p;
  gsize left;
} Reader;

static gboolean
take (Reader *r, void *out, gsize n)
{
  if (r->left < n)
    return FALSE;
  if (out)
    memcpy (out, r->p, n);
  r->p += n;
  r->left -= n;
  return TRUE;
}

static gboolean
get_u32 (Reader *r, guint32 *v)
{
  guint8 x[4];
  if (!take (r, x, 4))
    return FALSE;
  *v = 0;
  for (int i = 0; i < 4; i++)
    *v |= (guint32) x[i] << (8 * i);
  return TRUE;
}

static gboolean
get_u64 (Reader *r, guint64 *v)
{
  guint8 x[8];
  if (!take (r, x, 8))
    return FALSE;
  *v = 0;
  for (int i = 0; i < 8; i++)
    *v |= (guint64) x[i] << (8 * i);
  return TRUE;
}

static gboolean
get_f64 (Reader *r, double *v)
{
  guint64 u;
  if (!get_u64 (r, &u))
    return FALSE;
  memcpy (v, &u, 8);
  return TRUE;
}

void
somaif_checkpoint_free (SomaifCheckpoint *ck)
{
  if (!ck)
    return;
  for (int k = 0; k < SOMAIF_CHECKPOINT_PARTS; k++)
    {
      g_free (ck->names[k]);
      g_free (ck->values[k]);
      if (ck->states[k])
        g_bytes_unref (ck->states[k]);
    }
  g_free (ck);
}

static SomaifCheckpoint *
corrupt (SomaifCheckpoint *ck, const char *path, const char *why, GError **error)
{
  g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
               "%s: not a usable checkpoint: %s", path, why);
  somaif_checkpoint_free (ck);
  return NULL;
}

SomaifCheckpoint *
somaif_checkpoint_parse (const guint8 *data, gsize length, const char *path, GError **error)
{
  SomaifCheckpoint *ck = g_new0 (SomaifCheckpoint, 1);
  if (length < 8 + 8 || memcmp (data, MAGIC, 8) != 0)
    return corrupt (ck, path, "it is not a somaif checkpoint", error);
  guint64 sum = 0;
  for (int i = 0; i < 8; i++)
    sum |= (guint64) data[length - 8 + i] << (8 * i);
  if (sum != somaif_hash64 (data, length - 8))
    return corrupt (ck, path, "its checksum does not match (truncated or damaged)", error);
  Reader r = { data + 8, length - 16 };
  guint32 format, major, minor, has_spare;
  guint64 u;
  if (!get_u32 (&r, &format) || format != FORMAT)
    return corrupt (ck, path, "written by another checkpoint format", error);
  if (!get_u32 (&r, &major) || !get_u32 (&r, &minor) || major != SOMAIF_ABI_MAJOR)
    return corrupt (ck, path, "written by somaif with another plugin ABI", error);
  if (!get_u64 (&r, &ck->config_hash) || !get_u64 (&r, &u))
    return corrupt (ck, path, "it is truncated", error);
  ck->next_epoch = (gint64) u;
  for (int i = 0; i < 4; i++)
    if (!get_u64 (&r, &ck->rng.s[i]))
      return corrupt (ck, path, "it is truncated", error);
  if (!get_f64 (&r, &ck->rng.spare) || !get_u32 (&r, &has_spare))
    return corrupt (ck, path, "it is truncated", error);
  ck->rng.has_spare = has_spare != 0;
  if (!get_u64 (&r, &u))
    return corrupt (ck, path, "it is truncated", error);
  ck->metrics_bytes = (gint64) u;
  if (!get_u64 (&r, &u))
    return corrupt (ck, path, "it is truncated", error);
  ck->schedules_bytes = (gint64) u;
  if (ck->next_epoch < 0 || ck->metrics_bytes < 0 || ck->schedules_bytes < 0)
    return corrupt (ck, path, "it holds negative counts", error);
  for (int k = 0; k < SOMAIF_CHECKPOINT_PARTS; k++)
    {
      guint32 len, n, has;
      if (!get_u32 (&r, &len) || len > 4096 || r.left < len)
        return corrupt (ck, path, "a plugin name is damaged", error);
      ck->names[k] = g_strndup ((const char *) r.p, len);
      take (&r, NULL, len);
      if (!get_u32 (&r, &n) || n > 100000 || r.left < (gsize) n * 8)
        return corrupt (ck, path, "the scheduled values are damaged", error);
      ck->n_values[k] = (int) n;
      ck->values[k] = g_new0 (double, n ? n : 1);
      for (guint32 i = 0; i < n; i++)
        get_f64 (&r, &ck->values[k][i]);
      if (!get_u32 (&r, &has) || !get_u64 (&r, &u) || u > r.left)
        return corrupt (ck, path, "a plugin's state is damaged", error);
      if (has)
        ck->states[k] = g_bytes_new (r.p, (gsize) u);
      take (&r, NULL, (gsize) u);
    }
  if (r.left != 0)
    return corrupt (ck, path, "it has trailing bytes", error);
  return ck;
}

SomaifCheckpoint *
somaif_checkpoint_read (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  GError *err = NULL;
  if (!somaif_read_file (path, "checkpoint", SOMAIF_MAX_ARRAYS_BYTES, &data, &len, &err))
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP, "%s", err->message);
      g_error_free (err);
      return NULL;
    }
  return somaif_checkpoint_parse ((const guint8 *) data, len, path, error);
}

/* ------------------------------------------------------------------ */
/* The parts                                                           */

const char *
somaif_part_message (const SomaifPart *part, const void *inst)
{
  return somaif_plugin_reason (part->plugin, inst);
}

gboolean
somaif_part_set_param (const SomaifPart *part, void *inst, int index, double value,
                       GError **error)
{
  if (part->plugin->head->set_param (inst, index, value) == 0)
    return TRUE;
  g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_PLUGIN,
               "%s plugin '%s' refused %s.%s = %g: %s", part->group, part->plugin->head->name,
               part->group, part->params->values[index].spec->name, value,
               somaif_part_message (part, inst));
  return FALSE;
}

GBytes *
somaif_part_save_state (const SomaifPart *part, void *inst, GError **error)
{
  GByteArray *buf = g_byte_array_new ();
  if (part->plugin->head->save_state (inst, buf) == 0)
    return g_byte_array_free_to_bytes (buf);
  g_byte_array_unref (buf);
  g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_PLUGIN,
               "%s plugin '%s' could not save its state: %s", part->group,
               part->plugin->head->name, somaif_part_message (part, inst));
  return NULL;
}

guint64
somaif_config_hash (const SomaifConfig *cfg)
{
  g_autofree char *text = somaif_config_resolved (cfg);
  return somaif_hash64 (text, strlen (text));
}

GByteArray *
somaif_checkpoint_prepare (SomaifCheckpoint *ck, const SomaifConfig *cfg,
                           const SomaifCheckpointPart *parts, GError **error)
{
  gboolean ok = TRUE;
  ck->config_hash = somaif_config_hash (cfg);
  for (int k = 0; k < SOMAIF_CHECKPOINT_PARTS && ok; k++)
    {
      const SomaifPart *part = parts[k].part;
      ck->names[k] = (char *) part->plugin->head->name;
      ck->n_values[k] = part->params->n;
      ck->values[k] = parts[k].values;
      if (part->plugin->head->save_state)
        ok = (ck->states[k] = somaif_part_save_state (part, parts[k].inst, error)) != NULL;
    }
  GByteArray *b = ok ? somaif_checkpoint_encode (ck) : NULL;
  for (int k = 0; k < SOMAIF_CHECKPOINT_PARTS; k++)
    {
      if (ck->states[k])
        g_bytes_unref (ck->states[k]);
      ck->states[k] = NULL;
      ck->names[k] = NULL;
      ck->values[k] = NULL;
    }
  return b;
}

/* Says how part k differs from what the checkpoint at path recorded, naming
 * the file loaded now and where the run recorded the one it used. */
static void
plugin_changed (const SomaifCheckpoint *ck, int k, const SomaifPart *part, const char *path,
                GError **error)
{
  const SomaifPluginHead *h = part->plugin->head;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *then = g_strdup_printf ("'%s' with %d parameters and %s", ck->names[k],
                                           (int) ck->n_values[k],
                                           ck->states[k] ? "a saved state" : "no saved state");
  g_autofree char *now = g_strdup_printf ("'%s' with %d parameters and %s", h->name,
                                          part->params->n,
                                          h->save_state ? "a saved state" : "no saved state");
  g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
               "%s: the %s was plugin %s when it was written, but the file loaded now, %s, is "
               "%s (%s/run.json names the file the run used)", path, part->group, then,
               part->plugin->path, now, dir);
}

gboolean
somaif_checkpoint_check (const SomaifCheckpoint *ck, const char *path, const SomaifConfig *cfg,
                         GError **error)
{
  if (ck->config_hash != somaif_config_hash (cfg))
    {
      g_autofree char *dir = g_path_get_dirname (path);
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                   "%s: written for another config than %s/config.cfg", path, dir);
      return FALSE;
    }
  if (ck->next_epoch > cfg->epochs)
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                   "%s: at epoch %" G_GINT64_FORMAT ", past the run's %" G_GINT64_FORMAT,
                   path, ck->next_epoch, cfg->epochs);
      return FALSE;
    }
  for (int k = 0; k < SOMAIF_CHECKPOINT_PARTS; k++)
    {
      const SomaifPart *part = &cfg->parts[k];
      const SomaifPluginHead *h = part->plugin->head;
      if (g_strcmp0 (ck->names[k], h->name) != 0 || ck->n_values[k] != part->params->n
          || (ck->states[k] != NULL) != (h->save_state != NULL))
        {
          plugin_changed (ck, k, part, path, error);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
restore_part (const SomaifCheckpoint *ck, int k, const char *path,
              const SomaifCheckpointPart *p, GError **error)
{
  const SomaifPart *part = p->part;
  const SomaifPluginHead *h = part->plugin->head;
  memcpy (p->values, ck->values[k], sizeof (double) * ck->n_values[k]);
  for (int i = 0; i < part->params->n; i++)
    if (part->schedules[i] && !somaif_part_set_param (part, p->inst, i, p->values[i], error))
      {
        g_prefix_error (error, "%s: ", path);
        return FALSE;
      }
  if (!ck->states[k])
    return TRUE;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (ck->states[k], &len);
  if (!h->load_state || h->load_state (p->inst, data, len) != 0)
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                   "%s: %s plugin '%s' refused its saved state: %s", path, part->group,
                   h->name, h->load_state ? somaif_part_message (part, p->inst)
                                          : "it cannot load a state");
      return FALSE;
    }
  return TRUE;
}

SomaifCheckpoint *
somaif_checkpoint_restore (const char *path, const SomaifConfig *cfg,
                           const SomaifCheckpointPart *parts, GError **error)
{
  SomaifCheckpoint *ck = somaif_checkpoint_read (path, error);
  if (!ck)
    return NULL;
  gboolean ok = somaif_checkpoint_check (ck, path, cfg, error);
  for (int k = 0; k < SOMAIF_CHECKPOINT_PARTS && ok; k++)
    ok = restore_part (ck, k, path, &parts[k], error);
  if (!ok)
    g_clear_pointer (&ck, somaif_checkpoint_free);
  return ck;
}
