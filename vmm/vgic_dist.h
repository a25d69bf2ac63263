/* The VMM's model of a GICv2 distributor (GICD_*) for a guest with one vCPU; the
 * CPU interface is the hardware's GICV, so interrupts leave here as list registers. */
#ifndef VMM_VGIC_DIST_H
#define VMM_VGIC_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmm_boot.h"

#define VGIC_IRQS         GUEST_IRQ_COUNT   /* SGIs 0-15, PPIs 16-31, SPIs 32-127: TYPER.ITLinesNumber = 3 */
#define VGIC_SGIS         16
#define VGIC_PRIVATE_IRQS GUEST_FIRST_SPI   /* SGIs and PPIs */
#define VGIC_WORDS        (VGIC_IRQS / 32)
#define VGIC_DIST_SIZE    0x1000u

/* Priority bits the model keeps: the five a GICH list register can carry. */
#define VGIC_PRIORITY_MASK 0xf8u

struct vgic_ops {
    void *context;
    /* Put irq into a list register of the vCPU. Returns 0 on success, nonzero when
     * every list register is busy: the model keeps the irq pending and offers it
     * again on vgic_dist_retry(). notify_eoi asks for vgic_dist_eoi() when the
     * guest EOIs it; it is true exactly for level-triggered irqs. Must not call
     * back into the distributor. */
    int (*inject)(void *context, uint32_t irq, uint8_t priority, bool notify_eoi);
};

/* Per-irq state as bitmaps, bit (irq % 32) of word (irq / 32). */
struct vgic_dist {
    struct vgic_ops ops;
    bool enabled;                  /* GICD_CTLR.Enable */
    uint32_t irq_enabled[VGIC_WORDS];
    uint32_t latched[VGIC_WORDS];  /* pending from edges, pulses, ISPENDR, SGIs */
    uint32_t line[VGIC_WORDS];     /* the input line of each level device */
    uint32_t active[VGIC_WORDS];   /* in a list register, EOI not yet reported */
    uint32_t edge[VGIC_WORDS];     /* GICD_ICFGR: 1 = edge-triggered */
    uint32_t targets_cpu0[VGIC_WORDS]; /* GICD_ITARGETSR bit 0 (the only CPU) */
    uint8_t priority[VGIC_IRQS];
};

/* Reset state: distributor and every irq disabled, priorities 0, SGIs edge,
 * PPIs and SPIs level, SPIs targeting no CPU (Linux programs all of these). */
void vgic_dist_init(struct vgic_dist *dist, const struct vgic_ops *ops);

/* Guest MMIO at `offset` in the 4 KiB block, size 1, 2 or 4 bytes. Returns false
 * when the access is not allowed: size not 1/2/4, not naturally aligned, past the
 * block, or a size the register does not take (registers take words; IPRIORITYR,
 * ITARGETSR, CPENDSGIR and SPENDSGIR also bytes). Reserved offsets read as 0 and
 * ignore writes at any aligned size, as real GICs do. */
bool vgic_dist_read(struct vgic_dist *dist, uint32_t offset, uint32_t size, uint32_t *value);
bool vgic_dist_write(struct vgic_dist *dist, uint32_t offset, uint32_t size, uint32_t value);

/* A device's level line. On a level irq the line is the pending state; on an
 * edge irq a low-to-high change pends it once. */
void vgic_dist_set_line(struct vgic_dist *dist, uint32_t irq, bool high);
/* Makes an SPI edge-triggered, as if the guest had written its ICFGR bit
 * (for a device the VMM knows to be edge; the guest may still change it).
 * Ignored for SGIs, PPIs and irqs past VGIC_IRQS. */
void vgic_dist_set_edge(struct vgic_dist *dist, uint32_t irq);
/* An edge event: pends irq once (on a level irq, like a write to ISPENDR). */
void vgic_dist_pulse(struct vgic_dist *dist, uint32_t irq);
/* The guest EOI'd an irq injected with notify_eoi: it is offered again if its
 * line is still high. */
void vgic_dist_eoi(struct vgic_dist *dist, uint32_t irq);
/* A list register became free: offer what could not go before. */
void vgic_dist_retry(struct vgic_dist *dist);

#endif
