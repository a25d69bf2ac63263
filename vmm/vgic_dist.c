/* GICv2 distributor emulation: the GICD_* registers an unmodified Linux gic driver
 * programs, and the rule that turns pending, enabled irqs into list registers. */
#include "core/gicv2.h"
#include "vgic_dist.h"

/* IIDR: implementer ARM (JEP106 0x43b) and product id 'O' for Opal, so a guest
 * can tell the model from silicon if it ever needs to. */
#define IIDR_VALUE      0x4f00043bu
#define TYPER_VALUE     ((VGIC_IRQS / 32u) - 1u)   /* one CPU: CPUNumber 0 */
#define CPU0            0x01u    /* a CPU target mask naming CPU interface 0 */

/* GIC-400's identification registers: PIDR2 0x2b says ArchRev 2 (GICv2). */
static const uint8_t id_registers[12] = {
    0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1,
};

/* --- per-irq bits ------------------------------------------------------- */

static bool test_bit(const uint32_t *words, uint32_t irq)
{
    return (words[irq / 32] >> (irq % 32)) & 1u;
}

static void set_bit(uint32_t *words, uint32_t irq)
{
    words[irq / 32] |= 1u << (irq % 32);
}

static void clear_bit(uint32_t *words, uint32_t irq)
{
    words[irq / 32] &= ~(1u << (irq % 32));
}

/* Level irqs are pending while their line is high; either kind while latched. */
static uint32_t pending_word(const struct vgic_dist *dist, uint32_t word)
{
    return dist->latched[word] | (dist->line[word] & ~dist->edge[word]);
}

/* The irqs of `word` that go to the vCPU: all of them, the model being a
 * uniprocessor GIC. (A multicore model routes SPIs by ITARGETSR here.) */
static uint32_t routed_word(const struct vgic_dist *dist, uint32_t word)
{
    (void)dist, (void)word;
    return 0xffffffffu;
}

static uint32_t deliverable_word(const struct vgic_dist *dist, uint32_t word)
{
    if (!dist->enabled)
        return 0;
    return dist->irq_enabled[word] & pending_word(dist, word) & ~dist->active[word] &
           routed_word(dist, word);
}

/* --- delivery ----------------------------------------------------------- */

/* The deliverable irq the guest should see first: lowest priority value, then
 * lowest number (as the GIC picks). VGIC_IRQS if there is none. */
static uint32_t most_urgent_deliverable(const struct vgic_dist *dist)
{
    uint32_t best = VGIC_IRQS;

    for (uint32_t word = 0; word < VGIC_WORDS; word++) {
        uint32_t bits = deliverable_word(dist, word);
        while (bits != 0) {
            uint32_t irq = word * 32 + (uint32_t)__builtin_ctz(bits);
            bits &= bits - 1;
            if (best == VGIC_IRQS || dist->priority[irq] < dist->priority[best])
                best = irq;
        }
    }
    return best;
}

/* Hands irq to a list register. A level irq then stays active (not offered
 * again) until its EOI; an edge irq's pending state moves into the list
 * register, so the next edge is a new offer. */
static bool offer(struct vgic_dist *dist, uint32_t irq)
{
    bool level = !test_bit(dist->edge, irq);

    if (dist->ops.inject(dist->ops.context, irq, dist->priority[irq], level) != 0)
        return false;
    clear_bit(dist->latched, irq);
    if (level)
        set_bit(dist->active, irq);
    return true;
}

/* A line the VMM only hears rise (a passthrough interrupt's: the host's
 * stays masked from its firing until the VMM acks it) may have fallen since:
 * the guest may have served the device while the irq was disabled. When a
 * guest write makes such an irq deliverable again, the line is taken low
 * and the VMM asked to look again (ack the host's), which raises it anew
 * if the device still asserts it; so the guest sees the device's state
 * now, as from a GIC sampling the wire, not a stale one. */
static void resample_newly_deliverable(struct vgic_dist *dist, const uint32_t before[VGIC_WORDS])
{
    if (dist->ops.resample == NULL)
        return;
    for (uint32_t word = 0; word < VGIC_WORDS; word++) {
        uint32_t bits = deliverable_word(dist, word) & ~before[word] & dist->resample[word] &
                        dist->line[word];
        while (bits != 0) {
            uint32_t irq = word * 32 + (uint32_t)__builtin_ctz(bits);
            bits &= bits - 1;
            clear_bit(dist->line, irq);
            dist->ops.resample(dist->ops.context, irq);
        }
    }
}

/* Called after every change of state. Stops at the first refusal: the list
 * registers are all busy, and vgic_dist_retry() resumes in priority order. */
static void deliver(struct vgic_dist *dist)
{
    for (;;) {
        uint32_t irq = most_urgent_deliverable(dist);
        if (irq == VGIC_IRQS || !offer(dist, irq))
            return;
    }
}

