/* A split virtqueue in guest RAM (virtio 1.x, 2.7), read and written by
 * the VMM as a device does: every address, length, index and chain the
 * guest gives is checked before it is used, and each descriptor is copied
 * out once, so a guest that rewrites its ring meanwhile changes nothing. */
#ifndef VMM_VIRTQ_H
#define VMM_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>

#define VIRTQ_SIZE_MAX 256u     /* QueueNumMax of every queue */
#define VIRTQ_CHAIN_MAX 254u    /* buffers in one chain: virtio-blk's header, 250 data and
                                   status, with room for a request over its seg_max to get
                                   IOERR rather than a broken device */

struct vm;

/* One queue as the driver set it up (the transport's registers). */
struct virtq {
    uint32_t size;              /* QueueNum: a power of two, <= VIRTQ_SIZE_MAX */
    uint64_t desc, avail, used; /* guest-physical */
    bool ready;
    uint16_t last_avail;        /* the next avail entry to take */
    uint16_t used_index;        /* our copy of used->idx */
};

struct virtq_buffer {
    uint32_t address, length;   /* guest-physical, inside the VM's RAM */
    bool writable;              /* device-writable (VIRTQ_DESC_F_WRITE) */
};

/* A chain taken from the avail ring: device-readable buffers first. */
struct virtq_chain {
    uint16_t head;
    uint32_t count;
    uint32_t readable, writable;          /* bytes of each kind */
    struct virtq_buffer buffers[VIRTQ_CHAIN_MAX];
};

enum virtq_result {
    VIRTQ_EMPTY = 0,            /* nothing new */
    VIRTQ_TAKEN = 1,            /* *chain holds the next chain */
    VIRTQ_MALFORMED = -1,       /* *why says what: the device needs a reset */
};

/* Whether the queue's three areas lie in the VM's RAM, aligned, with a
 * valid size; *why says what is wrong. */
bool virtq_check(const struct vm *vm, const struct virtq *q, const char **why);
/* Takes the next available chain. */
enum virtq_result virtq_take(const struct vm *vm, struct virtq *q, struct virtq_chain *chain,
                             const char **why);
/* Chains waiting in the avail ring (0 if its index is not believable). */
uint32_t virtq_waiting(const struct vm *vm, const struct virtq *q);
/* Gives chain `head` back through the used ring, `written` bytes written. */
void virtq_give(const struct vm *vm, struct virtq *q, uint16_t head, uint32_t written);
/* The VM's RAM at guest-physical [address, address + length), or NULL if
 * any of it is outside. */
void *virtq_guest(const struct vm *vm, uint64_t address, uint64_t length);

#endif
