/* What a native task started from the system description is given (by
 * init): a description of itself in a page at TASK_BOOT_INFO_ADDRESS, its
 * start arguments in r0..r3 and its caps at fixed slots of its own CNode. */
#ifndef LIB_TASK_BOOT_H
#define LIB_TASK_BOOT_H

#include <stdint.h>

/* Its address space (besides its image, stack and IPC buffer). */
#define TASK_BOOT_INFO_ADDRESS 0x00100000u        /* one read-only page */
#define TASK_CONSOLE_RING_ADDRESS 0x00300000u     /* its console ring */
#define TASK_CHANNEL_ADDRESS(k) (0x10000000u + (k) * 0x00100000u)   /* channel k */
#define TASK_DEVICE_ADDRESS(i)  (0x20000000u + (i) * 0x00100000u)   /* device range i */
#define TASK_WINDOW_MAX 0x00100000u               /* the largest channel or device range */
#define TASK_HEAP_ADDRESS 0x30000000u             /* heap-size bytes of zeroed RAM */
#define TASK_HEAP_MAX (0u - TASK_HEAP_ADDRESS)    /* it ends at 4 GiB at most */
/* A disk driver's (apps/blk, docs/devices.md): its DMA memory, physically
 * contiguous, and per client VM j the link and the RAM table. */
#define TASK_DISK_DMA_ADDRESS 0x18000000u
#define TASK_DISK_DMA_SIZE 0x20000u
#define TASK_DISK_LINK_ADDRESS(j)  (0x18100000u + (j) * 0x10000u)   /* BLK_LINK_SIZE, RW */
#define TASK_DISK_TABLE_ADDRESS(j) (0x18200000u + (j) * 0x1000u)    /* a page, read-only */
/* An entropy driver's (apps/rng): its DMA memory, physically contiguous,
 * and per client VM j its link (a task is never both kinds of driver). */
#define TASK_ENTROPY_DMA_ADDRESS 0x18000000u
#define TASK_ENTROPY_DMA_SIZE 0x1000u
#define TASK_ENTROPY_LINK_ADDRESS(j) (0x18100000u + (j) * 0x1000u)  /* RNG_LINK_SIZE, RW */

/* Its CNode: 2^TASK_CNODE_BITS slots, guarded so a CPtr is a slot number. */
#define TASK_CNODE_BITS 5
#define TASK_MAX_IRQS 8
#define TASK_MAX_CHANNELS 8
#define TASK_MAX_DEVICES 4
#define TASK_DISK_MAX_CLIENTS 4
#define TASK_ENTROPY_MAX_CLIENTS 4
/* Interrupts and peers signal two different notifications, so a peer can
 * never wake the task (and spend its budget) more often than the task
 * chooses to look: a periodic task polls TASK_SLOT_CHANNELS once a period. */
enum task_slot {
    TASK_SLOT_INTERRUPTS = 1,      /* its interrupts' notification (read right) */
    TASK_SLOT_FAULT = 2,           /* init's endpoint: its thread's fault handler */
    TASK_SLOT_CONSOLE_SERVER = 3,  /* the console server's notification (write right) */
    TASK_SLOT_CONSOLE_WAIT = 4,    /* what the console server signals (read right) */
    TASK_SLOT_CHANNELS = 5,        /* what its channels' peers signal (read right) */
    TASK_SLOT_DEBUG = 6,           /* a Debug cap, if its starter gave it one (init
                                      never does: its tasks print through the console) */
    TASK_SLOT_IRQ_FIRST = 8,       /* IRQ handler for irqs[i] at TASK_SLOT_IRQ_FIRST + i */
    TASK_SLOT_CHANNEL_FIRST = 16,  /* channel k's peer notification (write right) */
    TASK_SLOT_CLIENT_VMM_FIRST = 24, /* + j: a driver's client j's VMM notification (write
                                      right; a disk driver's badged VMM_BADGE_BLK: completions
                                      are waiting; an entropy driver's VMM_BADGE_RNG: more
                                      random bytes) */
    TASK_SLOT_DISK_ACK_FIRST = 28, /* + j: init's notification (write right): the driver
                                      has nothing of client j in flight any more */
};
_Static_assert(TASK_SLOT_CHANNEL_FIRST + TASK_MAX_CHANNELS <= TASK_SLOT_CLIENT_VMM_FIRST &&
               TASK_SLOT_CLIENT_VMM_FIRST + TASK_ENTROPY_MAX_CLIENTS <= TASK_SLOT_DISK_ACK_FIRST &&
               TASK_SLOT_DISK_ACK_FIRST + TASK_DISK_MAX_CLIENTS <= 1u << TASK_CNODE_BITS,
               "the drivers' slots fit the CNode");
