/* Kernel objects, capability rights and invocation labels: what user level
 * names when it retypes untyped memory and invokes a capability.
 * docs/api.md describes every invocation; the argument lists here are the
 * message registers in order (MR0, MR1, ...), results likewise. */
#ifndef OPAL_OBJECT_H
#define OPAL_OBJECT_H

#include <stdint.h>

/* Object types. The numbers are ABI. */
enum opal_object_type {
    OPAL_OBJECT_NULL = 0,        /* an empty slot */
    OPAL_OBJECT_UNTYPED = 1,     /* 2^size_bits bytes of RAM (or device memory) */
    OPAL_OBJECT_CNODE = 2,       /* 2^size_bits capability slots */
    OPAL_OBJECT_TCB = 3,         /* a thread */
    OPAL_OBJECT_ENDPOINT = 4,    /* synchronous IPC rendezvous */
    OPAL_OBJECT_NOTIFICATION = 5,/* a word of signal bits */
    OPAL_OBJECT_REPLY = 6,       /* the one-shot right to answer one Call */
    OPAL_OBJECT_SCHED_CONTEXT = 7,
    OPAL_OBJECT_VSPACE = 8,      /* stage-2 root table + VMID */
    OPAL_OBJECT_PAGE_TABLE = 9,  /* a 4 KiB LPAE table (level 2 or 3) */
    OPAL_OBJECT_FRAME = 10,      /* 4 KiB (size_bits 12) or 2 MiB (size_bits 21) of memory */
    OPAL_OBJECT_VCPU = 11,       /* a virtual CPU's guest state (include/opal/vcpu.h) */
    OPAL_OBJECT_TYPE_COUNT,
    /* Caps the kernel makes at boot, never retyped from untyped memory: */
    OPAL_OBJECT_IRQ_CONTROL = 32,
    OPAL_OBJECT_IRQ_HANDLER = 33,
    OPAL_OBJECT_SCHED_CONTROL = 34,
    OPAL_OBJECT_DEBUG = 35,      /* the kernel's console, power-off and self-check */
};

/* Capability rights. */
#define OPAL_RIGHT_READ        (1u << 0)
#define OPAL_RIGHT_WRITE       (1u << 1)
#define OPAL_RIGHT_GRANT       (1u << 2)   /* endpoint: may transfer caps */
#define OPAL_RIGHT_GRANT_REPLY (1u << 3)   /* endpoint: the receiver may reply to a Call */
#define OPAL_RIGHTS_ALL        0xfu

/* Sizes, as log2 of bytes (log2 of slots for CNodes). */
#define OPAL_UNTYPED_MIN_BITS 4
#define OPAL_UNTYPED_MAX_BITS 29
#define OPAL_CNODE_MIN_BITS   1
#define OPAL_CNODE_MAX_BITS   16
#define OPAL_SLOT_BITS        5     /* a slot is 32 bytes */
#define OPAL_TCB_BITS         10
#define OPAL_ENDPOINT_BITS    4
#define OPAL_NOTIFICATION_BITS 5
#define OPAL_REPLY_BITS       4
#define OPAL_SCHED_CONTEXT_BITS 6
#define OPAL_VSPACE_BITS      12
#define OPAL_PAGE_TABLE_BITS  12
#define OPAL_FRAME_SMALL_BITS 12
#define OPAL_FRAME_LARGE_BITS 21
#define OPAL_VCPU_BITS        10
#define OPAL_RETYPE_MAX_COUNT 256   /* objects one retype may create */
#define OPAL_PRIORITY_MAX     255

/* log2 bytes an object of `type` occupies when retyped with `size_bits`
 * (which only Untyped, CNode and Frame use); 0 for a type that cannot be
 * retyped or a size outside its range. The one size table: the kernel's
 * Retype and the user allocator (lib/alloc.c) both call this. */
static inline uint32_t opal_object_size_bits(uint32_t type, uint32_t size_bits)
{
    switch (type) {
    case OPAL_OBJECT_UNTYPED:
        return size_bits >= OPAL_UNTYPED_MIN_BITS && size_bits <= OPAL_UNTYPED_MAX_BITS
                   ? size_bits : 0;
    case OPAL_OBJECT_CNODE:
        return size_bits >= OPAL_CNODE_MIN_BITS && size_bits <= OPAL_CNODE_MAX_BITS
                   ? size_bits + OPAL_SLOT_BITS : 0;
    case OPAL_OBJECT_FRAME:
        return size_bits == OPAL_FRAME_SMALL_BITS || size_bits == OPAL_FRAME_LARGE_BITS
                   ? size_bits : 0;
    case OPAL_OBJECT_TCB: return OPAL_TCB_BITS;
    case OPAL_OBJECT_ENDPOINT: return OPAL_ENDPOINT_BITS;
    case OPAL_OBJECT_NOTIFICATION: return OPAL_NOTIFICATION_BITS;
    case OPAL_OBJECT_REPLY: return OPAL_REPLY_BITS;
    case OPAL_OBJECT_SCHED_CONTEXT: return OPAL_SCHED_CONTEXT_BITS;
    case OPAL_OBJECT_VSPACE: return OPAL_VSPACE_BITS;
    case OPAL_OBJECT_PAGE_TABLE: return OPAL_PAGE_TABLE_BITS;
    case OPAL_OBJECT_VCPU: return OPAL_VCPU_BITS;
    default: return 0;
    }
}

