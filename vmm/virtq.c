/* Split virtqueues over guest RAM, checked (virtq.h). The VMM sees guest
 * RAM at its guest-physical addresses, so a checked address is a pointer. */
#include "core/virtio_mmio.h"
#include "vmm/virtq.h"
#include "vmm/vmm.h"

struct virtq_avail {
    uint16_t flags, index;
    uint16_t ring[];
};

struct virtq_used_elem {
    uint32_t id, length;
};
struct virtq_used {
    uint16_t flags, index;
    struct virtq_used_elem ring[];
};

/* On 32 bits past the first test: guest RAM ends below 4 GiB
 * (GUEST_RAM_END_MAX), so an address below it makes the offset wrap past
 * any size. Every descriptor of every request comes through here. */
void *virtq_guest(const struct vm *vm, uint64_t address, uint64_t length)
{
    uint32_t size = vm->info->ram_size, offset = (uint32_t)address - vm->info->ram_base;
    if ((address >> 32) != 0 || length > size || offset > size - (uint32_t)length)
        return NULL;
    return (void *)(uintptr_t)address;
}

/* A full barrier (dmb ish on ARM; also builds for the host's unit tests). */
static void barrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool virtq_check(const struct vm *vm, const struct virtq *q, const char **why)
{
    uint32_t n = q->size;
    if (n == 0 || n > VIRTQ_SIZE_MAX || (n & (n - 1)) != 0)
        *why = "a queue size that is not a power of two up to QueueNumMax";
    else if (q->desc % 16 || !virtq_guest(vm, q->desc, 16ull * n))
        *why = "a descriptor table outside its RAM or not 16-byte aligned";
    else if (q->avail % 2 || !virtq_guest(vm, q->avail, 6ull + 2ull * n))
        *why = "an available ring outside its RAM or not 2-byte aligned";
    else if (q->used % 4 || !virtq_guest(vm, q->used, 6ull + 8ull * n))
        *why = "a used ring outside its RAM or not 4-byte aligned";
    else
        return true;
    return false;
}

static volatile struct virtq_avail *avail(const struct virtq *q)
{
    return (volatile struct virtq_avail *)(uintptr_t)q->avail;
}

static volatile struct virtq_used *used(const struct virtq *q)
{
    return (volatile struct virtq_used *)(uintptr_t)q->used;
}

uint32_t virtq_waiting(const struct vm *vm, const struct virtq *q)
{
    (void)vm;
    uint16_t waiting = (uint16_t)(avail(q)->index - q->last_avail);
    return waiting <= q->size ? waiting : 0;
}

/* Appends descriptor `d` (already copied out) to the chain. */
static bool add_buffer(const struct vm *vm, struct virtq_chain *chain,
                       const struct virtq_desc *d, const char **why)
{
    bool writable = d->flags & VIRTQ_DESC_F_WRITE;
    if (d->flags & VIRTQ_DESC_F_INDIRECT)
        *why = "an indirect descriptor (not offered)";
    else if (d->length == 0 || !virtq_guest(vm, d->address, d->length))
        *why = "a buffer outside its RAM or of length 0";
    else if (!writable && chain->writable > 0)
        *why = "a device-readable buffer after a writable one";
    else if (chain->count == VIRTQ_CHAIN_MAX)
        *why = "a chain longer than the device takes";
    else {
        chain->buffers[chain->count++] = (struct virtq_buffer){
            (uint32_t)d->address, d->length, writable };
        if (writable)
            chain->writable += d->length;
        else
            chain->readable += d->length;
        return true;
    }
    return false;
}

enum virtq_result virtq_take(const struct vm *vm, struct virtq *q, struct virtq_chain *chain,
                             const char **why)
{
    uint16_t waiting = (uint16_t)(avail(q)->index - q->last_avail);
    if (waiting == 0)
        return VIRTQ_EMPTY;
    if (waiting > q->size) {
        *why = "an available index that moved by more than the queue size";
        return VIRTQ_MALFORMED;
    }
    barrier();   /* the entry after the index that published it */
    uint16_t head = avail(q)->ring[q->last_avail % q->size];
    if (head >= q->size) {
        *why = "a chain head past the descriptor table";
        return VIRTQ_MALFORMED;
    }
    const volatile struct virtq_desc *table = (const volatile struct virtq_desc *)(uintptr_t)q->desc;
    /* Not the whole struct: its buffers are filled as far as count says. */
    chain->head = head;
    chain->count = chain->readable = chain->writable = 0;
    /* At most size descriptors: a longer walk is a loop. */
    for (uint32_t index = head, steps = 0;; steps++) {
        if (steps == q->size) {
            *why = "a descriptor chain that loops";
            return VIRTQ_MALFORMED;
        }
        struct virtq_desc d = { table[index].address, table[index].length, table[index].flags,
                                table[index].next };
        if (!add_buffer(vm, chain, &d, why))
            return VIRTQ_MALFORMED;
        if (!(d.flags & VIRTQ_DESC_F_NEXT))
            break;
        if (d.next >= q->size) {
            *why = "a descriptor whose next is past the table";
            return VIRTQ_MALFORMED;
        }
        index = d.next;
    }
    q->last_avail++;
    return VIRTQ_TAKEN;
}

void virtq_give(const struct vm *vm, struct virtq *q, uint16_t head, uint32_t written)
{
    (void)vm;
    volatile struct virtq_used *u = used(q);
    u->ring[q->used_index % q->size].id = head;
    u->ring[q->used_index % q->size].length = written;
    barrier();   /* the entry before the index that publishes it */
    u->index = ++q->used_index;
}