/* --- access rules ------------------------------------------------------- */

enum register_kind {
    REGISTER_RESERVED,      /* RAZ/WI at any aligned size */
    REGISTER_WORD,          /* word accesses only */
    REGISTER_BYTE_OR_WORD,  /* byte-accessible as well */
};

static bool in_range(uint32_t offset, uint32_t first, uint32_t end)
{
    return offset >= first && offset < end;
}

static enum register_kind kind_of(uint32_t offset)
{
    if (in_range(offset, GICD_CTLR, GICD_IIDR + 4) ||
        in_range(offset, GICD_IGROUPR, GICD_IPRIORITYR) ||
        in_range(offset, GICD_ICFGR, GICD_ICFGR + 0x100) ||
        in_range(offset, GICD_SGIR, GICD_SGIR + 4) ||
        in_range(offset, GICD_PIDR4, GICD_SIZE))
        return REGISTER_WORD;
    /* IPRIORITYR ends at 0x7f8 and ITARGETSR at 0xbf8: 1020 interrupt ids. */
    if (in_range(offset, GICD_IPRIORITYR, 0x7f8) || in_range(offset, GICD_ITARGETSR, 0xbf8) ||
        in_range(offset, GICD_CPENDSGIR, GICD_SPENDSGIR + 0x10))
        return REGISTER_BYTE_OR_WORD;
    return REGISTER_RESERVED;
}

/* Whether the register at `offset` takes this access. The GICv2 specification
 * (IHI 0048B, 4.1.4) defines word accesses to every register and byte
 * accesses to IPRIORITYR, ITARGETSR, CPENDSGIR and SPENDSGIR; anything else
 * (a halfword, a byte of a word-only register, an unaligned access) is
 * UNPREDICTABLE, and the model makes it read as zero and ignore writes,
 * as a GIC-400 does, rather than fault the guest. */
static bool access_defined(uint32_t offset, uint32_t size)
{
    if ((size != 1 && size != 4) || offset % size != 0 || offset >= GICD_SIZE)
        return false;
    switch (kind_of(offset)) {
    case REGISTER_WORD:
        return size == 4;
    case REGISTER_BYTE_OR_WORD:
        return true;
    default:
        return false;   /* reserved: RAZ/WI whatever the size */
    }
}

/* --- byte-wide registers: IPRIORITYR, ITARGETSR, C/SPENDSGIR ------------- */

/* A uniprocessor GIC (TYPER.CPUNumber 0): ITARGETSR0-7 show each SGI's
 * and PPI's target, the CPU reading them; the SPIs' targets read as zero
 * and ignore writes (4.3.12), as every SPI goes to the one CPU. */
static uint8_t read_byte_register(const struct vgic_dist *dist, uint32_t offset)
{
    if (in_range(offset, GICD_IPRIORITYR, GICD_IPRIORITYR + VGIC_IRQS))
        return dist->priority[offset - GICD_IPRIORITYR];
    if (in_range(offset, GICD_ITARGETSR, GICD_ITARGETSR + VGIC_PRIVATE_IRQS))
        return CPU0;
    /* One byte per SGI, one bit per source CPU: only CPU 0 can send. */
    if (in_range(offset, GICD_CPENDSGIR, GICD_CPENDSGIR + GIC_SGI_COUNT))
        return test_bit(dist->latched, offset - GICD_CPENDSGIR) ? CPU0 : 0;
    if (in_range(offset, GICD_SPENDSGIR, GICD_SPENDSGIR + GIC_SGI_COUNT))
        return test_bit(dist->latched, offset - GICD_SPENDSGIR) ? CPU0 : 0;
    return 0;
}

static void write_byte_register(struct vgic_dist *dist, uint32_t offset, uint8_t value)
{
    if (in_range(offset, GICD_IPRIORITYR, GICD_IPRIORITYR + VGIC_IRQS)) {
        dist->priority[offset - GICD_IPRIORITYR] = value & VGIC_PRIORITY_MASK;
    } else if (in_range(offset, GICD_CPENDSGIR, GICD_CPENDSGIR + GIC_SGI_COUNT)) {
        if (value & CPU0)
            clear_bit(dist->latched, offset - GICD_CPENDSGIR);
    } else if (in_range(offset, GICD_SPENDSGIR, GICD_SPENDSGIR + GIC_SGI_COUNT)) {
        if (value & CPU0)
            set_bit(dist->latched, offset - GICD_SPENDSGIR);
    }
}

/* --- word registers ----------------------------------------------------- */

/* The bitmap behind a set/clear register pair, or NULL past the irqs we have. */
static uint32_t *bitmap_word(uint32_t *bitmap, uint32_t offset, uint32_t base)
{
    uint32_t word = (offset - base) / 4;
    return word < VGIC_WORDS ? &bitmap[word] : NULL;
}

