/* The vGIC distributor model (vmm/vgic_dist.c): register semantics and access
 * rules, Linux's irq-gic init sequence, level/edge delivery, EOI, retry, SGIs. */
#define UNIT_SUITE "vgic_dist"
#include "unit.h"

#include "core/gicv2.h"
#include "vmm/vgic_dist.h"

#define MAX_INJECTIONS 512

/* The fake vCPU: records every injection; `free_slots` list registers accept
 * (negative: unlimited), the rest refuse as if all were busy. */
struct injection {
    uint32_t irq;
    uint8_t priority;
    bool notify_eoi;
    uint32_t cpu;
};

struct fake_vcpu {
    struct injection log[MAX_INJECTIONS];
    int count;
    int refused;
    int free_slots;
};

static struct fake_vcpu vcpu;
static struct vgic_dist dist;
static uint32_t resampled[8];
static int resample_count;

static int fake_inject(void *context, uint32_t cpu, uint32_t irq, uint8_t priority, bool notify_eoi)
{
    struct fake_vcpu *fake = context;

    if (fake->free_slots == 0) {
        fake->refused++;
        return 1;
    }
    if (fake->free_slots > 0)
        fake->free_slots--;
    if (fake->count < MAX_INJECTIONS)
        fake->log[fake->count] = (struct injection){ irq, priority, notify_eoi, cpu };
    fake->count++;
    return 0;
}

static void fake_resample(void *context, uint32_t irq)
{
    (void)context;
    if (resample_count < 8)
        resampled[resample_count] = irq;
    resample_count++;
}

static void reset(void)
{
    static const struct vgic_ops ops = { &vcpu, fake_inject, NULL };

    vcpu = (struct fake_vcpu){ .free_slots = -1 };
    vgic_dist_init(&dist, &ops, 1);
    resample_count = 0;
}

/* A read of `size` bytes; the model sets every bit of the value. */
static uint32_t rd_size(uint32_t offset, uint32_t size)
{
    uint32_t value = 0xdeadbeefu;

    vgic_dist_read(&dist, 0, offset, size, &value);
    return value;
}

static uint32_t rd(uint32_t offset)
{
    return rd_size(offset, 4);
}

static uint32_t rd8(uint32_t offset)
{
    return rd_size(offset, 1);
}

static void wr(uint32_t offset, uint32_t value)
{
    vgic_dist_write(&dist, 0, offset, 4, value);
}

static void wr8(uint32_t offset, uint32_t value)
{
    vgic_dist_write(&dist, 0, offset, 1, value);
}

static uint32_t bit(uint32_t irq)
{
    return 1u << (irq % 32);
}

static uint32_t word_offset(uint32_t base, uint32_t irq)
{
    return base + irq / 32 * 4;
}

static void enable_irq(uint32_t irq)
{
    wr(word_offset(GICD_ISENABLER, irq), bit(irq));
}

static bool is_active(uint32_t irq)
{
    return (rd(word_offset(GICD_ISACTIVER, irq)) & bit(irq)) != 0;
}

static bool is_pending(uint32_t irq)
{
    return (rd(word_offset(GICD_ISPENDR, irq)) & bit(irq)) != 0;
}

static void make_edge(uint32_t irq)
{
    uint32_t offset = GICD_ICFGR + irq / 16 * 4;
    wr(offset, rd(offset) | (2u << (irq % 16 * 2)));
}

/* What Linux 6.1's irq-gic.c does at boot on one CPU: gic_init_bases reads
 * TYPER, gic_dist_init (disable, SPI targets from gic_get_cpumask, then
 * gic_dist_config: level config, priorities, deactivate/disable SPIs, enable),
 * gic_cpu_init (gic_cpu_config for SGIs and PPIs). */
static uint32_t linux_boot_sequence(void)
{
    uint32_t irqs = ((rd(GICD_TYPER) & 0x1f) + 1) * 32;
    uint32_t mask = 0;

    wr(GICD_CTLR, 0);
    for (uint32_t i = 0; i < 32 && mask == 0; i += 4) {
        mask = rd(GICD_ITARGETSR + i);
        mask |= mask >> 16;
        mask |= mask >> 8;
    }
    mask &= 0xff;
    mask |= mask << 8;
    mask |= mask << 16;
    for (uint32_t i = 32; i < irqs; i += 4)
        wr(GICD_ITARGETSR + i, mask);
    for (uint32_t i = 32; i < irqs; i += 16)
        wr(GICD_ICFGR + i / 4, 0);
    for (uint32_t i = 32; i < irqs; i += 4)
        wr(GICD_IPRIORITYR + i, 0xa0a0a0a0u);
    for (uint32_t i = 32; i < irqs; i += 32) {
        wr(GICD_ICACTIVER + i / 8, 0xffffffffu);
        wr(GICD_ICENABLER + i / 8, 0xffffffffu);
    }
    wr(GICD_CTLR, 1);
    wr(GICD_ICACTIVER, 0xffffffffu);
    wr(GICD_ICENABLER, 0xffffffffu);
    for (uint32_t i = 0; i < 32; i += 4)
        wr(GICD_IPRIORITYR + i, 0xa0a0a0a0u);
    wr(GICD_ISENABLER, 0x0000ffffu);
    return irqs;
}

/* --- identification and reset ------------------------------------------- */

TEST(identification_registers)
{
    reset();
    CHECK_EQ(rd(GICD_TYPER), 3);                    /* ITLinesNumber 3, one CPU, no security */
    CHECK_EQ((rd(GICD_PIDR2) >> 4) & 0xf, 2);       /* ArchRev: GICv2 */
    CHECK_EQ(rd(0xfd0), 0x04);
    CHECK_EQ(rd(0xfe0), 0x90);
    CHECK_EQ(rd(0xfe4), 0xb4);
    CHECK_EQ(rd(0xff0), 0x0d);
    CHECK_EQ(rd(0xff4), 0xf0);
    CHECK_EQ(rd(0xff8), 0x05);
    CHECK_EQ(rd(0xffc), 0xb1);
    CHECK_EQ(rd(GICD_IIDR) & 0xfff, 0x43b);         /* implementer ARM */
    wr(GICD_PIDR2, 0);                       /* read-only: the write is ignored */
    CHECK_EQ(rd(GICD_PIDR2), 0x2b);
    wr(GICD_TYPER, 0xffffffffu);
    CHECK_EQ(rd(GICD_TYPER), 3);
}

