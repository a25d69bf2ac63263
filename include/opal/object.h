/* Kernel objects, capability rights and invocation labels: what user level
 * names when it retypes untyped memory and invokes a capability. */
#ifndef OPAL_OBJECT_H
#define OPAL_OBJECT_H

/* Object types. The numbers are ABI. */
enum opal_object_type {
    OPAL_OBJECT_NULL = 0,        /* an empty slot */
    OPAL_OBJECT_UNTYPED = 1,     /* 2^n bytes of RAM (or device memory) */
    OPAL_OBJECT_CNODE = 2,       /* 2^n capability slots */
    OPAL_OBJECT_TCB = 3,
    OPAL_OBJECT_ENDPOINT = 4,
    OPAL_OBJECT_NOTIFICATION = 5,
    OPAL_OBJECT_SCHED_CONTEXT = 6,
    OPAL_OBJECT_VSPACE = 7,
    OPAL_OBJECT_PAGE_TABLE = 8,
    OPAL_OBJECT_FRAME_4K = 9,
    OPAL_OBJECT_FRAME_2M = 10,
    OPAL_OBJECT_TYPE_COUNT,
    /* Caps that are not retyped from untyped memory: */
    OPAL_OBJECT_IRQ_CONTROL = 32,
    OPAL_OBJECT_IRQ_HANDLER = 33,
    OPAL_OBJECT_SCHED_CONTROL = 34,
    OPAL_OBJECT_VMID_CONTROL = 35,
};

/* Capability rights. */
#define OPAL_RIGHT_READ        (1u << 0)
#define OPAL_RIGHT_WRITE       (1u << 1)
#define OPAL_RIGHT_GRANT       (1u << 2)
#define OPAL_RIGHT_GRANT_REPLY (1u << 3)
#define OPAL_RIGHTS_ALL        0xfu

/* Size bounds (log2 bytes, or log2 slots for CNodes). */
#define OPAL_UNTYPED_MIN_BITS 4
#define OPAL_UNTYPED_MAX_BITS 29
#define OPAL_CNODE_MIN_BITS   1
#define OPAL_CNODE_MAX_BITS   16
#define OPAL_SLOT_BITS        5      /* a slot is 32 bytes */
#define OPAL_WORD_BITS        32     /* a CPtr resolves through at most 32 bits */

/* Invocation labels: the method of a Call on a capability, in the tag. */
enum opal_label {
    OPAL_LABEL_UNTYPED_RETYPE = 1,
    OPAL_LABEL_CNODE_COPY = 16,
    OPAL_LABEL_CNODE_MINT,
    OPAL_LABEL_CNODE_MOVE,
    OPAL_LABEL_CNODE_MUTATE,
    OPAL_LABEL_CNODE_DELETE,
    OPAL_LABEL_CNODE_REVOKE,
    OPAL_LABEL_CNODE_ROTATE_UNUSED_,
};

#endif