/* ICFGR packs two bits per irq; only the upper one (edge) is defined in GICv2.
 * SGIs read 0b10 each (edge), from the edge bits set at init. */
static uint32_t config_read(const struct vgic_dist *dist, uint32_t index)
{
    uint32_t value = 0;

    if (index >= VGIC_IRQS / 16)
        return 0;
    for (uint32_t i = 0; i < 16; i++)
        if (test_bit(dist->edge, index * 16 + i))
            value |= 2u << (2 * i);
    return value;
}

/* SGIs are always edge; PPIs are fixed level (as on GIC-400), which also keeps
 * the virtual timer's EOI reported to the VMM. Only SPIs are programmable,
 * except resampled lines: fixed level (the specification lets an SPI's
 * configuration be read-only), as their host interrupt is acked only
 * after an EOI, which the guest is told of for level irqs alone. */
static void config_write(struct vgic_dist *dist, uint32_t index, uint32_t value)
{
    if (index < VGIC_PRIVATE_IRQS / 16 || index >= VGIC_IRQS / 16)
        return;
    for (uint32_t i = 0; i < 16; i++) {
        uint32_t irq = index * 16 + i;
        if (test_bit(dist->resample, irq))
            continue;
        if (value & (2u << (2 * i)))
            set_bit(dist->edge, irq);
        else
            clear_bit(dist->edge, irq);
    }
}

static uint32_t read_pending_word(const struct vgic_dist *dist, uint32_t offset, uint32_t base)
{
    uint32_t word = (offset - base) / 4;
    return word < VGIC_WORDS ? pending_word(dist, word) : 0;
}

static uint32_t read_bitmap(uint32_t *bitmap, uint32_t offset, uint32_t base)
{
    uint32_t *word = bitmap_word(bitmap, offset, base);
    return word != NULL ? *word : 0;
}

static void set_bits(uint32_t *bitmap, uint32_t offset, uint32_t base, uint32_t bits)
{
    uint32_t *word = bitmap_word(bitmap, offset, base);
    if (word != NULL)
        *word |= bits;
}

static void clear_bits(uint32_t *bitmap, uint32_t offset, uint32_t base, uint32_t bits)
{
    uint32_t *word = bitmap_word(bitmap, offset, base);
    if (word != NULL)
        *word &= ~bits;
}

/* Writes to ISPENDR/ICPENDR cannot change SGIs (GICv2: use S/CPENDSGIR). */
static uint32_t without_sgis(uint32_t offset, uint32_t base, uint32_t bits)
{
    return offset == base ? bits & ~((1u << GIC_SGI_COUNT) - 1) : bits;
}

static uint32_t read_word_register(struct vgic_dist *dist, uint32_t offset)
{
    if (offset == GICD_CTLR)
        return dist->enabled ? GICD_CTLR_ENABLE : 0;
    if (offset == GICD_TYPER)
        return TYPER_VALUE;
    if (offset == GICD_IIDR)
        return IIDR_VALUE;
    if (in_range(offset, GICD_ISENABLER, GICD_ICENABLER))
        return read_bitmap(dist->irq_enabled, offset, GICD_ISENABLER);
    if (in_range(offset, GICD_ICENABLER, GICD_ISPENDR))
        return read_bitmap(dist->irq_enabled, offset, GICD_ICENABLER);
    if (in_range(offset, GICD_ISPENDR, GICD_ICPENDR))
        return read_pending_word(dist, offset, GICD_ISPENDR);
    if (in_range(offset, GICD_ICPENDR, GICD_ISACTIVER))
        return read_pending_word(dist, offset, GICD_ICPENDR);
    if (in_range(offset, GICD_ISACTIVER, GICD_ICACTIVER))
        return read_bitmap(dist->active, offset, GICD_ISACTIVER);
    if (in_range(offset, GICD_ICACTIVER, GICD_IPRIORITYR))
        return read_bitmap(dist->active, offset, GICD_ICACTIVER);
    if (in_range(offset, GICD_ICFGR, GICD_ICFGR + 0x100))
        return config_read(dist, (offset - GICD_ICFGR) / 4);
    if (offset >= GICD_PIDR4)
        return id_registers[(offset - GICD_PIDR4) / 4];
    return 0;   /* IGROUPR (one group), SGIR (write-only) */
}

static void send_sgi(struct vgic_dist *dist, uint32_t value)
{
    uint32_t filter = GICD_SGIR_FILTER(value);
    uint32_t target_list = GICD_SGIR_TARGETS(value);
    /* Filter 1 ("all but self") names no CPU when there is only one. */
    bool to_cpu0 = (filter == GICD_SGIR_FILTER_LIST && (target_list & CPU0)) ||
                   filter == GICD_SGIR_FILTER_SELF;

    if (to_cpu0)
        set_bit(dist->latched, GICD_SGIR_ID(value));
}

