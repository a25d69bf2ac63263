/* The guest device-tree generator (system_guest_dtb.h): a small DTB writer
 * that merges the user's fragment in while it writes the generated nodes. */
#include "core/system_guest_dtb.h"

#include <stdbool.h>

#include "core/fdt.h"
#include "core/fdt_format.h"
#include "core/format.h"
#include "core/gicv2.h"
#include "core/string.h"
#include "opal/error.h"
#include "runtime/mem.h"

/* The structure block starts after the header and the reservation map's
 * terminator (offset 40: 8-byte aligned, as the map must be). */
#define STRUCT_START (FDT_HEADER_SIZE + FDT_RSVMAP_ENTRY)

/* The architectural sizes of the devices (see the header; the GIC's in
 * core/gicv2.h). */
#define UART_SIZE 0x1000u

/* Interrupt specifier <type number flags> of the arm,cortex-a15-gic binding. */
#define IRQ_TYPE_SPI 0u
#define IRQ_TYPE_PPI 1u
#define IRQ_EDGE_RISING 1u
#define IRQ_LEVEL_HIGH 4u
#define IRQ_PPI_CPU0 0x100u   /* a PPI's CPU mask, bits 8-15: bit 8 + k for vCPU k */

/* Writer limits. They bound what the generator itself emits, so exceeding one
 * is a bug here, never the caller's input. */
#define MAX_GENERATED_PROPS 8          /* per node */
#define MAX_GENERATED_NODES (10 + SYSTEM_MAX_VCPUS + 2 * SYSTEM_MAX_CHANNELS + SYSTEM_MAX_DEVICES)
#define MAX_CELLS (3 * SYSTEM_MAX_IRQS)
#define NODE_NAME_MAX 32               /* "passthrough@ffffffff" and the like */

/*
 * The tree is written twice by the same code. The first pass only measures
 * the structure block and collects the property names into a strings block
 * at the start of the buffer; the strings then move to their place after the
 * structure block and the second pass writes the structure in front of them.
 * So the whole buffer is the only memory used, and a tree that does not fit
 * is found before any of its structure is written.
 */
struct writer {
    uint8_t *buffer;
    uint32_t capacity;
    bool measuring;              /* first pass */
    int error;                   /* the first one; every call is a no-op after it */
    uint32_t struct_size;        /* bytes of structure block so far */
    uint32_t strings_offset;     /* the strings block, in buffer */
    uint32_t strings_size;
    const struct fdt *fragment;  /* NULL: none */
    int depth;                   /* of the open node; -1 before the root */
    /* Per open node: the fragment node merged into it (-1: none), and
     * whether the fragment's extra properties are out (then only subnodes
     * may follow). */
    int counterpart[GUEST_DTB_MAX_DEPTH];
    bool flushed[GUEST_DTB_MAX_DEPTH];
    /* The names of the properties the generator gave the open node: the
     * fragment's properties of these names were written in their place. */
    const char *generated[MAX_GENERATED_PROPS];
    uint32_t generated_count;
    /* Fragment nodes merged into generated ones: not to be added again. */
    int matched[MAX_GENERATED_NODES];
    uint32_t matched_count;
};

static void writer_start(struct writer *w, bool measuring, uint32_t strings_offset,
                         uint32_t strings_size)
{
    w->measuring = measuring;
    w->error = OPAL_OK;
    w->struct_size = 0;
    w->strings_offset = strings_offset;
    w->strings_size = strings_size;
    w->depth = -1;
    w->generated_count = 0;
    w->matched_count = 0;
}

static void fail(struct writer *w, int error)
{
    if (w->error == OPAL_OK)
        w->error = error;
}

/* Appends to the structure block, zero-padded to 4 bytes. */
static void emit(struct writer *w, const void *data, uint32_t length)
{
    uint32_t padded = (uint32_t)align4(length);

    if (w->error != OPAL_OK)
        return;
    if (!w->measuring) {
        /* The first pass sized this exactly; the check guards the strings. */
        if ((uint64_t)STRUCT_START + w->struct_size + padded > w->strings_offset) {
            fail(w, OPAL_ERR_RANGE);
            return;
        }
        uint8_t *at = w->buffer + STRUCT_START + w->struct_size;
        if (length > 0)
            memcpy(at, data, length);
        memset(at + length, 0, padded - length);
    }
    w->struct_size += padded;
}

