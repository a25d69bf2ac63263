/* ARM-specific types the portable kernel embeds by value: the saved user
 * context (the trap frame) and the stage-2 address-space root. */
#ifndef ARCH_ARM_TYPES_H
#define ARCH_ARM_TYPES_H

#include <stdint.h>
#include "opal/vcpu.h"

/* Saved user registers. The layout is fixed: vectors.S stores into it
 * directly (r0-r12 first, then sp, lr, pc, cpsr), checked by static asserts. */
struct arch_context {
    uint32_t r[13];
    uint32_t sp;    /* SP_usr */
    uint32_t lr;    /* LR_usr (HYP mode shares it) */
    uint32_t pc;    /* ELR_hyp: where the thread resumes */
    uint32_t cpsr;  /* SPSR_hyp */
};

/* A VSpace object (4 KiB): the level-1 table of a stage-2 translation
 * (4 entries for a 32-bit IPA space) and its VMID. */
struct arch_vspace {
    uint64_t level1[4];
    uint32_t vmid;
};

/* A vCPU's saved state, indexed by the ABI's register numbers (the general
 * registers 0-16 live in the bound thread's context instead), plus VFP and
 * what the last exit needs to finish an emulated instruction. */
struct arch_vcpu {
    uint32_t registers[OPAL_VCPU_REGISTER_COUNT];
    uint64_t vfp[32];
    uint32_t fpscr, fpexc;
    uint32_t exit_label;        /* the last exit's fault label */
    uint32_t exit_advance;      /* bytes to step over when the VMM emulates the exit */
    uint32_t exit_register;     /* load / register-read destination (Rt), or NO_REGISTER */
    uint32_t exit_register2;    /* Rt2 of a 64-bit register read */
    uint32_t exit_access;       /* OPAL_GUEST_ACCESS_* of a data abort */
    uint32_t exit_address;      /* the abort's virtual address (HDFAR or HIFAR) */
};

struct vcpu;

#define ARCH_KERNEL_STACK_SIZE 8192   /* per core (arch/arm/cpu/cores.c) */

/* What each core keeps of the ARM's own (the first member of struct core,
 * kernel/include/core.h, so HTPIDR finds both): its kernel stack, the
 * vCPU whose state is in its registers and whether the CPU is configured
 * for it, the stage-2 space in its VTTBR, its GIC CPU-interface bit, and a
 * frame for a kernel exception's registers. vectors.S reads stack_top. */
struct arch_core {
    uint32_t stack_top;
    struct vcpu *vcpu_loaded;
    uint8_t guest_mode;
    uint8_t maintenance_deferred;   /* vcpu/gich.c */
    uint8_t gic_mask;               /* GICD_ITARGETSR / SGIR target bit */
    const struct arch_vspace *stage2_active;
    uint32_t mpidr;
    struct arch_context panic_context;
};

#endif
