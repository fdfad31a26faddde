/* somaif/plugin.h: the whole ABI between somaif and its plugins.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * somaif_plugin_describe(), returning a pointer to a static vtable of one
 * of the five kinds below.  The host checks that vtable (ABI version, kind,
 * name, required methods) before it calls anything else in the plugin.
 *
 * Versioning
 *   SOMAIF_ABI_MAJOR changes when anything here changes incompatibly: a
 *   field removed, moved or retyped, a method's meaning changed.  The host
 *   refuses a plugin whose major differs from its own.
 *   SOMAIF_ABI_MINOR grows when something is only appended: a method at the
 *   end of a kind's vtable, a new core function.  The host refuses a plugin
 *   built against a newer minor than its own (it may call core functions the
 *   host lacks), and never reads a method appended after the plugin's minor.
 *
 * Ownership and lifetimes
 *   - The vtable and every string and array it points to are static data of
 *     the plugin: they live as long as the plugin is loaded.
 *   - create() returns an instance that only the same vtable's destroy()
 *     frees.  The SomaifSetup and SomaifParams passed to create() belong to
 *     the host and are valid only during the call: copy what you keep.
 *   - Arrays passed to methods belong to the caller, are valid only during
 *     the call, and are never kept.  Output arrays are sized by the caller
 *     from the sizes the instance reported.
 *   - Strings returned by error_message() belong to the instance and stay
 *     valid until its next method call or destroy().
 *
 * Errors
 *   create() reports failure by returning NULL with *error set (it may
 *   allocate); NULL without a GError is the plugin's mistake, and is reported
 *   as such.  Every other method returns 0 on success and a negative value
 *   on failure, and says why without allocating, in one of two ways:
 *     - somaif_plugin_fail() (ABI 1.1): keeps a message for the calling
 *       thread only, like errno, so it is the way for "concurrent" methods,
 *       which may not change the instance;
 *     - a message written into the instance and returned by error_message()
 *       (methods that are not concurrent only).
 *   The host reports the message with the plugin's name.  Leave a message
 *   only when failing.  Plugins never exit() and never print.
 *
 * Threads
 *   Methods documented "concurrent" may be called at once from several
 *   threads on one instance with disjoint output arrays: they must not change
 *   the instance.  All other methods are called from one thread at a time
 *   (the thread that called create()).
 *
 * Numbers
 *   Every number a method hands back must be finite: the host checks each
 *   stage's output (candidates, motor commands, points, images, distances)
 *   and stops the run with exit status 1, naming the stage and the plugin,
 *   at the first NaN or infinity.
 *
 * Call order of a run (each kind's own order is at its vtable below)
 *   1. Load: somaif_plugin_describe() and the checks of this vtable; nothing
 *      else (--list-plugins and --check stop after step 2).
 *   2. create() for generator, plant, renderer, perceiver, optimiser, in that
 *      order, then each kind's size methods; the perceiver's distance() for
 *      every pair of units.
 *   3. Epoch 0 and whenever a scheduled value changes: set_param().
 *      On --resume, instead, for each part in the order of step 2:
 *      set_param() with the checkpoint's scheduled values, then load_state().
 *   4. Each epoch, from the main thread unless marked: the host draws a goal
 *      unit; perceiver prototype(goal); optimiser propose(goal); for the
 *      candidates, in worker threads (concurrent): generator run() over
 *      batches, then per candidate plant run() and renderer draw(); then,
 *      per candidate in order, perceiver learn() and distance(winner, goal);
 *      optimiser update(goal) with each candidate's reward, minus its free
 *      energy.  At snapshots the perceiver's prototype() of every unit; at
 *      checkpoints every part's save_state().
 *   5. After the last epoch: optimiser solution() per goal; their rollouts as
 *      in step 4 (concurrent); perceiver recognise() (and best_two()) and
 *      distance(); generator export_model(); every part's save_state().
 *      --replay is steps 1, 2, then load_state() and set_param() with the
 *      last epoch's values, then step 5.
 *   6. destroy() for every instance created, whatever failed.
 *
 * Randomness
 *   Every instance gets its own seed in SomaifSetup; a plugin draws from a
 *   SomaifRng of its own seeded from it (never from a global generator), so
 *   that a run repeats exactly.
 */
#ifndef SOMAIF_PLUGIN_H
#define SOMAIF_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

G_BEGIN_DECLS

