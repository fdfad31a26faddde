/* stateless-optimiser.c: the good optimiser without save_state and
 * load_state, for the checks of a run that cannot be resumed or replayed. */
#define GOOD_OPTIMISER_STATELESS 1
#include "good-optimiser.c"
