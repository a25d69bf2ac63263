/* The GICv2 architecture's registers (ARM IHI 0048B), defined once for the
 * kernel's interrupt controller and list registers, the VMM's distributor
 * model, the bare-metal guests and the tests: offsets within each block and
 * their fields. Where a GIC sits is a platform fact, not here. */
#ifndef CORE_GICV2_H
#define CORE_GICV2_H

/* Interrupt IDs: SGIs 0-15, PPIs 16-31, SPIs from 32; 1023 is "none". */
#define GIC_SGI_COUNT     16u
#define GIC_FIRST_PPI     16u
#define GIC_FIRST_SPI     32u
#define GIC_SPURIOUS      1023u
#define GIC_INTERRUPT_ID  0x3ffu    /* the ID field of IAR, EOIR and a list register */

/* --- the distributor (GICD, 4.1.2): a 4 KiB block ------------------------ */
#define GICD_SIZE         0x1000u
#define GICD_CTLR         0x000u
#define GICD_TYPER        0x004u
#define GICD_IIDR         0x008u
#define GICD_IGROUPR      0x080u
#define GICD_ISENABLER    0x100u
#define GICD_ICENABLER    0x180u
#define GICD_ISPENDR      0x200u
#define GICD_ICPENDR      0x280u
#define GICD_ISACTIVER    0x300u
#define GICD_ICACTIVER    0x380u
#define GICD_IPRIORITYR   0x400u
#define GICD_ITARGETSR    0x800u
#define GICD_ICFGR        0xc00u
#define GICD_SGIR         0xf00u
#define GICD_CPENDSGIR    0xf10u
#define GICD_SPENDSGIR    0xf20u
#define GICD_PIDR4        0xfd0u    /* the first identification register: PIDR4-7, 0-3, CIDR0-3 */
#define GICD_PIDR2        0xfe8u

#define GICD_CTLR_ENABLE  (1u << 0)
/* TYPER.ITLinesNumber: the distributor has 32 * (N + 1) interrupt IDs. */
#define GICD_TYPER_IT_LINES(typer)  ((typer) & 0x1fu)
/* SGIR: TargetListFilter (0 the list, 1 all but self, 2 self), CPUTargetList, SGIINTID. */
#define GICD_SGIR_FILTER(sgir)      (((sgir) >> 24) & 3u)
#define GICD_SGIR_TARGETS(sgir)     (((sgir) >> 16) & 0xffu)
#define GICD_SGIR_ID(sgir)          ((sgir) & 0xfu)
#define GICD_SGIR_FILTER_LIST       0u
#define GICD_SGIR_FILTER_SELF       2u

/* --- the CPU interface (GICC, 4.1.3) and its virtual twin (GICV): 8 KiB -- */
#define GICC_SIZE         0x2000u
#define GICC_CTLR         0x000u
#define GICC_PMR          0x004u
#define GICC_BPR          0x008u
#define GICC_IAR          0x00cu
#define GICC_EOIR         0x010u
#define GICC_DIR          0x1000u

#define GICC_CTLR_ENABLE  (1u << 0)

/* --- the virtual interface control (GICH, 5.3) --------------------------- */
#define GICH_HCR          0x000u
#define GICH_VTR          0x004u
#define GICH_VMCR         0x008u
#define GICH_MISR         0x010u
#define GICH_EISR0        0x020u
#define GICH_ELRSR0       0x030u
#define GICH_APR          0x0f0u
#define GICH_LR(n)        (0x100u + 4u * (n))

#define GICH_HCR_EN       (1u << 0)
#define GICH_MISR_EOI     (1u << 0)

/* A list register: VirtualID, EOI (maintenance on EOI, software interrupts
 * only), the top 5 bits of an 8-bit priority, state, group, HW. */
#define GICH_LR_VIRTUAL_ID      GIC_INTERRUPT_ID
#define GICH_LR_EOI             (1u << 19)
#define GICH_LR_PRIORITY_SHIFT  23
#define GICH_LR_PENDING         (1u << 28)
#define GICH_LR_ACTIVE          (1u << 29)
#define GICH_LR_STATE           (GICH_LR_PENDING | GICH_LR_ACTIVE)
#define GICH_LR_GROUP1          (1u << 30)
#define GICH_LR_HW              (1u << 31)

#endif
