/* What the two virtio-hostile guests tell each other through their channel
 * (tests/configs/virtio-hostile.dts): the well-behaved one's progress, so
 * the hostile one knows its cases ran beside real I/O, and when the hostile
 * one is done, so the other makes its last requests after all of them. */
#ifndef VIRTIO_HOSTILE_SHARED_H
#define VIRTIO_HOSTILE_SHARED_H

#include <stdint.h>

#define SHARED_ADDRESS 0x0b000000u
#define DOORBELL ((volatile uint32_t *)(SHARED_ADDRESS + 0x1000u))   /* signals the other end */
#define CHANNEL_IRQ 80u
#define HOSTILE_DONE 0x600d600du

struct shared {
    volatile uint32_t worker_requests;   /* the worker's completed requests so far */
    volatile uint32_t hostile_done;      /* HOSTILE_DONE once every case has run */
    volatile uint32_t hostile_cases;     /* cases run so far: the worker makes one
                                            pass per case, so neither starves the other */
};

#define SHARED ((struct shared *)SHARED_ADDRESS)

/* The worker's data: each 32-bit word of sector `sector` (of its disk) in
 * pass `pass`, at word `word` of the sector (tests/system/
 * test_virtio_hostile.py computes the same). */
static inline uint32_t worker_word(uint32_t pass, uint32_t sector, uint32_t word)
{
    return (pass << 24) ^ (sector * 2654435761u) ^ (word * 0x01000193u);
}

/* The worker's checksum of a pass, word by word from 0x811c9dc5: FNV-1a's
 * step on words, then the high bits folded down so every bit counts. */
static inline uint32_t worker_checksum(uint32_t sum, uint32_t word)
{
    sum = (sum ^ word) * 0x01000193u;
    return sum ^ sum >> 15;
}

#endif