static void emit_u32(struct writer *w, uint32_t value)
{
    uint8_t cell[4];

    put_be32(cell, value);
    emit(w, cell, 4);
}

/* A name's offset in the strings block, reusing any identical tail (a
 * nameoff may point into the middle of a longer name); -1 if absent. */
static int64_t find_string(const struct writer *w, const char *name, uint32_t length)
{
    const uint8_t *strings = w->buffer + w->strings_offset;

    for (uint32_t i = 0; i + length + 1 <= w->strings_size; i++)
        if (core_memcmp(strings + i, name, length + 1) == 0)
            return i;
    return -1;
}

/* The name's offset; the first pass adds it if new. */
static uint32_t string_offset(struct writer *w, const char *name)
{
    uint32_t length = (uint32_t)core_strlen(name);
    int64_t found = find_string(w, name, length);

    if (found >= 0)
        return (uint32_t)found;
    if (!w->measuring) {
        fail(w, OPAL_ERR_RANGE);   /* the first pass added every name */
        return 0;
    }
    uint32_t offset = w->strings_size;
    if ((uint64_t)w->strings_offset + offset + length + 1 > w->capacity) {
        fail(w, OPAL_ERR_TRUNCATED);
        return 0;
    }
    memcpy(w->buffer + w->strings_offset + offset, name, length + 1);
    w->strings_size += length + 1;
    return offset;
}

static void write_property(struct writer *w, const char *name, const void *value,
                           uint32_t length)
{
    uint32_t name_offset = string_offset(w, name);

    emit_u32(w, FDT_PROP);
    emit_u32(w, length);
    emit_u32(w, name_offset);
    emit(w, value, length);
}

/* ---- the fragment ---- */

/* The first child of fragment node `parent` named exactly `name`, or -1. */
static int fragment_child(const struct fdt *fragment, int parent, const char *name)
{
    int depth = 0;
    int node = parent;

    if (fragment == NULL || parent < 0)
        return -1;
    while ((node = fdt_next_node(fragment, node, &depth)) >= 0 && depth > 0)
        if (depth == 1 && core_strcmp(fdt_node_name(fragment, node), name) == 0)
            return node;
    return -1;
}

static bool is_matched(const struct writer *w, int node)
{
    for (uint32_t i = 0; i < w->matched_count; i++)
        if (w->matched[i] == node)
            return true;
    return false;
}

static bool is_generated(const struct writer *w, const char *name)
{
    for (uint32_t i = 0; i < w->generated_count; i++)
        if (core_strcmp(w->generated[i], name) == 0)
            return true;
    return false;
}

/* Writes the open node's fragment properties the generator did not give it;
 * called before its first subnode or its end, whichever comes first. */
static void flush_properties(struct writer *w)
{
    const char *name;
    const void *value;
    uint32_t length;
    int node = w->counterpart[w->depth];

    if (w->flushed[w->depth])
        return;
    w->flushed[w->depth] = true;
    if (node < 0)
        return;
    for (int cursor = 0;
         (cursor = fdt_next_property(w->fragment, node, cursor, &name, &value, &length)) > 0;)
        if (!is_generated(w, name))
            write_property(w, name, value, length);
}

/* ---- nodes and properties, as the generator sees them ---- */

/* Opens a node merged with fragment node `counterpart` (-1: none). */
static void open_node(struct writer *w, const char *name, int counterpart)
{
    if (w->error != OPAL_OK)
        return;
    if (w->depth + 1 >= GUEST_DTB_MAX_DEPTH) {
        fail(w, OPAL_ERR_MALFORMED);   /* check_fragment() bounds the fragment */
        return;
    }
    emit_u32(w, FDT_BEGIN_NODE);
    emit(w, name, (uint32_t)core_strlen(name) + 1);
    w->depth++;
    w->counterpart[w->depth] = counterpart;
    w->flushed[w->depth] = false;
    w->generated_count = 0;
}