#define SOMAIF_ABI_MAJOR 1
#define SOMAIF_ABI_MINOR 2

/* The one symbol a plugin exports. */
#define SOMAIF_PLUGIN_ENTRY "somaif_plugin_describe"

#if defined(__GNUC__) || defined(__clang__)
#define SOMAIF_EXPORT __attribute__((visibility("default")))
#else
#define SOMAIF_EXPORT
#endif

/* Defines the entry point of a plugin whose vtable is the static VTABLE. */
#define SOMAIF_PLUGIN_DEFINE(VTABLE)                                          \
  SOMAIF_EXPORT const SomaifPluginHead *somaif_plugin_describe (void);        \
  SOMAIF_EXPORT const SomaifPluginHead *somaif_plugin_describe (void)         \
  {                                                                           \
    return &(VTABLE).head;                                                    \
  }

typedef enum
{
  SOMAIF_KIND_GENERATOR = 1, /* initial states -> motor commands */
  SOMAIF_KIND_PLANT = 2,     /* motor commands -> pen points */
  SOMAIF_KIND_RENDERER = 3,  /* pen points -> image */
  SOMAIF_KIND_PERCEIVER = 4, /* image -> winning unit; learns prototypes */
  SOMAIF_KIND_OPTIMISER = 5  /* proposes initial states per goal; learns from rewards */
} SomaifKind;

/* ------------------------------------------------------------------ */
/* Declared parameters                                                 */

typedef enum
{
  SOMAIF_PARAM_INT = 1,     /* libconfig integer */
  SOMAIF_PARAM_FLOAT = 2,   /* libconfig float; an integer is accepted */
  SOMAIF_PARAM_BOOL = 3,    /* libconfig boolean */
  SOMAIF_PARAM_STRING = 4,  /* libconfig string */
  SOMAIF_PARAM_FLOATS = 5   /* libconfig array or list of numbers */
} SomaifParamType;

typedef enum
{
  SOMAIF_PARAM_SCHEDULABLE = 1 << 0, /* FLOAT only: may be a schedule over epochs;
                                        the host calls set_param() each epoch */
  SOMAIF_PARAM_PATH = 1 << 1,        /* STRING: a file name, taken relative to the
                                        config file's folder */
  SOMAIF_PARAM_OPTIONAL = 1 << 2     /* may be absent and has no default */
} SomaifParamFlags;

typedef struct
{
  const char *name;      /* the config key: [a-z][a-z0-9_]*, once in a plugin */
  SomaifParamType type;
  const char *def;       /* default, written as a libconfig value: "100", "0.6",
                            "[1.0, 2.0]", "true"; a string keeps its quotes in the
                            C string: "\"text\"".  It must be a valid value of this
                            parameter (type, range, length): the loader refuses the
                            plugin otherwise.  NULL: required unless OPTIONAL */
  double min, max;       /* inclusive range of numbers (each element of FLOATS);
                            min > max: unbounded */
  int length;            /* FLOATS: the required number of elements (0: any) */
  unsigned flags;        /* SomaifParamFlags */
  const char *doc;       /* one line: what it is, in which unit */
} SomaifParamSpec;

/* Terminates a plugin's parameter array. */
#define SOMAIF_PARAM_END { NULL, 0, NULL, 0, 0, 0, 0, NULL }

/* Validated values of a plugin's parameters (defaults filled in), read with
 * the getters below during create().  Schedulable parameters hold their
 * value at epoch 0. Getting a name the plugin did not declare, or with the
 * wrong getter, is a programming error: the getters then return 0 / NULL. */
typedef struct SomaifParams SomaifParams;

gint64 somaif_params_get_int (const SomaifParams *params, const char *name);
double somaif_params_get_float (const SomaifParams *params, const char *name);
gboolean somaif_params_get_bool (const SomaifParams *params, const char *name);
/* NULL when an OPTIONAL string is absent; PATH strings come back resolved. */
const char *somaif_params_get_string (const SomaifParams *params, const char *name);
/* Returns the elements and sets *length; NULL when absent. */
const double *somaif_params_get_floats (const SomaifParams *params, const char *name,
                                        int *length);
/* TRUE when the config gave the key (FALSE: a default or absent). */
gboolean somaif_params_has (const SomaifParams *params, const char *name);

/* ------------------------------------------------------------------ */
/* What the host tells a new instance                                  */