TEST(reset_state)
{
    reset();
    CHECK_EQ(rd(GICD_CTLR), 0);
    for (uint32_t w = 0; w < 4; w++) {
        CHECK_EQ(rd(GICD_ISENABLER + 4 * w), 0);
        CHECK_EQ(rd(GICD_ISPENDR + 4 * w), 0);
        CHECK_EQ(rd(GICD_ISACTIVER + 4 * w), 0);
    }
    CHECK_EQ(rd(GICD_ICFGR), 0xaaaaaaaau);          /* SGIs edge */
    CHECK_EQ(rd(GICD_ICFGR + 4), 0);                /* PPIs level */
    CHECK_EQ(rd(GICD_ICFGR + 8), 0);                /* SPIs level */
    for (uint32_t i = 0; i < 32; i += 4)
        CHECKF(rd(GICD_ITARGETSR + i) == 0x01010101u, "ITARGETSR irq %u", i);
    CHECK_EQ(rd(GICD_ITARGETSR + 32), 0);
    CHECK_EQ(rd(GICD_IPRIORITYR + 40), 0);
    CHECK_EQ(vcpu.count, 0);
}

/* --- access rules ------------------------------------------------------- */

/* GICv2 defines word accesses everywhere and bytes for IPRIORITYR,
 * ITARGETSR, C/SPENDSGIR; the rest is UNPREDICTABLE, and the model reads it
 * as zero and ignores writes (behaviour changed: these used to be refused,
 * which stopped the VM). */
TEST(undefined_sizes_and_alignment_are_raz_wi)
{
    reset();
    wr(GICD_CTLR, 1);
    wr(GICD_IPRIORITYR, 0x10203040u);
    enable_irq(40);
    CHECK_EQ(rd8(GICD_CTLR), 0);                     /* word-only register */
    vgic_dist_write(&dist, 0, GICD_CTLR, 1, 0);
    CHECK_EQ(rd(GICD_CTLR), 1);
    CHECK_EQ(rd_size(GICD_ISENABLER + 4, 2), 0);     /* no halfwords in GICv2 */
    vgic_dist_write(&dist, 0, GICD_ICENABLER + 4, 2, 0xffff);
    CHECK_EQ(rd(GICD_ISENABLER + 4), bit(40));
    CHECK_EQ(rd_size(GICD_IPRIORITYR, 2), 0);        /* not even byte registers' */
    vgic_dist_write(&dist, 0, GICD_IPRIORITYR, 2, 0);
    CHECK_EQ(rd(GICD_IPRIORITYR), 0x10203040u);
    vgic_dist_write(&dist, 0, GICD_ICFGR + 8, 1, 0xff);
    CHECK_EQ(rd(GICD_ICFGR + 8), 0);
    vgic_dist_write(&dist, 0, GICD_SGIR, 1, 0);
    CHECK_EQ(rd8(GICD_PIDR2), 0);
    CHECK_EQ(rd(GICD_IPRIORITYR + 2), 0);            /* misaligned word */
    vgic_dist_write(&dist, 0, GICD_IPRIORITYR + 2, 4, 0xffffffffu);
    CHECK_EQ(rd(GICD_IPRIORITYR), 0x10203040u);
    CHECK_EQ(rd(0x102), 0);
    CHECK_EQ(rd_size(0x0, 3), 0);
    CHECK_EQ(rd_size(0x0, 8), 0);
    CHECK_EQ(rd(0x1000), 0);                    /* past the block */
    vgic_dist_write(&dist, 0, 0xfffffffcu, 4, 0);
    CHECK_EQ(vcpu.count, 0);                    /* nothing was delivered by any of it */
    /* Byte access where GICv2 allows it, at any byte. */
    CHECK_EQ(rd8(GICD_IPRIORITYR + 3), 0x10);
    CHECK_EQ(rd8(GICD_IPRIORITYR + 1), 0x30);
    CHECK_EQ(rd8(GICD_ITARGETSR + 2), 0x01);
    wr8(GICD_SPENDSGIR + 1, 1);
    CHECK_EQ(rd8(GICD_CPENDSGIR + 1), 0x01);
    CHECK_EQ(rd8(GICD_CPENDSGIR + 15), 0);
}

TEST(reserved_offsets_read_as_zero_and_ignore_writes)
{
    static const uint32_t reserved[] = { 0x00c, 0x040, 0x07c, 0x7f8, 0xbfc, 0xd00, 0xe00,
                                         0xf04, 0xf30, 0xfcc };

    reset();
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        wr(reserved[i], 0xffffffffu);
        CHECKF(rd(reserved[i]) == 0, "read 0x%x", reserved[i]);
        CHECKF(rd_size(reserved[i], 2) == 0, "half 0x%x", reserved[i]);
        CHECKF(rd8(reserved[i] + 1) == 0, "byte 0x%x", reserved[i]);
    }
    /* IGROUPR: everything in group 0, RAZ/WI. */
    wr(GICD_IGROUPR, 0xffffffffu);
    CHECK_EQ(rd(GICD_IGROUPR), 0);
    /* Registers of irqs 128+ (not implemented): RAZ/WI. */
    wr(GICD_ISENABLER + 16, 0xffffffffu);
    CHECK_EQ(rd(GICD_ISENABLER + 16), 0);
    wr(GICD_IPRIORITYR + 200, 0xa0a0a0a0u);
    CHECK_EQ(rd(GICD_IPRIORITYR + 200), 0);
    wr(GICD_ITARGETSR + 200, 0x01010101u);
    CHECK_EQ(rd(GICD_ITARGETSR + 200), 0);
    wr(GICD_ICFGR + 0x20, 0xaaaaaaaau);
    CHECK_EQ(rd(GICD_ICFGR + 0x20), 0);
    CHECK_EQ(rd(GICD_SGIR), 0);                     /* write-only */
    /* None of this touched the implemented state. */
    CHECK_EQ(rd(GICD_ISENABLER + 12), 0);
    CHECK_EQ(rd(GICD_CTLR), 0);
}

/* --- register semantics ------------------------------------------------- */

TEST(ctlr_keeps_only_enable)
{
    reset();
    wr(GICD_CTLR, 0xffffffffu);
    CHECK_EQ(rd(GICD_CTLR), 1);
    wr(GICD_CTLR, 2);
    CHECK_EQ(rd(GICD_CTLR), 0);
}

