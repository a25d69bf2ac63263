/* The link between a VM's VMM (its virtio-rng device) and the entropy
 * driver task that owns the platform's random number generator (apps/rng,
 * docs/devices.md): a ring of random bytes the driver fills and the VMM
 * takes, in a page both map, and a notification each way (the VMM's says
 * "I took some: fill up", the driver's "there are more"). Indices run
 * freely and wrap at 2^32; each has one writer. */
#ifndef LIB_RNG_LINK_H
#define LIB_RNG_LINK_H

#include <stdint.h>

#define RNG_LINK_BYTES 2048u          /* a power of two */

struct rng_link {
    volatile uint32_t head;           /* driver: bytes written */
    volatile uint32_t tail;           /* VMM: bytes taken */
    uint32_t reserved[14];
    uint8_t bytes[RNG_LINK_BYTES];
};

#define RNG_LINK_SIZE 0x1000u
_Static_assert(sizeof(struct rng_link) <= RNG_LINK_SIZE, "the link fits its page");

/* Orders the bytes before the index that publishes them. */
static inline void rng_link_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);   /* dmb ish on ARM */
}

#endif
