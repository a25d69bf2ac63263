/* ARM vCPU internals shared by the switch (vcpu/switch.c), the virtual
 * interface (vcpu/vgic.c) and the exit decoder (vcpu/exit.c). */
#ifndef ARCH_ARM_GUEST_H
#define ARCH_ARM_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include "vcpu.h"

#define NO_REGISTER 0xffu

/* The vCPU whose state is in the CPU (NULL: none), and whether the CPU is
 * configured for it (guest mode) or for native threads. */
extern struct vcpu *vcpu_loaded;

/* Before entering `thread`: load its vCPU if it has one, set the mode. */
void vcpu_activate(struct thread *thread);
/* Put the loaded state back in memory, so it can be read or changed there. */
void vcpu_sync(struct vcpu *vcpu);

/* Virtual interface (GICH): save/load with the rest, list registers. */
void vgic_save(uint32_t *registers);
void vgic_load(const uint32_t *registers);
void vgic_disable(void);
void vgic_init(void);
/* Interrupts the kernel takes for loaded vCPUs: true if it was handled. */
bool vgic_handle_maintenance(void);
bool vgic_handle_vtimer(void);
/* Entering a guest: re-arm the maintenance interrupt if it was deferred. */
void vgic_guest_entry(void);

/* A general register (0-14) in the guest's current mode, for the operands
 * of trapped instructions. */
uint32_t vcpu_guest_register(struct vcpu *vcpu, uint32_t index);
void vcpu_set_guest_register(struct vcpu *vcpu, uint32_t index, uint32_t value);

/* VFP/NEON (vcpu/vfp.S). */
void vfp_save(uint64_t *registers, uint32_t *fpscr, uint32_t *fpexc);
void vfp_load(const uint64_t *registers, uint32_t fpscr, uint32_t fpexc);

/* A guest trap on the current thread (which has a vCPU). */
void vcpu_handle_exit(struct thread *thread, uint32_t hsr);

#endif