TEST(enable_set_and_clear_registers)
{
    reset();
    wr(GICD_ISENABLER + 4, 0x00ff00f0u);
    CHECK_EQ(rd(GICD_ISENABLER + 4), 0x00ff00f0u);
    CHECK_EQ(rd(GICD_ICENABLER + 4), 0x00ff00f0u);  /* both views read the enables */
    wr(GICD_ISENABLER + 4, 0x1u);            /* set adds, never clears */
    CHECK_EQ(rd(GICD_ISENABLER + 4), 0x00ff00f1u);
    wr(GICD_ICENABLER + 4, 0x000f0001u);
    CHECK_EQ(rd(GICD_ISENABLER + 4), 0x00f000f0u);
    wr(GICD_ICENABLER + 4, 0);               /* zeros do nothing */
    CHECK_EQ(rd(GICD_ISENABLER + 4), 0x00f000f0u);
    CHECK_EQ(rd(GICD_ISENABLER + 8), 0);            /* other words untouched */
    CHECK_EQ(rd(GICD_ISENABLER), 0);
}

TEST(priority_byte_and_word_access)
{
    reset();
    wr8(GICD_IPRIORITYR + 33, 0xa0);
    CHECK_EQ(rd(GICD_IPRIORITYR + 32), 0x0000a000u);
    wr8(GICD_IPRIORITYR + 35, 0x47);         /* low 3 bits are not implemented */
    CHECK_EQ(rd8(GICD_IPRIORITYR + 35), 0x40);
    CHECK_EQ(rd(GICD_IPRIORITYR + 32), 0x4000a000u);
    wr(GICD_IPRIORITYR + 4, 0x11223344u);
    CHECK_EQ(rd8(GICD_IPRIORITYR + 4), 0x40);
    CHECK_EQ(rd8(GICD_IPRIORITYR + 5), 0x30);
    CHECK_EQ(rd8(GICD_IPRIORITYR + 6), 0x20);
    CHECK_EQ(rd8(GICD_IPRIORITYR + 7), 0x10);
    CHECK_EQ(rd(GICD_IPRIORITYR + 4), 0x10203040u);
    wr8(GICD_IPRIORITYR + 127, 0xff);        /* the last irq */
    CHECK_EQ(rd(GICD_IPRIORITYR + 124), 0xf8000000u);
}

/* A uniprocessor GIC: ITARGETSR0-7 read as the reading CPU's bit for each
 * SGI and PPI, SPI targets are RAZ/WI (behaviour changed: they used to be
 * stored, and an SPI without CPU 0's bit was never delivered). */
TEST(targets_private_read_the_cpu_spis_raz_wi)
{
    reset();
    wr(GICD_ITARGETSR + 16, 0);                     /* PPI targets: read-only */
    CHECK_EQ(rd(GICD_ITARGETSR + 16), 0x01010101u);
    wr8(GICD_ITARGETSR + 3, 0);                     /* SGI targets: read-only */
    CHECK_EQ(rd8(GICD_ITARGETSR + 3), 0x01);
    CHECK_EQ(rd8(GICD_ITARGETSR + 31), 0x01);
    wr8(GICD_ITARGETSR + 34, 0x01);                 /* gic_set_affinity: one byte */
    CHECK_EQ(rd(GICD_ITARGETSR + 32), 0);
    CHECK_EQ(rd8(GICD_ITARGETSR + 34), 0);
    wr(GICD_ITARGETSR + 36, 0x01010101u);
    CHECK_EQ(rd(GICD_ITARGETSR + 36), 0);
    CHECK_EQ(rd(GICD_TYPER) & 0xe0, 0);             /* CPUNumber: one CPU */
}

TEST(config_spis_read_back_what_linux_writes)
{
    reset();
    /* gic_configure_irq: read, set the edge bit of irq 40, write, read back. */
    uint32_t offset = GICD_ICFGR + 40 / 16 * 4;
    uint32_t value = rd(offset) | (2u << (40 % 16 * 2));
    wr(offset, value);
    CHECK_EQ(rd(offset), value);
    wr(offset, 0xffffffffu);            /* the odd (reserved) bits are RAZ */
    CHECK_EQ(rd(offset), 0xaaaaaaaau);
    wr(offset, 0);
    CHECK_EQ(rd(offset), 0);
    wr(GICD_ICFGR + 0x1c, 0x80000000u);      /* irq 127 */
    CHECK_EQ(rd(GICD_ICFGR + 0x1c), 0x80000000u);
    /* SGIs are always edge, PPIs always level. */
    wr(GICD_ICFGR, 0);
    CHECK_EQ(rd(GICD_ICFGR), 0xaaaaaaaau);
    wr(GICD_ICFGR + 4, 0xaaaaaaaau);
    CHECK_EQ(rd(GICD_ICFGR + 4), 0);
}

TEST(linux_boot_sequence_programs_the_distributor)
{
    reset();
    uint32_t irqs = linux_boot_sequence();
    CHECK_EQ(irqs, 128);
    CHECK_EQ(rd(GICD_CTLR), 1);
    for (uint32_t i = 32; i < 128; i += 4)         /* uniprocessor: RAZ/WI */
        CHECKF(rd(GICD_ITARGETSR + i) == 0, "ITARGETSR %u", i);
    for (uint32_t i = 0; i < 128; i += 4)
        CHECKF(rd(GICD_IPRIORITYR + i) == 0xa0a0a0a0u, "IPRIORITYR %u", i);
    CHECK_EQ(rd(GICD_ISENABLER), 0x0000ffffu);      /* SGIs on, PPIs off */
    CHECK_EQ(rd(GICD_ISENABLER + 4), 0);
    CHECK_EQ(rd(GICD_ICFGR + 8), 0);
    CHECK_EQ(vcpu.count, 0);
    /* request_irq of a level SPI (the UART, 33): unmask, then the line rises. */
    enable_irq(33);
    CHECK_EQ(vcpu.count, 0);
    vgic_dist_set_line(&dist, 33, true);
    CHECK_EQ(vcpu.count, 1);
    CHECK_EQ(vcpu.log[0].irq, 33);
    CHECK_EQ(vcpu.log[0].priority, 0xa0);
    CHECK(vcpu.log[0].notify_eoi);
    /* The arch timer: a level PPI, enabled per CPU. */
    enable_irq(27);
    vgic_dist_pulse(&dist, 27);
    CHECK_EQ(vcpu.count, 2);
    CHECK_EQ(vcpu.log[1].irq, 27);
    CHECK(vcpu.log[1].notify_eoi);
    /* An IPI to self (irq_work): SGIR with target list CPU 0. */
    wr(GICD_SGIR, (0x01u << 16) | 6);
    CHECK_EQ(vcpu.count, 3);
    CHECK_EQ(vcpu.log[2].irq, 6);
    CHECK(!vcpu.log[2].notify_eoi);
}