typedef struct
{
  guint32 struct_size;   /* sizeof (SomaifSetup) of the host: fields are only appended */
  guint64 seed;          /* this instance's own seed */
  const char *config_dir;/* folder of the config file (for relative paths) */
  int steps;             /* time steps of a rollout (experiment.steps) */
  int input_size;        /* generator: 0; plant: generator outputs per step;
                            renderer: plant point dimension; perceiver: pixels
                            of an image; optimiser: generator state size */
  int input_width;       /* perceiver: image width (renderer); others 0 */
  int input_height;      /* perceiver: image height (renderer); others 0 */
  int goals;             /* optimiser: number of perceiver units; others 0 */
  int epochs;            /* experiment.epochs */
} SomaifSetup;

/* ------------------------------------------------------------------ */
/* The head common to every kind (first member of each vtable)         */

typedef struct
{
  guint32 abi_major;       /* required: SOMAIF_ABI_MAJOR */
  guint32 abi_minor;       /* required: SOMAIF_ABI_MINOR */
  guint32 kind;            /* required: a SomaifKind */
  guint32 reserved0;
  const char *name;        /* required: equals the file name without ".so" */
  const char *description; /* required: one line */
  const SomaifParamSpec *params; /* required: ended by SOMAIF_PARAM_END */

  /* required: a new instance, or NULL with *error set (see Errors). */
  void *(*create) (const SomaifSetup *setup, const SomaifParams *params, GError **error);
  /* required: frees everything create() and the methods allocated. */
  void (*destroy) (void *self);
  /* required if a parameter is SCHEDULABLE: index into params; called before
     each epoch whose value differs from the last one set. */
  int (*set_param) (void *self, int index, double value);
  /* optional: why the last method failed, for methods that are not
     concurrent (see Errors above; concurrent ones use somaif_plugin_fail()). */
  const char *(*error_message) (const void *self);
  /* optional (checkpoints): append the instance's whole learned and random
     state to out, with a version of the plugin's own first. */
  int (*save_state) (const void *self, GByteArray *out);
  /* optional (checkpoints): restore what save_state() wrote, refusing with a
     message what another version or configuration wrote. */
  int (*load_state) (void *self, const guint8 *data, gsize length);
  void *reserved[4];       /* NULL */
} SomaifPluginHead;

/* ------------------------------------------------------------------ */
/* Saying why a method failed, from any thread (ABI 1.1)                */

/* Keeps a message (printf format, cut at 255 bytes) for the calling thread,
 * which the host reads when the method returns; returns -1, so that a method
 * fails with "return somaif_plugin_fail (...);".  Never allocates. */
