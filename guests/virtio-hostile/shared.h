/* What the two virtio-hostile guests tell each other through their channel
 * (tests/configs/virtio-hostile.dts): the well-behaved one's progress, so
 * the hostile one knows its cases ran beside real I/O, and when the hostile
 * one is done, so the other makes its last requests after all of them. */
#ifndef VIRTIO_HOSTILE_SHARED_H
#define VIRTIO_HOSTILE_SHARED_H

#include <stdint.h>

#define SHARED_ADDRESS 0x0b000000u
#define HOSTILE_DONE 0x600d600du

struct shared {
    volatile uint32_t worker_requests;   /* the worker's completed requests so far */
    volatile uint32_t hostile_done;      /* HOSTILE_DONE once every case has run */
};

#define SHARED ((struct shared *)SHARED_ADDRESS)

/* The worker's data: each 32-bit word of sector `sector` (of its disk) in
 * pass `pass`, at word `word` of the sector (tests/system/
 * test_virtio_hostile.py computes the same). */
static inline uint32_t worker_word(uint32_t pass, uint32_t sector, uint32_t word)
{
    return (pass << 24) ^ (sector * 2654435761u) ^ (word * 0x01000193u);
}

#endif