/* --- delivery ----------------------------------------------------------- */

TEST(level_irq_stays_in_flight_until_eoi)
{
    reset();
    wr(GICD_CTLR, 1);
    wr(GICD_ITARGETSR + 40, 0x01010101u);
    enable_irq(41);
    vgic_dist_set_line(&dist, 41, true);
    CHECK_EQ(vcpu.count, 1);
    CHECK(is_active(41));
    CHECK(is_pending(41));                     /* the line is still high */
    /* Line changes while in flight offer nothing new. */
    vgic_dist_set_line(&dist, 41, true);
    vgic_dist_set_line(&dist, 41, false);
    vgic_dist_set_line(&dist, 41, true);
    vgic_dist_retry(&dist);
    CHECK_EQ(vcpu.count, 1);
    /* EOI with the line still high: offered again. */
    vgic_dist_eoi(&dist, 0, 41);
    CHECK_EQ(vcpu.count, 2);
    CHECK_EQ(vcpu.log[1].irq, 41);
    CHECK(is_active(41));
    /* The device is serviced, the line drops, then EOI: nothing more. */
    vgic_dist_set_line(&dist, 41, false);
    CHECK(!is_pending(41));
    vgic_dist_eoi(&dist, 0, 41);
    CHECK_EQ(vcpu.count, 2);
    CHECK(!is_active(41));
    /* Next assertion: delivered at once. */
    vgic_dist_set_line(&dist, 41, true);
    CHECK_EQ(vcpu.count, 3);
}

TEST(edge_irq_is_offered_on_every_pulse)
{
    reset();
    wr(GICD_CTLR, 1);
    wr(GICD_ITARGETSR + 48, 0x01010101u);
    make_edge(50);
    enable_irq(50);
    vgic_dist_pulse(&dist, 50);
    vgic_dist_pulse(&dist, 50);
    CHECK_EQ(vcpu.count, 2);
    CHECK_EQ(vcpu.log[0].irq, 50);
    CHECK(!vcpu.log[0].notify_eoi);
    CHECK(!vcpu.log[1].notify_eoi);
    CHECK(!is_active(50));                     /* edges are not tracked to EOI */
    CHECK(!is_pending(50));                    /* the pending state left with it */
    vgic_dist_retry(&dist);
    CHECK_EQ(vcpu.count, 2);
}

TEST(set_edge_configures_spis_only)
{
    reset();
    vgic_dist_set_edge(&dist, 80);
    vgic_dist_set_edge(&dist, VGIC_IRQS - 1);
    CHECK_EQ(rd(GICD_ICFGR + 5 * 4), 2u);
    CHECK_EQ(rd(GICD_ICFGR + 7 * 4), 0x80000000u);
    vgic_dist_set_edge(&dist, 27);             /* PPIs stay level, SGIs edge */
    vgic_dist_set_edge(&dist, VGIC_IRQS);
    vgic_dist_set_edge(&dist, 0xffffffffu);
    CHECK_EQ(rd(GICD_ICFGR + 4), 0);
    CHECK_EQ(rd(GICD_ICFGR), 0xaaaaaaaau);
    /* The guest has the last word, as on hardware. */
    wr(GICD_ICFGR + 5 * 4, 0);
    CHECK_EQ(rd(GICD_ICFGR + 5 * 4), 0);
    /* An edge SPI: each pulse is one offer, none waits for an EOI. */
    vgic_dist_set_edge(&dist, 80);
    wr(GICD_CTLR, 1);
    wr(GICD_ITARGETSR + 80, 0x01010101u);
    enable_irq(80);
    vgic_dist_pulse(&dist, 80);
    vgic_dist_pulse(&dist, 80);
    CHECK_EQ(vcpu.count, 2);
    CHECK(!vcpu.log[1].notify_eoi);
}

TEST(edge_irq_from_line_pends_on_rising_edges_only)
{
    reset();
    wr(GICD_CTLR, 1);
    wr(GICD_ITARGETSR + 32, 0x01010101u);
    make_edge(34);
    enable_irq(34);
    vgic_dist_set_line(&dist, 34, true);
    CHECK_EQ(vcpu.count, 1);
    vgic_dist_set_line(&dist, 34, true);       /* still high: no edge */
    vgic_dist_eoi(&dist, 0, 34);
    CHECK_EQ(vcpu.count, 1);
    vgic_dist_set_line(&dist, 34, false);
    CHECK_EQ(vcpu.count, 1);
    vgic_dist_set_line(&dist, 34, true);
    CHECK_EQ(vcpu.count, 2);
}

TEST(disabled_irq_stays_pending_until_enabled)
{
    reset();
    wr(GICD_CTLR, 1);
    wr(GICD_ITARGETSR + 32, 0x01010101u);
    wr(GICD_ITARGETSR + 36, 0x01010101u);
    make_edge(35);
    vgic_dist_pulse(&dist, 35);
    vgic_dist_set_line(&dist, 36, true);
    CHECK_EQ(vcpu.count, 0);
    CHECK(is_pending(35));
    CHECK(is_pending(36));
    enable_irq(35);
    CHECK_EQ(vcpu.count, 1);
    CHECK_EQ(vcpu.log[0].irq, 35);
    CHECK(!is_pending(35));
    enable_irq(36);
    CHECK_EQ(vcpu.count, 2);
    CHECK_EQ(vcpu.log[1].irq, 36);
    /* Masked while in flight: the EOI still ends it; unmasking redelivers. */
    wr(word_offset(GICD_ICENABLER, 36), bit(36));
    vgic_dist_eoi(&dist, 0, 36);
    CHECK(!is_active(36));
    CHECK_EQ(vcpu.count, 2);
    enable_irq(36);
    CHECK_EQ(vcpu.count, 3);
}