static void begin_node(struct writer *w, const char *name)
{
    int counterpart;

    if (w->error != OPAL_OK)
        return;
    if (w->depth < 0) {
        counterpart = w->fragment != NULL ? fdt_next_node(w->fragment, -1, NULL) : -1;
    } else {
        flush_properties(w);
        counterpart = fragment_child(w->fragment, w->counterpart[w->depth], name);
    }
    if (counterpart >= 0) {
        if (w->matched_count == MAX_GENERATED_NODES) {
            fail(w, OPAL_ERR_RANGE);
            return;
        }
        w->matched[w->matched_count++] = counterpart;
    }
    open_node(w, name, counterpart);
}

/* Closes the open node after its fragment subnodes that the generator did
 * not write (all of them, for a node copied from the fragment). Recursion is
 * bounded by GUEST_DTB_MAX_DEPTH. */
static void end_node(struct writer *w)
{
    int depth = 0;
    int node;

    if (w->error != OPAL_OK)
        return;
    flush_properties(w);
    node = w->counterpart[w->depth];
    if (node >= 0) {
        while ((node = fdt_next_node(w->fragment, node, &depth)) >= 0 && depth > 0 &&
               w->error == OPAL_OK)
            if (depth == 1 && !is_matched(w, node)) {
                open_node(w, fdt_node_name(w->fragment, node), node);
                end_node(w);
            }
    }
    emit_u32(w, FDT_END_NODE);
    w->depth--;
}

/* A generated property; the fragment's value wins if it has one. */
static void property(struct writer *w, const char *name, const void *value, uint32_t length)
{
    int node;

    if (w->error != OPAL_OK)
        return;
    if (w->flushed[w->depth] || w->generated_count == MAX_GENERATED_PROPS) {
        fail(w, OPAL_ERR_RANGE);   /* after a subnode, or too many: a bug here */
        return;
    }
    w->generated[w->generated_count++] = name;
    node = w->counterpart[w->depth];
    if (node >= 0) {
        uint32_t fragment_length;
        const void *fragment_value = fdt_property(w->fragment, node, name, &fragment_length);
        if (fragment_value != NULL) {
            value = fragment_value;
            length = fragment_length;
        }
    }
    write_property(w, name, value, length);
}

static void property_string(struct writer *w, const char *name, const char *value)
{
    property(w, name, value, (uint32_t)core_strlen(value) + 1);
}

/* A string list: a literal with embedded NULs ("a\0b"), its size with the
 * final NUL. */
#define property_strings(w, name, list) property(w, name, list, sizeof list)

static void property_cells(struct writer *w, const char *name, const uint32_t *cells,
                           uint32_t count)
{
    uint8_t value[4 * MAX_CELLS];

    if (count > MAX_CELLS) {
        fail(w, OPAL_ERR_RANGE);
        return;
    }
    for (uint32_t i = 0; i < count; i++)
        put_be32(value + 4 * i, cells[i]);
    property(w, name, value, 4 * count);
}

static void property_u32(struct writer *w, const char *name, uint32_t value)
{
    property_cells(w, name, &value, 1);
}

static void property_empty(struct writer *w, const char *name)
{
    property(w, name, NULL, 0);
}

/* ---- the tree ---- */

/* Everything the generator reads, settled before the first pass. */
struct tree {
    const struct system *system;
    const struct system_vm *vm;
    const struct guest_dtb_platform *platform;
    uint32_t initrd_start, initrd_size;
    uint32_t gic_phandle, clock_phandle;
};

static void begin_unit_node(struct writer *w, const char *base_name, uint32_t address)
{
    char name[NODE_NAME_MAX];

    format_string(name, sizeof name, "%s@%x", base_name, (unsigned)address);
    begin_node(w, name);
}

static void emit_chosen(struct writer *w, const struct tree *t)
{
    char alias[NODE_NAME_MAX];

    begin_node(w, "aliases");
    format_string(alias, sizeof alias, "/pl011@%x", (unsigned)t->platform->uart_base);
    property_string(w, "serial0", alias);
    end_node(w);

    begin_node(w, "chosen");
    property_string(w, "stdout-path", "serial0:115200n8");
    property_string(w, "bootargs", t->vm->bootargs);
    if (t->initrd_size > 0) {
        property_u32(w, "linux,initrd-start", t->initrd_start);
        property_u32(w, "linux,initrd-end", t->initrd_start + t->initrd_size);
    }
    end_node(w);
}

