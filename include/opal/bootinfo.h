/* What the kernel tells the root task at start: found in r0 and at
 * OPAL_BOOTINFO_ADDRESS in the root task's address space. */
#ifndef OPAL_BOOTINFO_H
#define OPAL_BOOTINFO_H

#include <stdint.h>

/* The root task's fixed address-space layout (IPA = VA for native threads). */
#define OPAL_BOOTINFO_ADDRESS   0x00100000u  /* one read-only page */
#define OPAL_ROOT_IPC_BUFFER    0x00101000u  /* the root thread's IPC buffer page */
#define OPAL_ROOT_STACK_TOP     0x00200000u  /* stack grows down from here */
#define OPAL_ROOT_STACK_SIZE    0x00010000u
#define OPAL_ROOT_IMAGE_LOWEST  0x00400000u  /* the root ELF must link inside */
#define OPAL_ROOT_IMAGE_HIGHEST 0x0fffffffu
#define OPAL_ROOT_ARCHIVE_ADDRESS 0x10000000u /* the boot archive, read-only */

/* The root CNode: 2^12 slots, guard 0 of 20 bits, so a CPtr is a slot index.
 * Slot 0 stays empty: CPtr 0 means "none". */
#define OPAL_ROOT_CNODE_BITS 12
enum opal_root_slot {
    OPAL_CAP_NULL = 0,
    OPAL_CAP_INIT_TCB = 1,
    OPAL_CAP_INIT_CNODE = 2,
    OPAL_CAP_INIT_VSPACE = 3,
    OPAL_CAP_IRQ_CONTROL = 4,
    OPAL_CAP_SCHED_CONTROL = 5,
    OPAL_CAP_INIT_SCHED_CONTEXT = 6,
    OPAL_CAP_BOOTINFO_FRAME = 7,
    OPAL_CAP_INIT_IPC_BUFFER = 8,
    OPAL_CAP_DEBUG = 9,              /* the Debug cap: only the root task gets one */
    OPAL_CAP_FIRST_FREE = 16,        /* untyped caps start here */
};

#define OPAL_BOOTINFO_MAGIC 0x4f50414cu      /* "OPAL" */
#define OPAL_BOOTINFO_VERSION 6
#define OPAL_BOOTINFO_CMDLINE_MAX 256
#define OPAL_BOOTINFO_MAX_UNTYPED 192

struct opal_untyped_desc {
    uint32_t address;    /* physical base */
    uint8_t size_bits;   /* 2^size_bits bytes */
    uint8_t device;      /* 1: device memory (frames only) */
    uint16_t reserved;
};

struct opal_bootinfo {
    uint32_t magic;
    uint32_t version;                /* OPAL_BOOTINFO_VERSION */
    uint64_t ram_base, ram_size;     /* all RAM the kernel found */
    uint32_t timer_frequency;        /* generic counter, Hz */
    uint32_t archive_address;        /* the boot archive in the root task's space */
    uint32_t archive_size;
    uint32_t untyped_first;          /* slot of untyped[0]; the rest follow */
    uint32_t untyped_count;
    uint32_t empty_first, empty_end; /* free root-CNode slots: [first, end) */
    uint32_t free_ram;               /* bytes of RAM in the non-device untypeds */
    /* Devices the kernel found, for the root task to hand out: their frames
     * are in the device untypeds, their interrupts behind IRQ control. */
    uint32_t uart_base, uart_irq;    /* the console PL011 */
    uint32_t gicv_base;              /* the GIC's virtual CPU interface (a VM's GICC) */
    uint32_t cores;                  /* cores running the kernel: 0 .. cores - 1 (TCB SetCore) */
    uint32_t rtc_base;               /* a PL031 real-time clock (0: none found) */
    struct opal_untyped_desc untyped[OPAL_BOOTINFO_MAX_UNTYPED];
    char cmdline[OPAL_BOOTINFO_CMDLINE_MAX]; /* /chosen/bootargs, NUL-terminated */
};

#endif
