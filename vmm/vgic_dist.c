/* GICv2 distributor emulation: the GICD_* registers an unmodified Linux gic
 * driver programs, banked per vCPU for SGIs and PPIs, and the rule that
 * turns pending, enabled irqs into list registers of the vCPU each is
 * routed to: a private irq to its own vCPU, an SPI to the first vCPU its
 * ITARGETSR names. */
#include "core/gicv2.h"
#include "vgic_dist.h"

/* IIDR: implementer ARM (JEP106 0x43b) and product id 'O' for Opal, so a guest
 * can tell the model from silicon if it ever needs to. */
#define IIDR_VALUE      0x4f00043bu
#define TYPER_CPUS(count) (((count) - 1u) << 5)   /* TYPER.CPUNumber */
#define GICD_SGIR_FILTER_OTHERS 1u
#define NO_CPU          VGIC_MAX_CPUS

/* GIC-400's identification registers: PIDR2 0x2b says ArchRev 2 (GICv2). */
static const uint8_t id_registers[12] = {
    0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1,
};

_Static_assert(VGIC_SGIS == GIC_SGI_COUNT, "one SGI count");

/* --- where each irq's state is ------------------------------------------- */

static uint32_t bit(uint32_t irq)
{
    return 1u << (irq % 32);
}

/* The word of `irq` as vCPU `cpu` sees it: its own bank for SGIs and PPIs. */
static struct vgic_bits *bits_of(struct vgic_dist *dist, uint32_t cpu, uint32_t word)
{
    return word == 0 ? &dist->banked[cpu] : &dist->shared[word];
}

static uint8_t *priority_of(struct vgic_dist *dist, uint32_t cpu, uint32_t irq)
{
    return irq < VGIC_PRIVATE_IRQS ? &dist->banked_priority[cpu][irq] : &dist->priority[irq];
}

/* The vCPUs the model has, as a CPU mask. */
static uint32_t cpu_mask(const struct vgic_dist *dist)
{
    return (1u << dist->cpu_count) - 1u;
}

/* A uniprocessor GIC has no targets to program: every SPI goes to its one
 * CPU, and the SPIs' ITARGETSR are RAZ/WI (IHI 0048B, 4.3.12). */
static bool uniprocessor(const struct vgic_dist *dist)
{
    return dist->cpu_count == 1;
}

/* The vCPU an SPI goes to: the first its targets name, or NO_CPU. */
static uint32_t spi_cpu(const struct vgic_dist *dist, uint32_t irq)
{
    if (uniprocessor(dist))
        return 0;
    uint32_t targets = dist->targets[irq] & cpu_mask(dist);
    return targets != 0 ? (uint32_t)__builtin_ctz(targets) : NO_CPU;
}

/* Level irqs are pending while their line is high; either kind while latched. */
static uint32_t pending_bits(const struct vgic_bits *bits)
{
    return bits->latched | (bits->line & ~bits->edge);
}

static uint32_t ready_bits(const struct vgic_dist *dist, const struct vgic_bits *bits)
{
    return dist->enabled ? bits->enabled & pending_bits(bits) & ~bits->active : 0;
}

/* Of the SPIs `spis` of `word`, those routed to vCPU `cpu`. */
static uint32_t routed_to(const struct vgic_dist *dist, uint32_t cpu, uint32_t word, uint32_t spis)
{
    uint32_t routed = 0;
    for (uint32_t rest = spis; rest != 0; rest &= rest - 1) {
        uint32_t i = (uint32_t)__builtin_ctz(rest);
        if (spi_cpu(dist, word * 32 + i) == cpu)
            routed |= 1u << i;
    }
    return routed;
}

static uint32_t deliverable_word(struct vgic_dist *dist, uint32_t cpu, uint32_t word)
{
    uint32_t ready = ready_bits(dist, bits_of(dist, cpu, word));
    return word == 0 ? ready : routed_to(dist, cpu, word, ready);
}

/* --- delivery ----------------------------------------------------------- */

/* The deliverable irq vCPU `cpu` should see first: lowest priority value,
 * then lowest number (as the GIC picks). VGIC_IRQS if there is none. */
static uint32_t most_urgent_deliverable(struct vgic_dist *dist, uint32_t cpu)
{
    uint32_t best = VGIC_IRQS;
    for (uint32_t word = 0; word < VGIC_WORDS; word++) {
        uint32_t pending = deliverable_word(dist, cpu, word);
        while (pending != 0) {
            uint32_t irq = word * 32 + (uint32_t)__builtin_ctz(pending);
            pending &= pending - 1;
            if (best == VGIC_IRQS || *priority_of(dist, cpu, irq) < *priority_of(dist, cpu, best))
                best = irq;
        }
    }
    return best;
}