static void emit_cpus_and_memory(struct writer *w, const struct tree *t)
{
    begin_node(w, "cpus");
    property_u32(w, "#address-cells", 1);
    property_u32(w, "#size-cells", 0);
    for (uint32_t cpu = 0; cpu < t->vm->vcpus; cpu++) {
        begin_unit_node(w, "cpu", cpu);
        property_string(w, "device_type", "cpu");
        property_string(w, "compatible", "arm,cortex-a15");
        property_u32(w, "reg", cpu);   /* MPIDR's Aff0: the VMM sets VMPIDR to match */
        /* Secondaries start off; the guest turns them on with PSCI CPU_ON. */
        property_string(w, "enable-method", "psci");
        end_node(w);
    }
    end_node(w);

    begin_unit_node(w, "memory", t->vm->ram_base);
    property_string(w, "device_type", "memory");
    property_cells(w, "reg", (const uint32_t[]){ t->vm->ram_base, t->vm->ram_size }, 2);
    end_node(w);
}

/* PSCI, GIC, timer, clock and UART: dts/guest-virt.dts, node for node. */
static void emit_devices(struct writer *w, const struct tree *t)
{
    const struct guest_dtb_platform *p = t->platform;
    /* The timer's PPIs reach every vCPU. */
    uint32_t ppi = (IRQ_PPI_CPU0 << t->vm->vcpus) - IRQ_PPI_CPU0;

    begin_node(w, "psci");
    property_strings(w, "compatible", "arm,psci-1.0\0arm,psci-0.2");
    property_string(w, "method", "hvc");
    end_node(w);

    begin_unit_node(w, "intc", p->gicd_base);
    property_string(w, "compatible", "arm,cortex-a15-gic");
    property_u32(w, "#interrupt-cells", 3);
    property_u32(w, "#address-cells", 0);
    property_empty(w, "interrupt-controller");
    property_cells(w, "reg", (const uint32_t[]){ p->gicd_base, GICD_SIZE, p->gicc_base, GICC_SIZE },
                   4);
    property_u32(w, "phandle", t->gic_phandle);
    end_node(w);

    /* Secure physical, non-secure physical, virtual and hypervisor timer. */
    begin_node(w, "timer");
    property_string(w, "compatible", "arm,armv7-timer");
    property_cells(w, "interrupts",
                   (const uint32_t[]){
                       IRQ_TYPE_PPI, 13, ppi | IRQ_LEVEL_HIGH,
                       IRQ_TYPE_PPI, 14, ppi | IRQ_LEVEL_HIGH,
                       IRQ_TYPE_PPI, 11, ppi | IRQ_LEVEL_HIGH,
                       IRQ_TYPE_PPI, 10, ppi | IRQ_LEVEL_HIGH,
                   },
                   12);
    property_empty(w, "always-on");
    end_node(w);

    begin_node(w, "apb-pclk");
    property_string(w, "compatible", "fixed-clock");
    property_u32(w, "#clock-cells", 0);
    property_u32(w, "clock-frequency", 24000000);
    property_string(w, "clock-output-names", "clk24mhz");
    property_u32(w, "phandle", t->clock_phandle);
    end_node(w);

    begin_unit_node(w, "pl011", p->uart_base);
    property_strings(w, "compatible", "arm,pl011\0arm,primecell");
    property_cells(w, "reg", (const uint32_t[]){ p->uart_base, UART_SIZE }, 2);
    property_cells(w, "interrupts",
                   (const uint32_t[]){ IRQ_TYPE_SPI, p->uart_irq - GIC_FIRST_SPI, IRQ_LEVEL_HIGH }, 3);
    property_cells(w, "clocks", (const uint32_t[]){ t->clock_phandle, t->clock_phandle }, 2);
    property_strings(w, "clock-names", "uartclk\0apb_pclk");
    end_node(w);
}