int somaif_plugin_fail (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* The calling thread's message from somaif_plugin_fail(), then forgotten;
 * NULL when there is none.  The host calls it when a method fails (a
 * plugin's own tests may too); valid until that thread's next message. */
const char *somaif_plugin_take_failure (void);

/* ------------------------------------------------------------------ */
/* Generator: a batch of initial states -> motor commands over time    */

typedef struct
{
  SomaifPluginHead head;
  /* required: dimension of an initial state. */
  int (*state_size) (const void *self);
  /* required: motor commands per step. */
  int (*output_size) (const void *self);
  /* required, concurrent: states is batch x state_size (row-major); out is
     batch x steps x output_size.  Each row's result must not depend on the
     batch size or its position in the batch. */
  int (*run) (const void *self, int batch, const float *states, int steps, float *out);
  /* optional: write the fixed model (weights) as named arrays for model/;
     called once after training. */
  int (*export_model) (const void *self, const char *dir, GError **error);
} SomaifGenerator;

/* ------------------------------------------------------------------ */
/* Plant: motor commands over time -> pen points                        */

typedef struct
{
  SomaifPluginHead head;
  /* required: motor commands per step it takes (checked against the generator). */
  int (*input_size) (const void *self);
  /* required: coordinates of a point (2 for a pen on paper). */
  int (*point_size) (const void *self);
  /* required: points of a rollout of `steps` steps. */
  int (*n_points) (const void *self, int steps);
  /* required, concurrent: motor is steps x input_size; points is
     n_points x point_size (doubles, paper units). */
  int (*run) (const void *self, int steps, const float *motor, double *points);

  /* Appended in minor 1: the plant's pose, for chaining rollouts (the host
     reads these only from a plugin of minor >= 1, and chains only when both
     are set).  A pose is what the next rollout starts from (arm2: its two
     joint angles); points stay in run()'s frame, relative to the pen at the
     initial pose. */
  /* optional: doubles in a pose. */
  int (*pose_size) (const void *self);
  /* optional, concurrent: like run(), but starting from pose (pose_size
     doubles; NULL: the initial pose); points[0] is the pen at pose, and the
     pose after the last step goes into end_pose (pose_size doubles; NULL:
     not wanted).  run_from (NULL, ...) draws what run() draws. */
  int (*run_from) (const void *self, const double *pose, int steps, const float *motor,
                   double *points, double *end_pose);
} SomaifPlant;

/* ------------------------------------------------------------------ */
/* Renderer: pen points -> image                                        */

typedef struct
{
  SomaifPluginHead head;
  /* required: image size in pixels. */
  int (*width) (const void *self);
  int (*height) (const void *self);
  /* required, concurrent: points is n x point_size; image is height x width,
     row 0 at the top, 1 blank paper, 0 full ink. */
  int (*draw) (const void *self, int n, const double *points, float *image);
} SomaifRenderer;

/* ------------------------------------------------------------------ */
/* Perceiver: image -> winning unit; learns prototypes                  */

typedef struct
{
  SomaifPluginHead head;
  /* required: number of units (= goals). */
  int (*n_units) (const void *self);
  /* required: how figures lay out units: rows x cols (a ring: 1 x n). */
  void (*layout) (const void *self, int *rows, int *cols);
  /* required: topological distance between units u and v on the map.  The
     host calls it for every pair at start (a normaliser it keeps for the
     run), then as distance(winner, goal) per rollout: so it must depend only
     on u and v, never on learning; be finite and >= 0; be 0 when u == v (a
     recognised goal is at distance 0).  The host checks the whole table at
     start.  It need not be symmetric: the first argument is the unit that
     won, the second the goal. */
  double (*distance) (const void *self, int u, int v);
  /* required, concurrent: copies unit's prototype (input_size floats, an
     image like the renderer's) into out. */
  int (*prototype) (const void *self, int unit, float *out);
  /* required, concurrent: the best unit for input and its squared distance,
     without learning. */
  int (*recognise) (const void *self, const float *input, int *winner, double *distance);
  /* required: the best unit (first on ties) and its squared distance,
     computed before learning; then learns from input. */
  int (*learn) (void *self, const float *input, int *winner, double *distance);
  /* optional, concurrent: the two best units and their squared distances
     (map quality measures). */
  int (*best_two) (const void *self, const float *input, int best[2], double distance[2]);
} SomaifPerceiver;

/* ------------------------------------------------------------------ */
/* Optimiser: proposes initial states per goal; learns from rewards     */

typedef struct
{
  SomaifPluginHead head;
  /* required: candidates proposed for one goal in an epoch (at most). */
  int (*max_candidates) (const void *self);
  /* required: writes *n <= max_candidates candidates for goal, each
     state_size floats, into candidates. */
  int (*propose) (void *self, int goal, float *candidates, int *n);
  /* required: learns from the rewards (higher is better) of the candidates
     last proposed for goal, in their order.  A reward is minus the
     candidate's free energy (accuracy + complexity, in nats). */
  int (*update) (void *self, int goal, int n, const double *rewards);
  /* required: the goal's learned initial state, without exploration. */
  int (*solution) (const void *self, int goal, float *state);
  /* ABI 1.2, optional (0: none): SOMAIF_OPTIMISER_* promises below. */
  guint32 flags;
} SomaifOptimiser;

/* The optimiser's proposals do not depend on the order of proposals and
 * updates of different goals: propose() for goal b may come between
 * propose() for goal a and update() for a (a != b), and update() then
 * learns from a's proposal; a set_param() between a propose() and its
 * update() does not change that update (it uses the values in force at the
 * proposal).  With this promise the host proposes the next epoch's
 * candidates, and runs their rollouts, while the map learns from this
 * epoch's: the results are those of the plain order, to the byte. */
#define SOMAIF_OPTIMISER_PROPOSES_AHEAD (1u << 0)

/* ------------------------------------------------------------------ */
/* The vector unit of this process (ABI 1.2)                            */

/* A plugin with kernels for several vector units runs the one somaif_simd()
 * names, so that every plugin of a run (and run.json) agrees.  Kernels for
 * different units must give the same bytes: the choice changes speed only. */
typedef enum
{
  SOMAIF_SIMD_BASELINE = 0, /* any CPU: plain C */
  SOMAIF_SIMD_AVX2 = 1,     /* x86-64 with AVX2 and FMA */
  SOMAIF_SIMD_AVX512 = 2    /* x86-64 with AVX-512F */
} SomaifSimd;

/* The widest unit of this CPU (and operating system). */
SomaifSimd somaif_simd_best (void);
/* The unit in use: the widest, or the one the environment variable
 * SOMAIF_SIMD names (baseline, avx2, avx512) when this CPU has it.  Decided
 * at the first call, then fixed for the process. */
SomaifSimd somaif_simd (void);
/* "baseline", "avx2", "avx512". */
const char *somaif_simd_name (SomaifSimd level);

/* ------------------------------------------------------------------ */
/* Random numbers for plugins (xoshiro256**, seeded by splitmix64)      */

typedef struct
{
  guint64 s[4];
  double spare;      /* second normal deviate of a Box-Muller pair */
  int has_spare;
} SomaifRng;

void somaif_rng_init (SomaifRng *rng, guint64 seed);
guint64 somaif_rng_next (SomaifRng *rng);
/* Uniform in [0, 1). */
double somaif_rng_uniform (SomaifRng *rng);
/* Uniform integer in [0, n). */
guint32 somaif_rng_below (SomaifRng *rng, guint32 n);
/* Standard normal. */
double somaif_rng_normal (SomaifRng *rng);

/* ------------------------------------------------------------------ */
/* Named arrays in the text format of tests/data/golden                 */

typedef struct
{
  char *name;
  int ndim;
  int shape[4];
  gsize size;      /* product of shape (1 for a scalar) */
  double *data;    /* row-major */
} SomaifArray;

/* Reads every array of a file; a GHashTable of name -> SomaifArray*. */
GHashTable *somaif_arrays_load (const char *path, GError **error);
/* The named array, checking its shape (ndim < 0: any shape). */
const SomaifArray *somaif_arrays_get (GHashTable *arrays, const char *name, int ndim,
                                      const int *shape, GError **error);
/* Writes one array as a NumPy .npy file (little-endian float64 or float32). */
gboolean somaif_npy_write_f64 (const char *path, const double *data, int ndim,
                               const int *shape, GError **error);
gboolean somaif_npy_write_f32 (const char *path, const float *data, int ndim,
                               const int *shape, GError **error);

/* ------------------------------------------------------------------ */
/* Little-endian fields for save_state() and load_state()               */

/* Writers append to out.  The array writers grow out once and copy: for a
 * large state, one call for an array is much faster than a call a value. */
void somaif_state_put_u32 (GByteArray *out, guint32 v);
void somaif_state_put_u64 (GByteArray *out, guint64 v);
void somaif_state_put_f64 (GByteArray *out, double v);
void somaif_state_put_f32s (GByteArray *out, const float *v, gsize n);
void somaif_state_put_f64s (GByteArray *out, const double *v, gsize n);
/* Readers take from *p and move it on; the caller has checked the length. */
guint32 somaif_state_get_u32 (const guint8 **p);
guint64 somaif_state_get_u64 (const guint8 **p);
double somaif_state_get_f64 (const guint8 **p);
void somaif_state_get_f32s (const guint8 **p, float *v, gsize n);
void somaif_state_get_f64s (const guint8 **p, double *v, gsize n);

#define SOMAIF_PLUGIN_ERROR (somaif_plugin_error_quark ())
GQuark somaif_plugin_error_quark (void);

typedef enum
{
  SOMAIF_PLUGIN_ERROR_NOT_FOUND,
  SOMAIF_PLUGIN_ERROR_NOT_A_PLUGIN,
  SOMAIF_PLUGIN_ERROR_ABI,
  SOMAIF_PLUGIN_ERROR_KIND,
  SOMAIF_PLUGIN_ERROR_NAME,
  SOMAIF_PLUGIN_ERROR_MISSING_METHOD,
  SOMAIF_PLUGIN_ERROR_PARAMS,
  SOMAIF_PLUGIN_ERROR_CREATE,
  SOMAIF_PLUGIN_ERROR_FAILED
} SomaifPluginError;

G_END_DECLS

#endif /* SOMAIF_PLUGIN_H */
