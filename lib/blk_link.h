/* The link between a VM's VMM (its virtio-blk device) and the block driver
 * task that owns the disk (apps/blk, docs/devices.md): a request ring (VMM
 * -> driver) and a completion ring (driver -> VMM) in memory both map, a
 * notification each way. Indices run freely and wrap at 2^32; each has one
 * writer. Data never passes through here: a request names guest-physical
 * buffers, which the driver checks against and translates with the VM's RAM
 * table (struct blk_ram_table, written by init, read-only to the driver,
 * never mapped in the VMM), so the disk's DMA reaches the guest's buffers
 * directly and nothing else. */
#ifndef LIB_BLK_LINK_H
#define LIB_BLK_LINK_H

#include <stdint.h>

#define BLK_SECTOR_SIZE 512u
#define BLK_LINK_SLOTS 16u          /* requests in flight per VM: a power of two */
#define BLK_MAX_SEGMENTS 250u       /* data buffers per request (the guest's seg_max): a
                                       1 MiB transfer of 4 KiB pages is two requests, as
                                       on QEMU's own device (seg_max 254) */
#define BLK_SEGMENT_MAX 0x10000u    /* bytes per buffer (the guest's size_max) */

/* What a request asks (virtio-blk's request types, which the VMM passes on). */
enum blk_type {
    BLK_READ = 0,                   /* VIRTIO_BLK_T_IN: disk -> guest */
    BLK_WRITE = 1,                  /* VIRTIO_BLK_T_OUT: guest -> disk */
    BLK_FLUSH = 4,                  /* VIRTIO_BLK_T_FLUSH: earlier writes reach the medium */
};

/* How it ended (virtio-blk's status byte values, which the VMM passes back). */
enum blk_status {
    BLK_OK = 0,
    BLK_IOERR = 1,                  /* past the VM's region, a bad buffer, the disk failed */
    BLK_UNSUPPORTED = 2,
};

struct blk_segment {
    uint32_t address;               /* guest-physical */
    uint32_t length;                /* bytes, a multiple of BLK_SECTOR_SIZE, <= BLK_SEGMENT_MAX */
};

struct blk_request {
    uint32_t id;                    /* the VMM's, echoed in the completion */
    uint32_t type;                  /* enum blk_type */
    uint64_t sector;                /* first sector, relative to the VM's region */
    uint32_t segment_count;         /* 0 for a flush */
    uint32_t reserved;
    struct blk_segment segments[BLK_MAX_SEGMENTS];
};

struct blk_completion {
    uint32_t id;
    uint32_t status;                /* enum blk_status */
};

/* The shared region: BLK_LINK_SIZE bytes at BLK_LINK_VMM_ADDRESS in the
 * VMM and wherever the driver's boot info says in the driver. */
struct blk_link {
    volatile uint32_t request_head;     /* VMM: requests written */
    volatile uint32_t request_tail;     /* driver: requests taken */
    volatile uint32_t completion_head;  /* driver: completions written */
    volatile uint32_t completion_tail;  /* VMM: completions taken */
    /* VMM: non-zero while it signals the driver and will look at the
     * completions itself once the signal returns, so the driver need not
     * signal it back for what it completes meanwhile (docs/devices.md). */
    volatile uint32_t vmm_collecting;
    uint32_t reserved[11];
    struct blk_request requests[BLK_LINK_SLOTS];
    struct blk_completion completions[BLK_LINK_SLOTS];
};

#define BLK_LINK_SIZE 0x10000u
_Static_assert(sizeof(struct blk_link) <= BLK_LINK_SIZE, "the link fits its region");

/* A VM's RAM as the host sees it: extents of guest-physical addresses and
 * the physical addresses behind them (init merges adjacent frames). init
 * rewrites it for every instance of the VM, before its VMM starts. */
#define BLK_RAM_EXTENTS_MAX 300u
struct blk_ram_extent {
    uint32_t guest, physical, size;
};
struct blk_ram_table {
    volatile uint32_t count;        /* extents in use; 0 while the VM is down */
    uint32_t reserved[3];
    struct blk_ram_extent extents[BLK_RAM_EXTENTS_MAX];
};
_Static_assert(sizeof(struct blk_ram_table) <= 0x1000u, "the RAM table fits a page");

/* Orders a slot's contents before the index that publishes it. */
static inline void blk_link_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);   /* dmb ish on ARM */
}

#endif
