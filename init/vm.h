/* Building a virtual machine: guest RAM, the vCPU and its thread, and the
 * VMM process that runs it, holding caps to this VM only. */
#ifndef INIT_VM_H
#define INIT_VM_H

#include <stdint.h>
#include "opal.h"
#include "vmm_boot.h"

struct vm_spec {
    const char *name;
    uint32_t kind;                 /* enum vmm_guest_kind */
    const char *kernel, *initrd, *dtb;   /* files in the boot archive (NULL: none) */
    uint32_t ram_base, ram_size;
    const char *bootargs;
    uint32_t vmm_priority, vcpu_priority;
    uint32_t console;              /* 1: connect it to the console server (output and input) */
};

/* Create and start it; reports what is wrong and returns an error if it cannot. */
int vm_start(const struct opal_bootinfo *bootinfo, const struct vm_spec *spec);

#endif