/* A virtio-mmio transport of the VMM's, at its slot (lib/vmm_boot.h). */
static void emit_virtio(struct writer *w, uint32_t slot)
{
    uint32_t base = GUEST_VIRTIO_BASE + slot * GUEST_VIRTIO_STRIDE;
    begin_unit_node(w, "virtio_mmio", base);
    property_string(w, "compatible", "virtio,mmio");
    property_cells(w, "reg", (const uint32_t[]){ base, GUEST_VIRTIO_STRIDE }, 2);
    property_cells(w, "interrupts",
                   (const uint32_t[]){ IRQ_TYPE_SPI, GUEST_VIRTIO_FIRST_IRQ + slot - GIC_FIRST_SPI,
                                       IRQ_EDGE_RISING }, 3);
    end_node(w);
}

/* The RTC and the virtio devices (docs/devices.md): the disk and the
 * entropy device only for a VM given them. */
static void emit_linux_devices(struct writer *w, const struct tree *t)
{
    begin_unit_node(w, "pl031", GUEST_RTC_BASE);
    property_strings(w, "compatible", "arm,pl031\0arm,primecell");
    property_cells(w, "reg", (const uint32_t[]){ GUEST_RTC_BASE, GUEST_DEVICE_SIZE }, 2);
    property_cells(w, "interrupts",
                   (const uint32_t[]){ IRQ_TYPE_SPI, GUEST_RTC_IRQ - GIC_FIRST_SPI, IRQ_LEVEL_HIGH },
                   3);
    property_u32(w, "clocks", t->clock_phandle);
    property_string(w, "clock-names", "apb_pclk");
    end_node(w);
    if (t->vm->disk[0] != '\0')
        emit_virtio(w, GUEST_VIRTIO_BLK);
    emit_virtio(w, GUEST_VIRTIO_CONSOLE);
    if (t->vm->entropy[0] != '\0')
        emit_virtio(w, GUEST_VIRTIO_RNG);
}

static void emit_channels(struct writer *w, const struct tree *t)
{
    for (uint32_t i = 0; i < t->system->channel_count; i++) {
        const struct system_channel *channel = &t->system->channels[i];
        for (uint32_t end = 0; end < 2; end++) {
            if (core_strcmp(channel->ends[end], t->vm->component.name) != 0)
                continue;
            uint32_t address = channel->guest_address[end];
            begin_unit_node(w, "channel", address);
            property_string(w, "compatible", "opal,channel");
            property_cells(w, "reg",
                           (const uint32_t[]){ address, channel->size, address + channel->size,
                                               SYSTEM_DOORBELL_SIZE },
                           4);
            property_strings(w, "reg-names", "shared\0doorbell");
            property_cells(w, "interrupts",
                           (const uint32_t[]){ IRQ_TYPE_SPI, channel->guest_irq[end] - GIC_FIRST_SPI,
                                               IRQ_EDGE_RISING },
                           3);
            property_string(w, "label", channel->name);
            property_string(w, "opal,peer", channel->ends[1 - end]);
            end_node(w);
        }
    }
}

static void emit_passthrough(struct writer *w, const struct tree *t)
{
    const struct system_component *k = &t->vm->component;

    for (uint32_t i = 0; i < k->device_count; i++) {
        begin_unit_node(w, "passthrough", k->devices[i].base);
        property_string(w, "compatible", "opal,passthrough");
        property_cells(w, "reg", (const uint32_t[]){ k->devices[i].base, k->devices[i].size }, 2);
        if (i == 0 && k->irq_count > 0) {
            uint32_t cells[MAX_CELLS];
            for (uint32_t q = 0; q < k->irq_count; q++) {
                bool spi = k->irqs[q] >= GIC_FIRST_SPI;
                cells[3 * q] = spi ? IRQ_TYPE_SPI : IRQ_TYPE_PPI;
                cells[3 * q + 1] = k->irqs[q] - (spi ? GIC_FIRST_SPI : GIC_FIRST_PPI);
                cells[3 * q + 2] = spi ? IRQ_LEVEL_HIGH : IRQ_PPI_CPU0 | IRQ_LEVEL_HIGH;
            }
            property_cells(w, "interrupts", cells, 3 * k->irq_count);
        }
        end_node(w);
    }
}