TEST(enabling_the_distributor_delivers_in_priority_order)
{
    reset();
    wr(GICD_ITARGETSR + 32, 0x01010101u);
    wr(GICD_ITARGETSR + 64, 0x01010101u);
    wr(GICD_ISENABLER, bit(20));
    wr(GICD_ISENABLER + 4, 0xffffffffu);
    wr(GICD_ISENABLER + 8, 0xffffffffu);
    wr8(GICD_IPRIORITYR + 33, 0x80);
    wr8(GICD_IPRIORITYR + 66, 0x20);
    wr8(GICD_IPRIORITYR + 34, 0x80);
    wr8(GICD_IPRIORITYR + 20, 0x40);
    vgic_dist_set_line(&dist, 34, true);
    vgic_dist_set_line(&dist, 33, true);
    vgic_dist_set_line(&dist, 66, true);
    vgic_dist_pulse(&dist, 20);
    CHECK_EQ(vcpu.count, 0);                   /* distributor disabled */
    wr(GICD_CTLR, 1);
    CHECK_EQ(vcpu.count, 4);
    CHECK_EQ(vcpu.log[0].irq, 66);
    CHECK_EQ(vcpu.log[0].priority, 0x20);
    CHECK_EQ(vcpu.log[1].irq, 20);
    CHECK_EQ(vcpu.log[2].irq, 33);             /* equal priority: lower number first */
    CHECK_EQ(vcpu.log[3].irq, 34);
    /* Disabling keeps state; re-enabling offers only what is deliverable. */
    wr(GICD_CTLR, 0);
    vgic_dist_eoi(&dist, 0, 33);
    CHECK_EQ(vcpu.count, 4);
    wr(GICD_CTLR, 1);
    CHECK_EQ(vcpu.count, 5);
    CHECK_EQ(vcpu.log[4].irq, 33);
}

TEST(full_list_registers_retry_later)
{
    reset();
    wr(GICD_CTLR, 1);
    wr(GICD_ITARGETSR + 36, 0x01010101u);
    wr(GICD_ISENABLER + 4, 0xffffffffu);
    wr(GICD_IPRIORITYR + 36, 0x80801080u);          /* 37 the most urgent */
    make_edge(38);
    vcpu.free_slots = 1;
    vgic_dist_set_line(&dist, 36, true);       /* takes the last free slot */
    vgic_dist_pulse(&dist, 38);                /* refused */
    vgic_dist_set_line(&dist, 37, true);       /* refused */
    CHECK_EQ(vcpu.count, 1);
    CHECK(vcpu.refused >= 2);
    CHECK(is_pending(38));
    CHECK(!is_active(37));                     /* not handed over, so not active */
    vgic_dist_retry(&dist);                    /* still full: nothing */
    CHECK_EQ(vcpu.count, 1);
    vcpu.free_slots = 1;
    vgic_dist_retry(&dist);                    /* the most urgent goes first */
    CHECK_EQ(vcpu.count, 2);
    CHECK_EQ(vcpu.log[1].irq, 37);
    CHECK(vcpu.log[1].notify_eoi);
    CHECK(is_active(37));
    vcpu.free_slots = -1;
    vgic_dist_retry(&dist);
    CHECK_EQ(vcpu.count, 3);
    CHECK_EQ(vcpu.log[2].irq, 38);
    CHECK(!vcpu.log[2].notify_eoi);
    vgic_dist_retry(&dist);
    CHECK_EQ(vcpu.count, 3);
}

TEST(spi_goes_to_the_cpu_whatever_itargetsr_says)
{
    reset();
    wr(GICD_CTLR, 1);
    enable_irq(40);
    vgic_dist_set_line(&dist, 40, true);       /* targets never written */
    CHECK_EQ(vcpu.count, 1);
    CHECK_EQ(vcpu.log[0].irq, 40);
    vgic_dist_eoi(&dist, 0, 40);
    wr8(GICD_ITARGETSR + 40, 0x02);                 /* "CPU 1", which does not exist */
    CHECK_EQ(vcpu.count, 2);                   /* the line is still high: again */
    CHECK_EQ(vcpu.log[1].irq, 40);
    vgic_dist_set_line(&dist, 40, false);
    vgic_dist_eoi(&dist, 0, 40);
    vgic_dist_pulse(&dist, 41);                /* disabled: held */
    wr8(GICD_ITARGETSR + 41, 0);
    enable_irq(41);
    CHECK_EQ(vcpu.count, 3);
    CHECK_EQ(vcpu.log[2].irq, 41);
}

TEST(software_pend_and_clear)
{
    reset();
    wr(GICD_CTLR, 1);
    wr(GICD_ITARGETSR + 44, 0x01010101u);
    /* ISPENDR on a level irq: delivered once, with EOI notification. */
    wr(word_offset(GICD_ISPENDR, 45), bit(45));
    CHECK(is_pending(45));
    CHECK_EQ(rd(word_offset(GICD_ICPENDR, 45)) & bit(45), bit(45));
    enable_irq(45);
    CHECK_EQ(vcpu.count, 1);
    CHECK(vcpu.log[0].notify_eoi);
    CHECK(!is_pending(45));                    /* the latch went with it; line is low */
    vgic_dist_eoi(&dist, 0, 45);
    CHECK_EQ(vcpu.count, 1);
    /* ICPENDR clears a latch, but a high level line stays pending. */
    wr(word_offset(GICD_ICENABLER, 46), bit(46));
    wr(word_offset(GICD_ISPENDR, 46), bit(46));
    wr(word_offset(GICD_ICPENDR, 46), bit(46));
    CHECK(!is_pending(46));
    vgic_dist_set_line(&dist, 46, true);
    wr(word_offset(GICD_ICPENDR, 46), bit(46));
    CHECK(is_pending(46));
    /* ISPENDR and ICPENDR ignore SGIs (GICv2: use S/CPENDSGIR). */
    wr(GICD_ISPENDR, 0x0000ffffu);
    CHECK_EQ(rd(GICD_ISPENDR), 0);
    CHECK_EQ(vcpu.count, 1);
}