/* Frame mapping rights and attributes (Frame_Map MR2, MR3). */
#define OPAL_MAP_READ      (1u << 0)
#define OPAL_MAP_WRITE     (1u << 1)
#define OPAL_MAP_EXECUTE   (1u << 2)
#define OPAL_MAP_CACHED    0u        /* Normal write-back memory (default) */
#define OPAL_MAP_DEVICE    1u        /* Device-nGnRE: for MMIO */

/* Invocation labels: the method of a Call on a capability (the tag's label).
 * "cptr" arguments are looked up in the caller's CSpace (all 32 bits). */
enum opal_label {
    /* Untyped */
    OPAL_UNTYPED_RETYPE = 1,     /* type, size_bits, dest CNode cptr, dest index, count */

    /* CNode: the invoked CNode holds the destination slot at `index`. */
    OPAL_CNODE_COPY = 16,        /* index, source cptr, rights mask */
    OPAL_CNODE_MINT,             /* index, source cptr, rights mask, badge (or guard for a
                                    CNode: guard_bits << 24 | guard, guard < 2^24) */
    OPAL_CNODE_MOVE,             /* index, source cptr */
    OPAL_CNODE_MUTATE,           /* index, source cptr, badge/guard as for Mint */
    OPAL_CNODE_DELETE,           /* index */
    OPAL_CNODE_REVOKE,           /* index: delete every cap derived from this one */

    /* TCB */
    OPAL_TCB_CONFIGURE = 32,     /* fault endpoint cptr (0: none), CSpace root cptr,
                                    VSpace cptr, IPC buffer address, IPC buffer frame cptr */
    OPAL_TCB_SET_PRIORITY,       /* authority TCB cptr, priority */
    OPAL_TCB_SET_MCP,            /* authority TCB cptr, maximum controlled priority */
    OPAL_TCB_SET_SCHED_CONTEXT,  /* sched context cptr (0: unbind) */
    OPAL_TCB_READ_REGISTERS,     /* -> pc, sp, cpsr, r0..r12 (16 words) */
    OPAL_TCB_WRITE_REGISTERS,    /* pc, sp, r0, r1, r2, r3 (resume untouched) */
    OPAL_TCB_RESUME,
    OPAL_TCB_SUSPEND,
    OPAL_TCB_BIND_NOTIFICATION,  /* notification cptr */
    OPAL_TCB_UNBIND_NOTIFICATION,
    OPAL_TCB_SET_CORE,           /* core (0 .. bootinfo cores - 1): where the thread runs;
                                    its scheduling context goes with it (docs/multicore.md) */

    /* SchedControl and SchedContext */
    OPAL_SCHED_CONTROL_CONFIGURE = 48, /* sched context cptr, budget µs, period µs */
    OPAL_SCHED_CONTROL_SET_DOMAIN_SCHEDULE = 49, /* count (0..16: 0 turns domains off), then
                                    count pairs: domain (1..15), window length µs (>= 100;
                                    all windows <= 10 s) */
    OPAL_SCHED_CONTROL_SET_DOMAIN = 50, /* tcb cptr, domain (0..15; 0: the system domain) */

    /* VSpace objects */
    OPAL_PAGE_TABLE_MAP = 64,    /* vspace cptr, address */
    OPAL_PAGE_TABLE_UNMAP,
    OPAL_FRAME_MAP,              /* vspace cptr, address, OPAL_MAP_* rights, attributes */
    OPAL_FRAME_UNMAP,
    OPAL_FRAME_REMAP,            /* rights, attributes: change a mapped frame's */
    OPAL_FRAME_ADDRESS,          /* -> physical address */

    /* Interrupts */
    OPAL_IRQ_CONTROL_GET = 80,   /* irq, dest CNode cptr, dest index */
    OPAL_IRQ_HANDLER_SET_NOTIFICATION, /* notification cptr (0: none) */
    OPAL_IRQ_HANDLER_ACK,
    OPAL_IRQ_HANDLER_CLEAR,

    /* vCPU (include/opal/vcpu.h) */
    OPAL_VCPU_BIND_TCB = 96,     /* tcb cptr (0: unbind): the thread runs this vCPU's guest */
    OPAL_VCPU_READ_REGISTER,     /* register -> value */
    OPAL_VCPU_WRITE_REGISTER,    /* register, value */
    OPAL_VCPU_INJECT_IRQ,        /* irq, priority, slot (or OPAL_VIRQ_ANY_SLOT), flags
                                    -> the list register used */
    OPAL_VCPU_SET_VTIMER_IRQ,    /* irq, priority: the kernel injects the virtual timer's
                                    interrupt itself while this vCPU runs (irq 0: it goes to
                                    whoever holds the IRQ handler for the timer's PPI) */

    /* Debug (the root task's OPAL_CAP_DEBUG; copies behave alike) */
    OPAL_DEBUG_WRITE = 112,      /* address, length -> bytes taken (what the UART held
                                    without waiting; the rest is the caller's to retry) */
    OPAL_DEBUG_SYSTEM_OFF,       /* power the machine off; does not return */
    OPAL_DEBUG_CHECK_INVARIANTS, /* the error is OPAL_OK or the first broken invariant's */
};

/* The longest DEBUG_WRITE: longer ones are refused (RANGE), never cut. */
#define OPAL_DEBUG_WRITE_MAX 1024

#endif