static void emit_tree(struct writer *w, const struct tree *t)
{
    begin_node(w, "");
    property_string(w, "model", "Opal guest (virt)");
    property_strings(w, "compatible", "opal,guest-virt\0linux,dummy-virt");
    /* Everything sits below 4 GiB: one cell each. */
    property_u32(w, "#address-cells", 1);
    property_u32(w, "#size-cells", 1);
    property_u32(w, "interrupt-parent", t->gic_phandle);
    emit_chosen(w, t);
    emit_cpus_and_memory(w, t);
    emit_devices(w, t);
    emit_linux_devices(w, t);
    emit_channels(w, t);
    emit_passthrough(w, t);
    end_node(w);
    emit_u32(w, FDT_END);
}

/* ---- checks before writing ---- */

/* Whether the fragment's structure is one the writer can merge (see the
 * header; names must be unique among siblings, as merging goes by name), and
 * the largest phandle in it. */
static int check_fragment(const struct fdt *fragment, uint32_t *max_phandle)
{
    int nodes[GUEST_DTB_MAX_DEPTH];
    bool has_subnodes[GUEST_DTB_MAX_DEPTH];
    int depth = -1;
    bool root_done = false;
    uint32_t offset = 0;

    *max_phandle = 0;
    for (;;) {
        struct fdt_token t;
        if (fdt_read_token(fragment, offset, &t) != OPAL_OK)
            return OPAL_ERR_MALFORMED;
        offset = t.next;
        switch (t.type) {
        case FDT_BEGIN_NODE:
            if (root_done || depth + 1 >= GUEST_DTB_MAX_DEPTH ||
                (depth >= 0 && (t.name[0] == '\0' ||
                                fragment_child(fragment, nodes[depth], t.name) != (int)t.offset)))
                return OPAL_ERR_MALFORMED;
            if (depth >= 0)
                has_subnodes[depth] = true;
            nodes[++depth] = (int)t.offset;
            has_subnodes[depth] = false;
            break;
        case FDT_PROP: {
            uint32_t length;
            if (depth < 0 || has_subnodes[depth] || t.name[0] == '\0' ||
                fdt_property(fragment, nodes[depth], t.name, &length) != t.value)
                return OPAL_ERR_MALFORMED;
            if (core_strcmp(t.name, "phandle") == 0 || core_strcmp(t.name, "linux,phandle") == 0) {
                if (t.length != 4)
                    return OPAL_ERR_MALFORMED;
                uint32_t phandle = be32(t.value);
                if (phandle > *max_phandle)
                    *max_phandle = phandle;
            }
            break;
        }
        case FDT_END_NODE:
            if (depth < 0)
                return OPAL_ERR_MALFORMED;
            root_done = --depth < 0;
            break;
        case FDT_END:
            return root_done ? OPAL_OK : OPAL_ERR_MALFORMED;
        }
    }
}

static bool fits_below_4g(uint64_t base, uint64_t size)
{
    return base + size <= 0x100000000ull;
}

#define TERMINATED(array) (core_strnlen(array, sizeof array) < sizeof array)

/* What system_load() guarantees of a VM, checked again: the generator must
 * not read past an array or write a nonsense interrupt for a bad struct. */
static bool vm_is_sound(const struct system *system, const struct system_vm *vm,
                        const struct guest_dtb_platform *platform)
{
    const struct system_component *k = &vm->component;

    if (!TERMINATED(k->name) || !TERMINATED(vm->bootargs) || vm->vcpus == 0 || vm->vcpus > SYSTEM_MAX_VCPUS || k->device_count > SYSTEM_MAX_DEVICES ||
        k->irq_count > SYSTEM_MAX_IRQS || system->channel_count > SYSTEM_MAX_CHANNELS ||
        platform->uart_irq < GIC_FIRST_SPI || !fits_below_4g(vm->ram_base, vm->ram_size))
        return false;
    for (uint32_t i = 0; i < k->device_count; i++)
        if (!fits_below_4g(k->devices[i].base, k->devices[i].size))
            return false;
    for (uint32_t q = 0; q < k->irq_count; q++)
        if (k->irqs[q] < GIC_FIRST_PPI)
            return false;
    for (uint32_t i = 0; i < system->channel_count; i++) {
        const struct system_channel *channel = &system->channels[i];
        if (!TERMINATED(channel->name) || !TERMINATED(channel->ends[0]) ||
            !TERMINATED(channel->ends[1]))
            return false;
        for (uint32_t end = 0; end < 2; end++)
            if (core_strcmp(channel->ends[end], k->name) == 0 &&
                (channel->guest_irq[end] < GIC_FIRST_SPI ||
                 !fits_below_4g(channel->guest_address[end],
                                (uint64_t)channel->size + SYSTEM_DOORBELL_SIZE)))
                return false;
    }
    return true;
}