/* Hands irq to a list register of `cpu`. A level irq then stays active (not
 * offered again) until its EOI; an edge irq's pending state moves into the
 * list register, so the next edge is a new offer (an SGI's senders merge). */
static bool offer(struct vgic_dist *dist, uint32_t cpu, uint32_t irq)
{
    struct vgic_bits *bits = bits_of(dist, cpu, irq / 32);
    bool level = !(bits->edge & bit(irq));
    if (dist->ops.inject(dist->ops.context, cpu, irq, *priority_of(dist, cpu, irq), level) != 0)
        return false;
    bits->latched &= ~bit(irq);
    if (irq < VGIC_SGIS)
        dist->sgi_sources[cpu][irq] = 0;
    if (level)
        bits->active |= bit(irq);
    return true;
}

/* Called after every change of state. Each vCPU stops at its first
 * refusal: its list registers are all busy, and vgic_dist_retry() resumes
 * in priority order. */
static void deliver(struct vgic_dist *dist)
{
    dist->refused = false;
    for (uint32_t cpu = 0; cpu < dist->cpu_count; cpu++)
        for (;;) {
            uint32_t irq = most_urgent_deliverable(dist, cpu);
            if (irq == VGIC_IRQS)
                break;
            if (!offer(dist, cpu, irq)) {
                dist->refused = true;
                break;
            }
        }
}

/* The SPIs of each word that could be delivered, for resampling. */
static void spis_ready(struct vgic_dist *dist, uint32_t ready[VGIC_WORDS])
{
    ready[0] = 0;
    for (uint32_t word = 1; word < VGIC_WORDS; word++)
        ready[word] = ready_bits(dist, &dist->shared[word]);
}

/* A line the VMM only hears rise (a passthrough interrupt's: the host's
 * stays masked from its firing until the VMM acks it) may have fallen since:
 * the guest may have served the device while the irq was disabled. When a
 * guest write makes such an irq deliverable again, the line is taken low
 * and the VMM asked to look again (ack the host's), which raises it anew
 * if the device still asserts it; so the guest sees the device's state
 * now, as from a GIC sampling the wire, not a stale one. Resampled lines
 * are SPIs. */
