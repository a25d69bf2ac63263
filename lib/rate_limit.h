/* A limiter for lines that something outside a component can provoke again
 * and again (a guest's mistakes in the VMM, a VMM's bad requests in a
 * driver): the first `burst` pass, then at most one a second, and the ones
 * held back are counted for the next line that passes to say. */
#ifndef LIB_RATE_LIMIT_H
#define LIB_RATE_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct rate_limit {
    uint32_t passed;           /* lines let through */
    uint32_t held;             /* held back since the last one let through */
    uint64_t last;             /* the counter when the last one went through */
};

/* Whether a line passes at counter `now` (`second`: counts a second);
 * counts the ones that do not. The caller reports and clears `held`. */
static inline bool rate_limit_pass(struct rate_limit *rate, uint32_t burst, uint64_t now,
                                   uint64_t second)
{
    if (rate->passed < burst || now - rate->last >= second) {
        rate->passed++;
        rate->last = now;
        return true;
    }
    rate->held++;
    return false;
}

#endif