static void write_header(uint8_t *blob, uint32_t struct_size, uint32_t strings_size)
{
    uint32_t strings_offset = STRUCT_START + struct_size;
    const uint32_t fields[] = {
        [HDR_MAGIC] = FDT_MAGIC,
        [HDR_TOTALSIZE] = strings_offset + strings_size,
        [HDR_OFF_STRUCT] = STRUCT_START,
        [HDR_OFF_STRINGS] = strings_offset,
        [HDR_OFF_RSVMAP] = FDT_HEADER_SIZE,
        [HDR_VERSION] = FDT_VERSION,
        [HDR_LAST_COMP_VERSION] = 16,
        [HDR_BOOT_CPUID] = 0,
        [HDR_SIZE_STRINGS] = strings_size,
        [HDR_SIZE_STRUCT] = struct_size,
    };

    for (unsigned i = 0; i < sizeof fields / sizeof fields[0]; i++)
        put_be32(blob + 4 * i, fields[i]);
    memset(blob + FDT_HEADER_SIZE, 0, FDT_RSVMAP_ENTRY);   /* the map's terminator */
}

int guest_dtb_build(const struct system *system, uint32_t vm_index,
                    const struct guest_dtb_platform *platform, uint32_t initrd_start,
                    uint32_t initrd_size, const void *fragment, uint32_t fragment_size,
                    void *buffer, uint32_t capacity, uint32_t *size)
{
    struct fdt fragment_fdt;
    uint32_t max_phandle = 0;

    if (system == NULL || platform == NULL || buffer == NULL || size == NULL ||
        (fragment == NULL && fragment_size > 0) || vm_index >= system->vm_count ||
        vm_index >= SYSTEM_MAX_VMS)
        return OPAL_ERR_INVALID_ARGUMENT;
    const struct system_vm *vm = &system->vms[vm_index];
    if (!vm_is_sound(system, vm, platform) || !fits_below_4g(initrd_start, initrd_size))
        return OPAL_ERR_INVALID_ARGUMENT;
    if (fragment_size > 0) {
        if (fdt_open(&fragment_fdt, fragment, fragment_size) != OPAL_OK ||
            check_fragment(&fragment_fdt, &max_phandle) != OPAL_OK || max_phandle > 0xfffffffcu)
            return OPAL_ERR_MALFORMED;
    }

    const struct tree tree = {
        .system = system, .vm = vm, .platform = platform,
        .initrd_start = initrd_start, .initrd_size = initrd_size,
        .gic_phandle = max_phandle + 1, .clock_phandle = max_phandle + 2,
    };
    struct writer w = {
        .buffer = buffer, .capacity = capacity,
        .fragment = fragment_size > 0 ? &fragment_fdt : NULL,
    };
    if (capacity < STRUCT_START)
        return OPAL_ERR_TRUNCATED;

    /* First pass: the strings go right after the reservation map for now. */
    writer_start(&w, true, STRUCT_START, 0);
    emit_tree(&w, &tree);
    if (w.error != OPAL_OK)
        return w.error;
    uint32_t struct_size = w.struct_size;
    uint64_t total = (uint64_t)STRUCT_START + struct_size + w.strings_size;
    if (total > capacity)
        return OPAL_ERR_TRUNCATED;

    /* Second pass: the strings move behind the structure block, which is
     * written in front of them. */
    memmove(w.buffer + STRUCT_START + struct_size, w.buffer + STRUCT_START, w.strings_size);
    writer_start(&w, false, STRUCT_START + struct_size, w.strings_size);
    emit_tree(&w, &tree);
    if (w.error == OPAL_OK && w.struct_size != struct_size)
        w.error = OPAL_ERR_RANGE;   /* the passes differ: a bug here */
    if (w.error != OPAL_OK)
        return w.error;
    write_header(w.buffer, struct_size, w.strings_size);
    *size = (uint32_t)total;
    return OPAL_OK;
}