TEST(active_set_and_clear)
{
    reset();
    wr(GICD_CTLR, 1);
    wr(GICD_ITARGETSR + 32, 0x01010101u);
    enable_irq(33);
    vgic_dist_set_line(&dist, 33, true);
    CHECK_EQ(vcpu.count, 1);
    CHECK_EQ(rd(GICD_ISACTIVER + 4), bit(33));
    CHECK_EQ(rd(GICD_ICACTIVER + 4), bit(33));
    /* ICACTIVER (Linux does it at init): no longer in flight, so the still
     * high line is offered again at once. */
    wr(GICD_ICACTIVER + 4, bit(33));
    CHECK_EQ(vcpu.count, 2);
    CHECK(is_active(33));
    /* ISACTIVER holds back an irq until it is deactivated. */
    vgic_dist_eoi(&dist, 0, 33);
    vgic_dist_set_line(&dist, 33, false);
    CHECK_EQ(vcpu.count, 3);                   /* the EOI redelivered: line was high */
    vgic_dist_eoi(&dist, 0, 33);
    wr(GICD_ISACTIVER + 4, bit(34));
    CHECK(is_active(34));
    enable_irq(34);
    vgic_dist_set_line(&dist, 34, true);
    CHECK_EQ(vcpu.count, 3);
    wr(GICD_ICACTIVER + 4, bit(34));
    CHECK_EQ(vcpu.count, 4);
    CHECK_EQ(vcpu.log[3].irq, 34);
}

TEST(eoi_of_an_irq_not_in_flight_is_harmless)
{
    reset();
    wr(GICD_CTLR, 1);
    vgic_dist_eoi(&dist, 0, 5);
    vgic_dist_eoi(&dist, 0, 100);
    CHECK_EQ(vcpu.count, 0);
    CHECK_EQ(rd(GICD_ISACTIVER), 0);
    CHECK_EQ(rd(GICD_ISACTIVER + 12), 0);
}

TEST(out_of_range_irq_numbers_are_ignored)
{
    reset();
    linux_boot_sequence();
    wr(GICD_ISENABLER + 12, 0xffffffffu);
    vgic_dist_set_line(&dist, VGIC_IRQS, true);
    vgic_dist_set_line(&dist, 1023, true);
    vgic_dist_set_line(&dist, 0xffffffffu, true);
    vgic_dist_pulse(&dist, VGIC_IRQS);
    vgic_dist_pulse(&dist, 0x80000000u);
    vgic_dist_eoi(&dist, 0, 4096);
    CHECK_EQ(vcpu.count, 0);
    for (uint32_t w = 0; w < 4; w++)
        CHECK_EQ(rd(GICD_ISPENDR + 4 * w), 0);
    /* The last valid irq still works. */
    vgic_dist_set_line(&dist, VGIC_IRQS - 1, true);
    CHECK_EQ(vcpu.count, 1);
    CHECK_EQ(vcpu.log[0].irq, VGIC_IRQS - 1);
}

/* --- software-generated interrupts -------------------------------------- */

TEST(sgir_target_list_and_filters)
{
    reset();
    linux_boot_sequence();
    wr(GICD_SGIR, (0x01u << 16) | 3);        /* list: CPU 0 */
    CHECK_EQ(vcpu.count, 1);
    CHECK_EQ(vcpu.log[0].irq, 3);
    CHECK_EQ(vcpu.log[0].priority, 0xa0);
    CHECK(!vcpu.log[0].notify_eoi);
    wr(GICD_SGIR, (0x02u << 16) | 4);        /* list: CPU 1 only (absent) */
    wr(GICD_SGIR, (0x00u << 16) | 4);        /* empty list */
    wr(GICD_SGIR, (1u << 24) | (0xffu << 16) | 4); /* all but self: nobody */
    wr(GICD_SGIR, (3u << 24) | (0xffu << 16) | 4); /* reserved filter */
    CHECK_EQ(vcpu.count, 1);
    wr(GICD_SGIR, (2u << 24) | 15);          /* self */
    CHECK_EQ(vcpu.count, 2);
    CHECK_EQ(vcpu.log[1].irq, 15);
    /* Two in a row are two offers (the kernel merges duplicates). */
    wr(GICD_SGIR, (0x01u << 16) | 3);
    wr(GICD_SGIR, (0x01u << 16) | 3);
    CHECK_EQ(vcpu.count, 4);
    CHECK(!is_active(3));
}

TEST(sgi_pending_registers)
{
    reset();
    wr(GICD_CTLR, 1);
    wr(GICD_ICENABLER, 0xffffffffu);                /* SGIs masked: they stay pending */
    wr(GICD_SGIR, (0x01u << 16) | 9);
    CHECK_EQ(vcpu.count, 0);
    CHECK_EQ(rd8(GICD_SPENDSGIR + 9), 0x01);        /* pending from source CPU 0 */
    CHECK_EQ(rd(GICD_CPENDSGIR + 8), 0x00000100u);
    CHECK_EQ(rd(GICD_ISPENDR), bit(9));
    wr8(GICD_CPENDSGIR + 9, 0x01);
    CHECK_EQ(rd(GICD_ISPENDR), 0);
    wr8(GICD_SPENDSGIR + 2, 0xfe);           /* other sources: absent CPUs */
    CHECK_EQ(rd(GICD_ISPENDR), 0);
    wr(GICD_SPENDSGIR, 0x01000001u);         /* SGIs 0 and 3 */
    CHECK_EQ(rd(GICD_ISPENDR), bit(0) | bit(3));
    CHECK_EQ(rd(GICD_SPENDSGIR), 0x01000001u);
    enable_irq(3);
    CHECK_EQ(vcpu.count, 1);
    CHECK_EQ(vcpu.log[0].irq, 3);
    CHECK_EQ(rd(GICD_ISPENDR), bit(0));
    wr(GICD_CPENDSGIR, 0xffffffffu);
    CHECK_EQ(rd(GICD_ISPENDR), 0);
    enable_irq(0);
    CHECK_EQ(vcpu.count, 1);
}

/* --- resampled lines (passthrough interrupts) ----------------------------- */

static void reset_resampling(uint32_t irq)
{
    static const struct vgic_ops ops = { &vcpu, fake_inject, fake_resample };

    reset();
    vgic_dist_init(&dist, &ops, 1);
    vgic_dist_set_resample(&dist, irq);
}

TEST(resampled_line_is_looked_at_again_when_made_deliverable)
{
    reset_resampling(50);
    wr(GICD_CTLR, 1);
    vgic_dist_set_line(&dist, 50, true);       /* fired while disabled: pending */
    CHECK(is_pending(50));
    CHECK_EQ(vcpu.count, 0);
    enable_irq(50);                             /* the device may be quiet by now */
    CHECK_EQ(resample_count, 1);
    CHECK_EQ(resampled[0], 50);
    CHECK(!is_pending(50));
    CHECK_EQ(vcpu.count, 0);
    vgic_dist_set_line(&dist, 50, true);       /* it was not: the host fires again */
    CHECK_EQ(vcpu.count, 1);
    CHECK_EQ(vcpu.log[0].irq, 50);
    CHECK(vcpu.log[0].notify_eoi);
    CHECK_EQ(resample_count, 1);                /* enabled already: no second look */
}