/* Badges: interrupt i on TASK_SLOT_INTERRUPTS (init binds each handler to
 * it; the task acks), channel k's peer on TASK_SLOT_CHANNELS. */
#define TASK_BADGE_IRQ(i)     (1u << (i))
#define TASK_BADGE_CHANNEL(k) (1u << (8 + (k)))
/* A driver (disk or entropy) waits on one notification for everything:
 * init binds its interrupts to the long-lived one in TASK_SLOT_CHANNELS
 * (so its TASK_SLOT_INTERRUPTS names that one too), which its clients'
 * VMMs signal with TASK_BADGE_CLIENT(j): a disk client's requests are
 * waiting, an entropy client took bytes or found its link empty. init
 * signals a disk driver TASK_BADGE_DISK_QUIESCE(j) before client j's RAM
 * is taken back (the driver answers on TASK_SLOT_DISK_ACK_FIRST + j once
 * nothing of j is in flight: docs/devices.md, the restart handshake). */
#define TASK_BADGE_CLIENT(j)       (1u << (16 + (j)))
#define TASK_BADGE_DISK_QUIESCE(j) (1u << (24 + (j)))

#define TASK_NAME_MAX 16
struct task_channel {
    char name[TASK_NAME_MAX];
    char peer[TASK_NAME_MAX];
    uint32_t address, size;        /* where the shared region is mapped */
};
struct task_device {
    uint32_t physical, size, address;
};
/* A disk driver's client: a VM and its region of the disk. */
struct task_disk_client {
    char name[TASK_NAME_MAX];
    uint32_t start, sectors;       /* its region: sectors [start, start + sectors) */
    uint32_t link;                 /* its struct blk_link (lib/blk_link.h) */
    uint32_t ram_table;            /* its struct blk_ram_table, read-only */
    uint32_t vmm_slot, ack_slot;   /* TASK_SLOT_CLIENT_VMM_FIRST + j, TASK_SLOT_DISK_ACK_FIRST + j */
    uint32_t badge, quiesce_badge; /* TASK_BADGE_CLIENT(j), TASK_BADGE_DISK_QUIESCE(j) */
};
struct task_disk {
    uint32_t sectors;              /* disk-sectors; 0: the task is not a disk driver */
    uint32_t dma_address, dma_physical, dma_size;
    struct task_disk_client clients[TASK_DISK_MAX_CLIENTS];
    uint32_t client_count;
};
/* An entropy driver's client: a VM whose rng link it keeps filled. */
struct task_entropy_client {
    char name[TASK_NAME_MAX];
    uint32_t link;                 /* its struct rng_link (lib/rng_link.h) */
    uint32_t vmm_slot;             /* TASK_SLOT_CLIENT_VMM_FIRST + j */
    uint32_t badge;                /* TASK_BADGE_CLIENT(j) */
};
struct task_entropy {
    uint32_t dma_address, dma_physical, dma_size;   /* dma_size 0: not an entropy driver */
    struct task_entropy_client clients[TASK_ENTROPY_MAX_CLIENTS];
    uint32_t client_count;
};
struct task_boot_info {
    uint32_t magic;
    char name[TASK_NAME_MAX];
    uint32_t arguments[4];         /* also in r0..r3 at start */
    uint32_t argument_count;
    uint32_t console;              /* 1: the console slots hold a connection */
    uint32_t irqs[TASK_MAX_IRQS];
    uint32_t irq_count;
    struct task_channel channels[TASK_MAX_CHANNELS];
    uint32_t channel_count;
    struct task_device devices[TASK_MAX_DEVICES];
    uint32_t device_count;
    uint32_t heap_size;
    struct task_disk disk;
    struct task_entropy entropy;
};
_Static_assert(sizeof(struct task_boot_info) <= 0x1000u, "the boot info fits its page");
#define TASK_BOOT_MAGIC 0x5441534bu  /* "TASK" */

/* lib/task.c: the task's boot info, with its output attached (the console
 * server's ring, or the Debug cap in TASK_SLOT_DEBUG if it has no console). */
const struct task_boot_info *task_start(void);

#endif
