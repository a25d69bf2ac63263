/* The per-VM monitor: one VM's devices and state, and the pieces of the VMM
 * (loader, MMIO routing, PSCI, console) that act on it. */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include <stdbool.h>
#include <stdint.h>
#include "opal.h"
#include "vmm_boot.h"
#include "vmm/vgic_dist.h"
#include "vmm/vuart.h"

/* Exits counted by kind, for the report at power-off (and the benchmark). */
enum vmm_exit_kind {
    EXIT_MMIO_GICD, EXIT_MMIO_UART, EXIT_MMIO_OTHER, EXIT_HVC, EXIT_SMC, EXIT_SYSREG,
    EXIT_EOI, EXIT_OTHER, EXIT_IRQ, EXIT_KIND_COUNT,
};

struct vm {
    const struct vmm_boot_info *info;
    struct vgic_dist vgic;
    struct vuart uart;
    uint32_t exits[EXIT_KIND_COUNT];
    uint64_t started_at;       /* the counter when the guest was last loaded (its boot's start) */
};

/* How an exit is answered. */
enum vmm_action { VMM_RESUME, VMM_EMULATED, VMM_STOP };

/* loader.c: put the images in guest RAM and the vCPU in its boot state. */
int vmm_load_guest(struct vm *vm);
/* mmio.c: the emulated devices back in their reset state (vGIC, UART). */
void vmm_reset_devices(struct vm *vm);
/* mmio.c: a stage-2 abort; sets *result for a load. */
enum vmm_action vmm_handle_abort(struct vm *vm, const struct opal_message *exit,
                                 uint32_t *result);
/* psci.c: an HVC or SMC; results in r0 (result). */
enum vmm_action vmm_handle_call(struct vm *vm, const struct opal_message *exit,
                                uint32_t *result);
/* console.c: the VM's output and input through the console server. */
void console_init(struct vm *vm);
/* Waiting input into the guest's UART as far as it has room (cheap when
 * there is none: called after every guest access to its UART too). */
void console_input(struct vm *vm);
void console_output(void *context, const char *text, size_t length);

/* main.c: stop the VM with a report, or restart it from its images. */
void vmm_stop(struct vm *vm, const char *why);
int vmm_restart(struct vm *vm);
void vmm_log(struct vm *vm, const char *format, ...) __attribute__((format(printf, 2, 3)));

#endif