TEST(resampled_line_also_when_the_distributor_is_enabled)
{
    reset_resampling(50);
    enable_irq(50);
    vgic_dist_set_line(&dist, 50, true);
    CHECK_EQ(vcpu.count, 0);
    wr(GICD_CTLR, 1);
    CHECK_EQ(resample_count, 1);
    CHECK_EQ(vcpu.count, 0);
    /* A write that changes nothing deliverable looks at nothing. */
    vgic_dist_set_line(&dist, 50, true);
    vgic_dist_eoi(&dist, 0, 50);                   /* (not an EOI of a guest write) */
    wr(GICD_CTLR, 1);
    CHECK_EQ(resample_count, 1);
}

TEST(other_lines_are_not_resampled)
{
    reset_resampling(50);
    wr(GICD_CTLR, 1);
    vgic_dist_set_line(&dist, 51, true);
    enable_irq(51);
    CHECK_EQ(resample_count, 0);
    CHECK_EQ(vcpu.count, 1);
    CHECK_EQ(vcpu.log[0].irq, 51);
    /* A resampled irq pended by software is delivered, line low or not. */
    wr(word_offset(GICD_ISPENDR, 50), bit(50));
    enable_irq(50);
    CHECK_EQ(resample_count, 0);
    CHECK_EQ(vcpu.count, 2);
}

TEST(resampled_line_is_fixed_level)
{
    reset_resampling(50);
    make_edge(50);
    make_edge(49);
    CHECK_EQ(rd(GICD_ICFGR + 12), 2u << (49 % 16 * 2));
    vgic_dist_set_edge(&dist, 50);              /* not even by the VMM */
    CHECK_EQ(rd(GICD_ICFGR + 12), 2u << (49 % 16 * 2));
}

/* --- several vCPUs ------------------------------------------------------ */

static void reset_cpus(uint32_t cpus)
{
    static const struct vgic_ops ops = { &vcpu, fake_inject, NULL };
    vcpu = (struct fake_vcpu){ .free_slots = -1 };
    vgic_dist_init(&dist, &ops, cpus);
}

static uint32_t rd_as(uint32_t cpu, uint32_t offset, uint32_t size)
{
    uint32_t value = 0xdeadbeefu;
    vgic_dist_read(&dist, cpu, offset, size, &value);
    return value;
}

static void wr_as(uint32_t cpu, uint32_t offset, uint32_t size, uint32_t value)
{
    vgic_dist_write(&dist, cpu, offset, size, value);
}

/* How many injections of irq went to cpu since the log was last cleared. */
static int injected_to(uint32_t cpu, uint32_t irq)
{
    int count = 0;
    for (int i = 0; i < vcpu.count && i < MAX_INJECTIONS; i++)
        count += vcpu.log[i].cpu == cpu && vcpu.log[i].irq == irq;
    return count;
}

TEST(typer_counts_the_vcpus_and_private_targets_name_the_reader)
{
    reset_cpus(4);
    CHECK_EQ(rd(GICD_TYPER), (3u << 5) | 3u);
    for (uint32_t cpu = 0; cpu < 4; cpu++) {
        CHECK_EQ(rd_as(cpu, GICD_ITARGETSR, 4), 0x01010101u << cpu);
        CHECK_EQ(rd_as(cpu, GICD_ITARGETSR + 28, 4), 0x01010101u << cpu);
    }
    CHECK_EQ(rd_as(2, GICD_ITARGETSR + 32, 4), 0x01010101u);   /* SPIs reset to vCPU 0 */
    wr_as(1, GICD_ITARGETSR + 40, 1, 0xff);                   /* vCPUs 4-7 do not exist */
    CHECK_EQ(rd_as(0, GICD_ITARGETSR + 40, 1), 0x0f);
    wr_as(1, GICD_ITARGETSR + 16, 4, 0);                      /* PPIs': read-only */
    CHECK_EQ(rd_as(1, GICD_ITARGETSR + 16, 4), 0x02020202u);
    /* A vCPU the model lacks reads nothing and changes nothing. */
    CHECK_EQ(rd_as(4, GICD_TYPER, 4), 0);
    wr_as(4, GICD_CTLR, 4, 1);
    CHECK_EQ(rd(GICD_CTLR), 0);
    reset_cpus(VGIC_MAX_CPUS);
    CHECK_EQ(rd(GICD_TYPER) & 0xe0, 7u << 5);
}

/* SGIs' and PPIs' enable, pending, active and priority are each vCPU's own. */
TEST(private_state_is_banked)
{
    reset_cpus(2);
    wr(GICD_CTLR, 1);
    wr_as(1, GICD_ISENABLER, 4, bit(27));
    wr_as(1, GICD_IPRIORITYR + 24, 4, 0xa0000000u);
    CHECK_EQ(rd_as(0, GICD_ISENABLER, 4), 0);
    CHECK_EQ(rd_as(1, GICD_ISENABLER, 4), bit(27));
    CHECK_EQ(rd_as(0, GICD_IPRIORITYR + 24, 4), 0);
    CHECK_EQ(rd_as(1, GICD_IPRIORITYR + 24, 4), 0xa0000000u);
    wr_as(0, GICD_ISPENDR, 4, bit(27));           /* vCPU 0's PPI 27: disabled there */
    CHECK_EQ(vcpu.count, 0);
    CHECK_EQ(rd_as(0, GICD_ISPENDR, 4), bit(27));
    CHECK_EQ(rd_as(1, GICD_ISPENDR, 4), 0);
    wr_as(1, GICD_ISPENDR, 4, bit(27));
    CHECK_EQ(injected_to(1, 27), 1);
    CHECK_EQ(injected_to(0, 27), 0);
    CHECK_EQ(rd_as(1, GICD_ISACTIVER, 4), bit(27));  /* level: active until its EOI */
    CHECK_EQ(rd_as(0, GICD_ISACTIVER, 4), 0);
    vgic_dist_eoi(&dist, 0, 27);                     /* another vCPU's EOI: not this one */
    CHECK_EQ(rd_as(1, GICD_ISACTIVER, 4), bit(27));
    vgic_dist_eoi(&dist, 1, 27);
    CHECK_EQ(rd_as(1, GICD_ISACTIVER, 4), 0);
}

