/* What the kernel tells the root task at start: found in r0 and at
 * OPAL_BOOTINFO_ADDRESS in the root task's address space. */
#ifndef OPAL_BOOTINFO_H
#define OPAL_BOOTINFO_H

#include <stdint.h>

/* The root task's fixed address-space layout (IPA = VA for native threads). */
#define OPAL_BOOTINFO_ADDRESS   0x00100000u  /* one read-only page */
#define OPAL_ROOT_STACK_TOP     0x00200000u  /* stack grows down from here */
#define OPAL_ROOT_STACK_SIZE    0x00010000u
#define OPAL_ROOT_IMAGE_LOWEST  0x00400000u  /* the root ELF must link inside */
#define OPAL_ROOT_IMAGE_HIGHEST 0x0fffffffu

#define OPAL_BOOTINFO_MAGIC 0x4f50414cu      /* "OPAL" */
#define OPAL_BOOTINFO_CMDLINE_MAX 256

struct opal_bootinfo {
    uint32_t magic;
    uint32_t version;                /* 1 */
    uint64_t ram_base, ram_size;     /* all RAM the kernel found */
    uint64_t free_base, free_size;   /* RAM not used by the kernel or the root task */
    uint32_t timer_frequency;        /* generic counter, Hz */
    uint32_t archive_size;           /* the boot archive, mapped read-only */
    uint32_t archive_address;        /* where in the root task's space */
    char cmdline[OPAL_BOOTINFO_CMDLINE_MAX]; /* /chosen/bootargs, NUL-terminated */
};

#define OPAL_ROOT_ARCHIVE_ADDRESS 0x10000000u

#endif