static void resample_newly_ready(struct vgic_dist *dist, const uint32_t before[VGIC_WORDS])
{
    uint32_t now[VGIC_WORDS];
    if (dist->ops.resample == NULL)
        return;
    spis_ready(dist, now);
    for (uint32_t word = 1; word < VGIC_WORDS; word++) {
        struct vgic_bits *bits = &dist->shared[word];
        uint32_t lines = now[word] & ~before[word] & bits->resample & bits->line;
        while (lines != 0) {
            uint32_t irq = word * 32 + (uint32_t)__builtin_ctz(lines);
            lines &= lines - 1;
            bits->line &= ~bit(irq);
            dist->ops.resample(dist->ops.context, irq);
        }
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

/* ITARGETSR0-7 are read-only and name the vCPU reading them (4.3.12); an
 * SPI's byte holds its targets, bits of vCPUs the model lacks RAZ/WI
 * (all of them with one vCPU).
 * C/SPENDSGIR: one byte per SGI of the reading vCPU, one bit per sender. */
static uint8_t read_byte_register(struct vgic_dist *dist, uint32_t cpu, uint32_t offset)
{
    if (in_range(offset, GICD_IPRIORITYR, GICD_IPRIORITYR + VGIC_IRQS))
        return *priority_of(dist, cpu, offset - GICD_IPRIORITYR);
    if (in_range(offset, GICD_ITARGETSR, GICD_ITARGETSR + VGIC_PRIVATE_IRQS))
        return (uint8_t)(1u << cpu);
    if (in_range(offset, GICD_ITARGETSR, GICD_ITARGETSR + VGIC_IRQS))
        return uniprocessor(dist) ? 0 : dist->targets[offset - GICD_ITARGETSR];
    if (in_range(offset, GICD_CPENDSGIR, GICD_CPENDSGIR + VGIC_SGIS))
        return dist->sgi_sources[cpu][offset - GICD_CPENDSGIR];
    if (in_range(offset, GICD_SPENDSGIR, GICD_SPENDSGIR + VGIC_SGIS))
        return dist->sgi_sources[cpu][offset - GICD_SPENDSGIR];
    return 0;
}

/* SGI `sgi` of vCPU `cpu` pending from the senders in `sources` (none: not). */
static void set_sgi_sources(struct vgic_dist *dist, uint32_t cpu, uint32_t sgi, uint32_t sources)
{
    dist->sgi_sources[cpu][sgi] = (uint8_t)(sources & cpu_mask(dist));
    if (dist->sgi_sources[cpu][sgi] != 0)
        dist->banked[cpu].latched |= bit(sgi);
    else
        dist->banked[cpu].latched &= ~bit(sgi);
}

static void write_byte_register(struct vgic_dist *dist, uint32_t cpu, uint32_t offset,
                                uint8_t value)
{
    if (in_range(offset, GICD_IPRIORITYR, GICD_IPRIORITYR + VGIC_IRQS)) {
        *priority_of(dist, cpu, offset - GICD_IPRIORITYR) = value & VGIC_PRIORITY_MASK;
    } else if (in_range(offset, GICD_ITARGETSR + VGIC_PRIVATE_IRQS, GICD_ITARGETSR + VGIC_IRQS) &&
               !uniprocessor(dist)) {
        dist->targets[offset - GICD_ITARGETSR] = (uint8_t)(value & cpu_mask(dist));
    } else if (in_range(offset, GICD_CPENDSGIR, GICD_CPENDSGIR + VGIC_SGIS)) {
        uint32_t sgi = offset - GICD_CPENDSGIR;
        set_sgi_sources(dist, cpu, sgi, dist->sgi_sources[cpu][sgi] & ~(uint32_t)value);
    } else if (in_range(offset, GICD_SPENDSGIR, GICD_SPENDSGIR + VGIC_SGIS)) {
        uint32_t sgi = offset - GICD_SPENDSGIR;
        set_sgi_sources(dist, cpu, sgi, dist->sgi_sources[cpu][sgi] | value);
    }
}

/* --- word registers ----------------------------------------------------- */

/* Set/clear register pairs: which word of which vgic_bits field. */
enum bits_field { FIELD_ENABLED, FIELD_LATCHED, FIELD_ACTIVE };

/* The word behind a set/clear register at `offset` (from `base`) as vCPU
 * `cpu` sees it, or NULL past the irqs the model has. */
static uint32_t *field_word(struct vgic_dist *dist, uint32_t cpu, uint32_t offset, uint32_t base,
                            enum bits_field field)
{
    uint32_t word = (offset - base) / 4;
    if (word >= VGIC_WORDS)
        return NULL;
    struct vgic_bits *bits = bits_of(dist, cpu, word);
    return field == FIELD_ENABLED ? &bits->enabled
         : field == FIELD_LATCHED ? &bits->latched : &bits->active;
}

/* ICFGR packs two bits per irq; only the upper one (edge) is defined in GICv2.
 * SGIs read 0b10 each (edge), from the edge bits set at init. */
static uint32_t config_read(struct vgic_dist *dist, uint32_t cpu, uint32_t index)
{
    uint32_t value = 0;
    if (index >= VGIC_IRQS / 16)
        return 0;
    const struct vgic_bits *bits = bits_of(dist, cpu, index / 2);
    for (uint32_t i = 0; i < 16; i++)
        if (bits->edge & bit(index * 16 + i))
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
    struct vgic_bits *bits = &dist->shared[index / 2];
    for (uint32_t i = 0; i < 16; i++) {
        uint32_t irq = index * 16 + i;
        if (bits->resample & bit(irq))
            continue;
        if (value & (2u << (2 * i)))
            bits->edge |= bit(irq);
        else
            bits->edge &= ~bit(irq);
    }
}

static uint32_t read_pending_word(struct vgic_dist *dist, uint32_t cpu, uint32_t offset,
                                  uint32_t base)
{
    uint32_t word = (offset - base) / 4;
    return word < VGIC_WORDS ? pending_bits(bits_of(dist, cpu, word)) : 0;
}

static uint32_t read_field(struct vgic_dist *dist, uint32_t cpu, uint32_t offset, uint32_t base,
                           enum bits_field field)
{
    uint32_t *word = field_word(dist, cpu, offset, base, field);
    return word != NULL ? *word : 0;
}

static void change_field(struct vgic_dist *dist, uint32_t cpu, uint32_t offset, uint32_t base,
                         enum bits_field field, uint32_t bits, bool set)
{
    uint32_t *word = field_word(dist, cpu, offset, base, field);
    if (word != NULL)
        *word = set ? *word | bits : *word & ~bits;
}

/* Writes to ISPENDR/ICPENDR cannot change SGIs (GICv2: use S/CPENDSGIR). */
static uint32_t without_sgis(uint32_t offset, uint32_t base, uint32_t bits)
{
    return offset == base ? bits & ~((1u << VGIC_SGIS) - 1) : bits;
}

static uint32_t read_word_register(struct vgic_dist *dist, uint32_t cpu, uint32_t offset)
{
    if (offset == GICD_CTLR)
        return dist->enabled ? GICD_CTLR_ENABLE : 0;
    if (offset == GICD_TYPER)
        return TYPER_CPUS(dist->cpu_count) | (VGIC_WORDS - 1u);
    if (offset == GICD_IIDR)
        return IIDR_VALUE;
    if (in_range(offset, GICD_ISENABLER, GICD_ICENABLER))
        return read_field(dist, cpu, offset, GICD_ISENABLER, FIELD_ENABLED);
    if (in_range(offset, GICD_ICENABLER, GICD_ISPENDR))
        return read_field(dist, cpu, offset, GICD_ICENABLER, FIELD_ENABLED);
    if (in_range(offset, GICD_ISPENDR, GICD_ICPENDR))
        return read_pending_word(dist, cpu, offset, GICD_ISPENDR);
    if (in_range(offset, GICD_ICPENDR, GICD_ISACTIVER))
        return read_pending_word(dist, cpu, offset, GICD_ICPENDR);
    if (in_range(offset, GICD_ISACTIVER, GICD_ICACTIVER))
        return read_field(dist, cpu, offset, GICD_ISACTIVER, FIELD_ACTIVE);
    if (in_range(offset, GICD_ICACTIVER, GICD_IPRIORITYR))
        return read_field(dist, cpu, offset, GICD_ICACTIVER, FIELD_ACTIVE);
    if (in_range(offset, GICD_ICFGR, GICD_ICFGR + 0x100))
        return config_read(dist, cpu, (offset - GICD_ICFGR) / 4);
    if (offset >= GICD_PIDR4)
        return id_registers[(offset - GICD_PIDR4) / 4];
    return 0;   /* IGROUPR (one group), SGIR (write-only) */
}

/* GICD_SGIR from vCPU `self`: to the listed vCPUs, all but self, or self
 * (filter 3 is reserved: nothing). vCPUs the model lacks are ignored. */
static void send_sgi(struct vgic_dist *dist, uint32_t self, uint32_t value)
{
    uint32_t filter = GICD_SGIR_FILTER(value), sgi = GICD_SGIR_ID(value);
    uint32_t targets = filter == GICD_SGIR_FILTER_LIST ? GICD_SGIR_TARGETS(value)
                     : filter == GICD_SGIR_FILTER_OTHERS ? ~(1u << self)
                     : filter == GICD_SGIR_FILTER_SELF ? 1u << self : 0;
    targets &= cpu_mask(dist);
    for (uint32_t cpu = 0; cpu < dist->cpu_count; cpu++)
        if (targets & (1u << cpu))
            set_sgi_sources(dist, cpu, sgi, dist->sgi_sources[cpu][sgi] | 1u << self);
}

static void write_word_register(struct vgic_dist *dist, uint32_t cpu, uint32_t offset,
                                uint32_t value)
{
    if (offset == GICD_CTLR)
        dist->enabled = (value & GICD_CTLR_ENABLE) != 0;
    else if (in_range(offset, GICD_ISENABLER, GICD_ICENABLER))
        change_field(dist, cpu, offset, GICD_ISENABLER, FIELD_ENABLED, value, true);
    else if (in_range(offset, GICD_ICENABLER, GICD_ISPENDR))
        change_field(dist, cpu, offset, GICD_ICENABLER, FIELD_ENABLED, value, false);
    else if (in_range(offset, GICD_ISPENDR, GICD_ICPENDR))
        change_field(dist, cpu, offset, GICD_ISPENDR, FIELD_LATCHED,
                     without_sgis(offset, GICD_ISPENDR, value), true);
    else if (in_range(offset, GICD_ICPENDR, GICD_ISACTIVER))
        change_field(dist, cpu, offset, GICD_ICPENDR, FIELD_LATCHED,
                     without_sgis(offset, GICD_ICPENDR, value), false);
    else if (in_range(offset, GICD_ISACTIVER, GICD_ICACTIVER))
        change_field(dist, cpu, offset, GICD_ISACTIVER, FIELD_ACTIVE, value, true);
    else if (in_range(offset, GICD_ICACTIVER, GICD_IPRIORITYR))
        change_field(dist, cpu, offset, GICD_ICACTIVER, FIELD_ACTIVE, value, false);
    else if (in_range(offset, GICD_ICFGR, GICD_ICFGR + 0x100))
        config_write(dist, (offset - GICD_ICFGR) / 4, value);
    else if (offset == GICD_SGIR)
        send_sgi(dist, cpu, value);
}

/* --- interface ---------------------------------------------------------- */

void vgic_dist_init(struct vgic_dist *dist, const struct vgic_ops *ops, uint32_t cpus)
{
    *dist = (struct vgic_dist){ .ops = *ops };
    dist->cpu_count = cpus >= 1 && cpus <= VGIC_MAX_CPUS ? cpus : 1;
    for (uint32_t cpu = 0; cpu < VGIC_MAX_CPUS; cpu++)
        dist->banked[cpu].edge = (1u << VGIC_SGIS) - 1;   /* SGIs */
    for (uint32_t irq = VGIC_PRIVATE_IRQS; irq < VGIC_IRQS; irq++)
        dist->targets[irq] = 1;
}

void vgic_dist_read(struct vgic_dist *dist, uint32_t cpu, uint32_t offset, uint32_t size,
                    uint32_t *value)
{
    *value = 0;
    if (cpu >= dist->cpu_count || !access_defined(offset, size))
        return;
    switch (kind_of(offset)) {
    case REGISTER_WORD:
        *value = read_word_register(dist, cpu, offset);
        break;
    case REGISTER_BYTE_OR_WORD:
        for (uint32_t i = 0; i < size; i++)
            *value |= (uint32_t)read_byte_register(dist, cpu, offset + i) << (8 * i);
        break;
    default:
        break;
    }
}

void vgic_dist_write(struct vgic_dist *dist, uint32_t cpu, uint32_t offset, uint32_t size,
                     uint32_t value)
{
    if (cpu >= dist->cpu_count || !access_defined(offset, size))
        return;
    uint32_t before[VGIC_WORDS];
    spis_ready(dist, before);
    switch (kind_of(offset)) {
    case REGISTER_WORD:
        write_word_register(dist, cpu, offset, value);
        break;
    case REGISTER_BYTE_OR_WORD:
        for (uint32_t i = 0; i < size; i++)
            write_byte_register(dist, cpu, offset + i, (uint8_t)(value >> (8 * i)));
        break;
    default:
        break;
    }
    resample_newly_ready(dist, before);
    deliver(dist);
}

void vgic_dist_set_line(struct vgic_dist *dist, uint32_t irq, bool high)
{
    if (irq >= VGIC_IRQS)
        return;
    struct vgic_bits *bits = bits_of(dist, 0, irq / 32);
    if (high && !(bits->line & bit(irq)) && (bits->edge & bit(irq)))
        bits->latched |= bit(irq);
    bits->line = high ? bits->line | bit(irq) : bits->line & ~bit(irq);
    deliver(dist);
}

void vgic_dist_set_edge(struct vgic_dist *dist, uint32_t irq)
{
    if (irq < VGIC_PRIVATE_IRQS || irq >= VGIC_IRQS)
        return;
    struct vgic_bits *bits = &dist->shared[irq / 32];
    if (!(bits->resample & bit(irq)))
        bits->edge |= bit(irq);
}

void vgic_dist_set_resample(struct vgic_dist *dist, uint32_t irq)
{
    if (irq < VGIC_PRIVATE_IRQS || irq >= VGIC_IRQS)
        return;
    struct vgic_bits *bits = &dist->shared[irq / 32];
    bits->resample |= bit(irq);
    bits->edge &= ~bit(irq);
}

void vgic_dist_pulse(struct vgic_dist *dist, uint32_t irq)
{
    if (irq >= VGIC_IRQS)
        return;
    bits_of(dist, 0, irq / 32)->latched |= bit(irq);
    if (irq < VGIC_SGIS)
        dist->sgi_sources[0][irq] |= 1;
    deliver(dist);
}

void vgic_dist_eoi(struct vgic_dist *dist, uint32_t cpu, uint32_t irq)
{
    if (irq >= VGIC_IRQS || cpu >= dist->cpu_count)
        return;
    bits_of(dist, cpu, irq / 32)->active &= ~bit(irq);
    deliver(dist);
}

void vgic_dist_redeliver(struct vgic_dist *dist)
{
    deliver(dist);
}
