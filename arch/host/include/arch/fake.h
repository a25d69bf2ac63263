/* Controls and records of the fake arch layer (arch/host/fake.c): what host
 * unit tests set (the counter) and read back (deadline, IRQ masks, vCPU
 * unloads, log). */
#ifndef ARCH_HOST_FAKE_H
#define ARCH_HOST_FAKE_H

#include <stdbool.h>
#include <stdint.h>

#define FAKE_TIMER_FREQUENCY 62500000u  /* ticks per second, as on QEMU virt */
#define FAKE_VMIDS 4u                   /* a small pool, so tests can exhaust it */
#define FAKE_IRQS 64u                   /* interrupts user level may own: [16, FAKE_IRQS) */
#define FAKE_CONSOLE_SIZE 8192u
#define FAKE_MAPPING_RECORDS 16u
#define FAKE_VCPU_UNLOAD_RECORDS 8u

struct fake_arch {
    uint64_t now;                       /* arch_timer_now() */
    uint64_t deadline;                  /* last arch_timer_set_deadline() */
    unsigned deadlines_set;
    bool irq_masked[FAKE_IRQS];         /* all masked after fake_reset() */
    uint32_t vmids_used;                /* bit v-1: VMID v is taken */
    unsigned vspaces_finalised;
    unsigned mappings_deleted;          /* arch_mapping_deleted() calls */
    uint32_t mapping_objects[FAKE_MAPPING_RECORDS]; /* their caps' objects, first ones */
    uintptr_t mapping_stack;            /* the stack address of the last such call */
    unsigned vcpu_unloads;              /* arch_vcpu_unload() calls */
    uintptr_t vcpu_unloaded[FAKE_VCPU_UNLOAD_RECORDS]; /* their vCPUs, first ones */
    uint32_t exception_raised;          /* the last arch_vcpu_raise_exception() answer */
    unsigned waits;                     /* arch_wait_for_interrupt() calls */
    bool interrupt_pending;             /* arch_interrupt_pending(): preemption points stop */
    char console[FAKE_CONSOLE_SIZE];    /* everything printed, NUL-terminated */
    unsigned console_length;
    uint32_t console_room;              /* what arch_console_try_putc() still takes */
    uint32_t unmapped_start, unmapped_size; /* arch_vspace_translate() fails there */
    unsigned ipis[8];                   /* arch_send_ipi() calls per core */
};

extern struct fake_arch fake;

/* Everything back to the start state: counter 0, nothing recorded, on core 0. */
void fake_reset(void);
/* Run the following kernel calls "on" another core. */
void fake_set_core(unsigned core);
/* The console output so far, and forgetting it. */
const char *fake_console(void);
void fake_console_clear(void);

#endif
