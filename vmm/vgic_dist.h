/* The VMM's model of a GICv2 distributor (GICD_*) for a guest with 1 to
 * VGIC_MAX_CPUS vCPUs; the CPU interface is the hardware's GICV, so
 * interrupts leave here as list registers of the vCPU they are routed to. */
#ifndef VMM_VGIC_DIST_H
#define VMM_VGIC_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmm_boot.h"

#define VGIC_IRQS         GUEST_IRQ_COUNT   /* SGIs 0-15, PPIs 16-31, SPIs 32-127: TYPER.ITLinesNumber = 3 */
#define VGIC_PRIVATE_IRQS GUEST_FIRST_SPI   /* SGIs and PPIs: banked per vCPU */
#define VGIC_WORDS        (VGIC_IRQS / 32)
#define VGIC_MAX_CPUS     VMM_MAX_VCPUS     /* GICv2 has at most 8 CPU interfaces */
#define VGIC_SGIS         16

/* Priority bits the model keeps: the five a GICH list register can carry. */
#define VGIC_PRIORITY_MASK 0xf8u

struct vgic_ops {
    void *context;
    /* Put irq into a list register of vCPU `cpu`. Returns 0 on success,
     * nonzero when every list register is busy: the model keeps the irq
     * pending and offers it again on vgic_dist_retry(). notify_eoi asks for
     * vgic_dist_eoi() when the guest EOIs it; it is true exactly for
     * level-triggered irqs. Must not call back into the distributor. */
    int (*inject)(void *context, uint32_t cpu, uint32_t irq, uint8_t priority, bool notify_eoi);
    /* A resampled line (vgic_dist_set_resample) was taken low because the
     * guest made its irq deliverable again: the owner should look at the
     * source again and raise the line if it is still high. May be NULL.
     * Must not call back into the distributor. */
    void (*resample)(void *context, uint32_t irq);
};

/* One 32-irq word of state, bit (irq % 32): word 0 (SGIs and PPIs) once per
 * vCPU, the SPI words once. */
struct vgic_bits {
    uint32_t enabled;
    uint32_t latched;   /* pending from edges, pulses, ISPENDR, SGIs */
    uint32_t line;      /* the input line of each level device */
    uint32_t active;    /* in a list register, EOI not yet reported */
    uint32_t edge;      /* GICD_ICFGR: 1 = edge-triggered */
    uint32_t resample;  /* lines resampled when made deliverable again (SPIs) */
};

struct vgic_dist {
    struct vgic_ops ops;
    bool enabled;                  /* GICD_CTLR.Enable */
    uint32_t cpu_count;            /* 1 .. VGIC_MAX_CPUS */
    struct vgic_bits banked[VGIC_MAX_CPUS];        /* SGIs and PPIs of each vCPU */
    struct vgic_bits shared[VGIC_WORDS];           /* SPIs: words 1 and up ([0] unused) */
    uint8_t banked_priority[VGIC_MAX_CPUS][VGIC_PRIVATE_IRQS];
    uint8_t priority[VGIC_IRQS];   /* SPIs' (indexed by irq) */
    uint8_t targets[VGIC_IRQS];    /* SPIs' GICD_ITARGETSR: a mask of vCPUs */
    /* SGI s pending on vCPU c: the vCPUs that sent it (GICD_SPENDSGIR). */
    uint8_t sgi_sources[VGIC_MAX_CPUS][VGIC_SGIS];
    bool refused;                  /* the last delivery left an irq undelivered */
};

/* Reset state for `cpus` vCPUs (1 to VGIC_MAX_CPUS; others are taken as
 * 1): distributor and every irq disabled, priorities 0, SGIs edge, PPIs
 * and SPIs level, every SPI targeting vCPU 0 (a GIC's targets reset to an
 * implementation's choice; Linux sets them before it enables an SPI). */
void vgic_dist_init(struct vgic_dist *dist, const struct vgic_ops *ops, uint32_t cpus);

/* Guest MMIO by vCPU `cpu` at `offset` in the 4 KiB block, any size and
 * alignment: the banked registers (SGIs' and PPIs' enable, pending, active,
 * priority, targets) are that vCPU's. Registers take words, and IPRIORITYR,
 * ITARGETSR, CPENDSGIR and SPENDSGIR also bytes; any other access (a
 * halfword, a byte of a word register, unaligned, past the block) reads as
 * 0 and ignores writes, as do reserved offsets and a `cpu` the model lacks. */
void vgic_dist_read(struct vgic_dist *dist, uint32_t cpu, uint32_t offset, uint32_t size,
                    uint32_t *value);
void vgic_dist_write(struct vgic_dist *dist, uint32_t cpu, uint32_t offset, uint32_t size,
                     uint32_t value);

/* A device's level line (an SPI; an SGI or PPI means vCPU 0's). On a level
 * irq the line is the pending state; on an edge irq a low-to-high change
 * pends it once. */
void vgic_dist_set_line(struct vgic_dist *dist, uint32_t irq, bool high);
/* Makes an SPI edge-triggered, as if the guest had written its ICFGR bit
 * (for a device the VMM knows to be edge; the guest may still change it).
 * Ignored for SGIs, PPIs and irqs past VGIC_IRQS. */
void vgic_dist_set_edge(struct vgic_dist *dist, uint32_t irq);
/* Makes an SPI's line resampled (ops.resample) and fixed level-triggered:
 * for a device whose line the VMM hears only rising (a passthrough irq). */
void vgic_dist_set_resample(struct vgic_dist *dist, uint32_t irq);
/* An edge event: pends irq once (on a level irq, like a write to ISPENDR;
 * an SGI or PPI means vCPU 0's). */
void vgic_dist_pulse(struct vgic_dist *dist, uint32_t irq);
/* vCPU `cpu` EOI'd an irq injected with notify_eoi: it is offered again if
 * its line is still high. */
void vgic_dist_eoi(struct vgic_dist *dist, uint32_t cpu, uint32_t irq);
/* Offers what is deliverable again (vgic_dist_retry's work). */
void vgic_dist_redeliver(struct vgic_dist *dist);
/* A list register may have become free: offer what could not go before.
 * Inline and one test when the last delivery was not refused: the VMM
 * calls this after every exit. */
static inline void vgic_dist_retry(struct vgic_dist *dist)
{
    if (dist->refused)
        vgic_dist_redeliver(dist);
}

#endif