static void write_word_register(struct vgic_dist *dist, uint32_t offset, uint32_t value)
{
    if (offset == GICD_CTLR)
        dist->enabled = (value & GICD_CTLR_ENABLE) != 0;
    else if (in_range(offset, GICD_ISENABLER, GICD_ICENABLER))
        set_bits(dist->irq_enabled, offset, GICD_ISENABLER, value);
    else if (in_range(offset, GICD_ICENABLER, GICD_ISPENDR))
        clear_bits(dist->irq_enabled, offset, GICD_ICENABLER, value);
    else if (in_range(offset, GICD_ISPENDR, GICD_ICPENDR))
        set_bits(dist->latched, offset, GICD_ISPENDR, without_sgis(offset, GICD_ISPENDR, value));
    else if (in_range(offset, GICD_ICPENDR, GICD_ISACTIVER))
        clear_bits(dist->latched, offset, GICD_ICPENDR, without_sgis(offset, GICD_ICPENDR, value));
    else if (in_range(offset, GICD_ISACTIVER, GICD_ICACTIVER))
        set_bits(dist->active, offset, GICD_ISACTIVER, value);
    else if (in_range(offset, GICD_ICACTIVER, GICD_IPRIORITYR))
        clear_bits(dist->active, offset, GICD_ICACTIVER, value);
    else if (in_range(offset, GICD_ICFGR, GICD_ICFGR + 0x100))
        config_write(dist, (offset - GICD_ICFGR) / 4, value);
    else if (offset == GICD_SGIR)
        send_sgi(dist, value);
}

/* --- interface ---------------------------------------------------------- */

void vgic_dist_init(struct vgic_dist *dist, const struct vgic_ops *ops)
{
    *dist = (struct vgic_dist){ .ops = *ops };
    dist->edge[0] = (1u << GIC_SGI_COUNT) - 1;   /* SGIs */
}

void vgic_dist_read(struct vgic_dist *dist, uint32_t offset, uint32_t size, uint32_t *value)
{
    *value = 0;
    if (!access_defined(offset, size))
        return;
    switch (kind_of(offset)) {
    case REGISTER_WORD:
        *value = read_word_register(dist, offset);
        break;
    case REGISTER_BYTE_OR_WORD:
        for (uint32_t i = 0; i < size; i++)
            *value |= (uint32_t)read_byte_register(dist, offset + i) << (8 * i);
        break;
    default:
        break;
    }
}

void vgic_dist_write(struct vgic_dist *dist, uint32_t offset, uint32_t size, uint32_t value)
{
    if (!access_defined(offset, size))
        return;
    uint32_t before[VGIC_WORDS];
    for (uint32_t word = 0; word < VGIC_WORDS; word++)
        before[word] = deliverable_word(dist, word);
    switch (kind_of(offset)) {
    case REGISTER_WORD:
        write_word_register(dist, offset, value);
        break;
    case REGISTER_BYTE_OR_WORD:
        for (uint32_t i = 0; i < size; i++)
            write_byte_register(dist, offset + i, (uint8_t)(value >> (8 * i)));
        break;
    default:
        break;
    }
    resample_newly_deliverable(dist, before);
    deliver(dist);
}

void vgic_dist_set_line(struct vgic_dist *dist, uint32_t irq, bool high)
{
    if (irq >= VGIC_IRQS)
        return;
    if (high && !test_bit(dist->line, irq) && test_bit(dist->edge, irq))
        set_bit(dist->latched, irq);
    if (high)
        set_bit(dist->line, irq);
    else
        clear_bit(dist->line, irq);
    deliver(dist);
}

void vgic_dist_set_edge(struct vgic_dist *dist, uint32_t irq)
{
    if (irq >= VGIC_PRIVATE_IRQS && irq < VGIC_IRQS && !test_bit(dist->resample, irq))
        set_bit(dist->edge, irq);
}

void vgic_dist_set_resample(struct vgic_dist *dist, uint32_t irq)
{
    if (irq >= VGIC_PRIVATE_IRQS && irq < VGIC_IRQS) {
        set_bit(dist->resample, irq);
        clear_bit(dist->edge, irq);
    }
}

void vgic_dist_pulse(struct vgic_dist *dist, uint32_t irq)
{
    if (irq >= VGIC_IRQS)
        return;
    set_bit(dist->latched, irq);
    deliver(dist);
}

void vgic_dist_eoi(struct vgic_dist *dist, uint32_t irq)
{
    if (irq >= VGIC_IRQS)
        return;
    clear_bit(dist->active, irq);
    deliver(dist);
}

void vgic_dist_retry(struct vgic_dist *dist)
{
    deliver(dist);
}