/* GICD_SGIR's three filters, from each sender; C/SPENDSGIR show the senders. */
TEST(sgir_targets_a_list_all_but_self_or_self)
{
    reset_cpus(4);
    for (uint32_t cpu = 0; cpu < 4; cpu++)
        wr_as(cpu, GICD_ISENABLER, 4, 0xffffu);
    wr_as(2, GICD_SGIR, 4, (0u << 24) | (0x0au << 16) | 5);   /* list: vCPUs 1 and 3 */
    CHECK_EQ(vcpu.count, 0);                                 /* distributor off: pending */
    CHECK_EQ(rd_as(1, GICD_SPENDSGIR + 4, 4), 0x0400u);      /* SGI 5 from vCPU 2 */
    CHECK_EQ(rd_as(3, GICD_CPENDSGIR + 5, 1), 0x04u);
    CHECK_EQ(rd_as(0, GICD_SPENDSGIR + 5, 1), 0);
    wr(GICD_CTLR, 1);
    CHECK_EQ(injected_to(1, 5), 1);
    CHECK_EQ(injected_to(3, 5), 1);
    CHECK_EQ(vcpu.count, 2);
    CHECK_EQ(rd_as(1, GICD_SPENDSGIR + 5, 1), 0);            /* delivered: no longer pending */
    wr_as(1, GICD_SGIR, 4, (1u << 24) | 7);                  /* all but self */
    CHECK_EQ(injected_to(0, 7) + injected_to(2, 7) + injected_to(3, 7), 3);
    CHECK_EQ(injected_to(1, 7), 0);
    wr_as(3, GICD_SGIR, 4, (2u << 24) | (0x01u << 16) | 9);  /* self: the list is ignored */
    CHECK_EQ(injected_to(3, 9), 1);
    CHECK_EQ(injected_to(0, 9), 0);
    wr_as(0, GICD_SGIR, 4, (3u << 24) | (0x0fu << 16) | 1);  /* reserved filter: nothing */
    wr_as(0, GICD_SGIR, 4, (0u << 24) | (0xf0u << 16) | 1);  /* vCPUs it lacks: nothing */
    CHECK_EQ(vcpu.count, 6);
    CHECK(vcpu.log[0].notify_eoi == false);                   /* SGIs are edge */
}

TEST(sgi_pending_bits_are_set_and_cleared_per_sender)
{
    reset_cpus(4);
    wr_as(2, GICD_SPENDSGIR + 3, 1, 0xff);          /* senders 0-3 (4-7 do not exist) */
    CHECK_EQ(rd_as(2, GICD_SPENDSGIR + 3, 1), 0x0f);
    CHECK(rd_as(2, GICD_ISPENDR, 4) & bit(3));
    wr_as(2, GICD_CPENDSGIR + 3, 1, 0x05);
    CHECK_EQ(rd_as(2, GICD_CPENDSGIR + 3, 1), 0x0a);
    wr_as(2, GICD_CPENDSGIR + 3, 1, 0x0a);
    CHECK_EQ(rd_as(2, GICD_ISPENDR, 4) & bit(3), 0);
    wr_as(2, GICD_ISPENDR, 4, bit(3));              /* ISPENDR cannot pend an SGI */
    CHECK_EQ(rd_as(2, GICD_ISPENDR, 4) & bit(3), 0);
}

/* An SPI goes to the first vCPU its ITARGETSR names, whichever vCPU
 * raised or enabled it; its EOI and active state are the one SPI's. */
TEST(spis_are_routed_by_itargetsr)
{
    reset_cpus(4);
    wr(GICD_CTLR, 1);
    wr_as(1, GICD_ITARGETSR + 40, 1, 0x04);         /* SPI 40 to vCPU 2 */
    wr_as(0, GICD_ITARGETSR + 41, 1, 0x0c);         /* SPI 41 to vCPUs 2 and 3: 2 takes it */
    wr_as(0, GICD_ITARGETSR + 42, 1, 0);            /* SPI 42 to nobody */
    wr_as(3, word_offset(GICD_ISENABLER, 40), 4, bit(40) | bit(41) | bit(42));
    vgic_dist_set_line(&dist, 40, true);
    vgic_dist_set_line(&dist, 41, true);
    vgic_dist_set_line(&dist, 42, true);
    CHECK_EQ(injected_to(2, 40), 1);
    CHECK_EQ(injected_to(2, 41), 1);
    CHECK_EQ(vcpu.count, 2);
    CHECK(rd_as(0, word_offset(GICD_ISACTIVER, 40), 4) & bit(40));
    vgic_dist_set_line(&dist, 40, false);
    vgic_dist_eoi(&dist, 2, 40);
    CHECK_EQ(rd_as(0, word_offset(GICD_ISACTIVER, 40), 4) & bit(40), 0);
    wr_as(1, GICD_ITARGETSR + 42, 1, 0x02);         /* retargeted: now it goes */
    CHECK_EQ(injected_to(1, 42), 1);
    vgic_dist_pulse(&dist, 40);
    CHECK_EQ(injected_to(2, 40), 2);
}

/* A vCPU whose list registers are full keeps its irqs pending; the others
 * still get theirs. */
TEST(a_busy_vcpu_does_not_hold_up_the_others)
{
    reset_cpus(2);
    wr(GICD_CTLR, 1);
    for (uint32_t cpu = 0; cpu < 2; cpu++)
        wr_as(cpu, GICD_ISENABLER, 4, 0xffffu);
    vcpu.free_slots = 1;
    wr_as(0, GICD_SGIR, 4, (0u << 24) | (0x01u << 16) | 2);
    wr_as(1, GICD_SGIR, 4, (0u << 24) | (0x01u << 16) | 3);  /* vCPU 0 is full now */
    wr_as(0, GICD_SGIR, 4, (0u << 24) | (0x02u << 16) | 4);  /* refused too: no slot */
    CHECK_EQ(vcpu.count, 1);
    CHECK_EQ(rd_as(0, GICD_SPENDSGIR + 3, 1), 0x02);
    vcpu.free_slots = -1;
    vgic_dist_retry(&dist);
    CHECK_EQ(injected_to(0, 3), 1);
    CHECK_EQ(injected_to(1, 4), 1);
}
