/* ARM vCPU internals shared by the switch (vcpu/switch.c), the virtual
 * interface (vcpu/gich.c: gich_*) and the exit decoder (vcpu/exit.c: exit_*). */
#ifndef ARCH_ARM_GUEST_H
#define ARCH_ARM_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include "thread.h"
#include "vcpu.h"

#define NO_REGISTER 0xffu

/* The vCPU whose state is in this core's registers (NULL: none) is
 * arch_core_self()->vcpu_loaded. Whether the CPU is configured for it
 * (guest mode) or for native threads is ->guest_mode, and
 * arch_activate_vcpu() switches (arch/inline.h). */

/* Put the loaded state back in memory, so it can be read or changed there. */
void vcpu_sync(struct vcpu *vcpu);

/* Virtual interface (GICH): save/load with the rest, list registers. */
void gich_save(uint32_t *registers);
void gich_load(const uint32_t *registers);
void gich_disable(void);
void gich_init(void);
/* Interrupts the kernel takes for loaded vCPUs. The virtual timer's is the
 * kernel's only while the loaded vCPU has it bound: false otherwise. */
void gich_handle_maintenance(void);
bool gich_handle_vtimer(void);
/* Entering a guest (every time): re-arm the maintenance interrupt if it was
 * deferred because the guest was not running. */
void gich_guest_entry(void);

/* Debug state (vcpu/debug.c): reset at boot; breakpoints and watchpoints
 * saved and loaded with the rest of a vCPU. */
void debug_init(void);
void debug_save(uint32_t *registers);
void debug_load(const uint32_t *registers);

/* A guest's DCISW/DCCSW/DCCISW operand (mmu/cache.c): clean and
 * invalidate that line if the operand names one. */
void cache_clean_invalidate_set_way(uint32_t operand);

/* VFP/NEON (vcpu/vfp.S). */
void vfp_save(uint64_t *registers, uint32_t *fpscr, uint32_t *fpexc);
void vfp_load(const uint64_t *registers, uint32_t fpscr, uint32_t fpexc);

/* A fault message for the VMM, its words already in thread->fault_words:
 * records its label and length, and how an emulation reply completes it
 * (step `advance` bytes, write Rt/Rt2 or NO_REGISTER). Every vCPU fault
 * message goes through here, so a reply never completes a stale exit. True,
 * for the exit handlers' convenience. */
bool exit_record(struct thread *thread, uint32_t label, uint32_t length, uint32_t advance,
                 uint32_t rt, uint32_t rt2);

/* A guest trap on the current thread (which has a vCPU): true if it is now
 * the thread's fault message for the VMM (to be sent), false if the kernel
 * dealt with it (WFI/WFE). */
bool exit_decode(struct thread *thread, uint32_t hsr);

#endif
