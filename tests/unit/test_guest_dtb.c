/* Host tests of the guest device-tree generator (lib/core/system_guest_dtb.c)
 * on real system descriptions, read back with lib/core/fdt.c.
 * Usage: test_guest_dtb TWO_LINUX_DTB GUEST_VIRT_DTB GUEST_FRAGMENT_DTB
 * It also leaves linux1's tree next to itself (<argv[0]>-linux1.dtb/.dts),
 * decompiled by dtc to prove dtc accepts it. */
#define UNIT_SUITE "guest_dtb"
#include "unit.h"

#include <stdbool.h>

#include "core/fdt.h"
#include "core/fdt_edit.h"
#include "core/system.h"
#include "core/system_guest_dtb.h"
#include "opal/error.h"
#include "fdt_blob.h"

#define OK OPAL_OK
#define MALFORMED OPAL_ERR_MALFORMED
#define TRUNCATED OPAL_ERR_TRUNCATED
#define INVALID OPAL_ERR_INVALID_ARGUMENT

#define LINUX0 0
#define LINUX1 1
#define INITRD_START 0x48000000u
#define INITRD_SIZE 0x00123456u
#define OUT_MAX 8192
#define GUARD 64
#define GUARD_BYTE 0xa5

/* lib/vmm_boot.h's figures, as the lead's init passes them. */
static const struct guest_dtb_platform platform = {
    .gicd_base = 0x08000000, .gicc_base = 0x08010000, .uart_base = 0x09000000, .uart_irq = 33,
};

static void ignore_report(void *context, const char *message)
{
    (void)context;
    fprintf(stderr, "system_load: %s\n", message);
}

/* configs/two-linux.dts, loaded once. */
static const struct system *two_linux(void)
{
    static struct system system;
    static bool loaded;
    if (!loaded) {
        struct blob blob = load(1);
        struct system_platform p;
        system_platform_qemu_virt(&p);
        if (blob.data == NULL ||
            system_load(&system, blob.data, (uint32_t)blob.size, &p, ignore_report, NULL) != 0) {
            fprintf(stderr, "cannot load %s\n", unit_arg(1));
            abort();
        }
        loaded = true;
    }
    return &system;
}

struct built {
    int error;
    uint32_t size;
    uint8_t data[OUT_MAX];
    struct fdt fdt;
};

static struct built build(const struct system *system, uint32_t vm, uint32_t initrd_size,
                          const void *fragment, uint32_t fragment_size)
{
    static struct built b;
    memset(&b, 0, sizeof b);
    b.error = guest_dtb_build(system, vm, &platform, INITRD_START, initrd_size, fragment,
                              fragment_size, b.data, OUT_MAX, &b.size);
    if (b.error == OK && fdt_open(&b.fdt, b.data, b.size) != OK)
        b.error = -1;
    return b;
}

static int node(const struct built *b, const char *path)
{
    return fdt_path_offset(&b->fdt, path);
}

static const char *string_of(const struct built *b, const char *path, const char *name)
{
    uint32_t length;
    int n = node(b, path);
    const char *value = n >= 0 ? fdt_property(&b->fdt, n, name, &length) : NULL;
    return value != NULL && length > 0 && value[length - 1] == '\0' ? value : NULL;
}

static uint32_t cell_of(const struct built *b, const char *path, const char *name, unsigned i)
{
    uint32_t value = 0xdeadbeef;
    int n = node(b, path);
    if (n >= 0)
        fdt_property_cell(&b->fdt, n, name, i, &value);
    return value;
}

static bool has_property(const struct built *b, const char *path, const char *name)
{
    uint32_t length;
    int n = node(b, path);
    return n >= 0 && fdt_property(&b->fdt, n, name, &length) != NULL;
}

/* ---- every property of a tree, by path, in order ---- */

#define MAX_ENTRIES 160
#define MAX_PATH 128

struct entry {
    char path[MAX_PATH];
    const char *name;       /* NULL: the entry is the node itself */
    const void *value;
    uint32_t length;
};

static struct entry *entries_of(const struct fdt *fdt, int *count)
{
    static struct entry entries[2][MAX_ENTRIES];
    static int which;
    struct entry *e = entries[which ^= 1];
    /* The path of the node at depth d is the first ends[d] bytes of path. */
    char path[MAX_PATH] = "/";
    size_t ends[GUEST_DTB_MAX_DEPTH + 2] = { 0, 1 };
    int depth = 0, n = -1;

    *count = 0;
    while ((n = fdt_next_node(fdt, n, &depth)) >= 0 && *count < MAX_ENTRIES &&
           depth <= GUEST_DTB_MAX_DEPTH) {
        if (depth > 1) {
            size_t at = ends[depth - 1];
            snprintf(path + at, MAX_PATH - at, "%s%s", depth > 2 ? "/" : "",
                     fdt_node_name(fdt, n));
            ends[depth] = strlen(path);
        }
        path[ends[depth]] = '\0';
        e[*count] = (struct entry){ .name = NULL };
        snprintf(e[(*count)++].path, MAX_PATH, "%s", path);
        const char *pname;
        const void *value;
        uint32_t length;
        for (int c = 0; (c = fdt_next_property(fdt, n, c, &pname, &value, &length)) > 0 &&
                        *count < MAX_ENTRIES;) {
            e[*count] = (struct entry){ .name = pname, .value = value, .length = length };
            snprintf(e[(*count)++].path, MAX_PATH, "%s", path);
        }
    }
    return e;
}

static const struct entry *find_entry(const struct entry *e, int count, const char *path,
                                      const char *name)
{
    for (int i = 0; i < count; i++)
        if (strcmp(e[i].path, path) == 0 &&
            (name == NULL ? e[i].name == NULL : e[i].name && strcmp(e[i].name, name) == 0))
            return &e[i];
    return NULL;
}

/* The properties guest-virt.dts leaves to the VMM. */
static bool vmm_fills_in(const struct entry *e)
{
    return e->name != NULL && ((strcmp(e->path, "/memory@40000000") == 0 &&
                                strcmp(e->name, "reg") == 0) ||
                               (strcmp(e->path, "/chosen") == 0 && strcmp(e->name, "bootargs") == 0));
}

/* ---- the tests ---- */

/* linux0 of two-linux (no channel, no devices) gets exactly the tree of
 * dts/guest-virt.dts, node for node and byte for byte, phandles included,
 * but for what the VMM fills in. */
TEST(same_platform_as_guest_virt_dts)
{
    struct blob reference = load(2);
    struct fdt ref;
    CHECK(reference.data != NULL);
    CHECK_EQ(fdt_open(&ref, reference.data, reference.size), OK);
    struct built *b = &(struct built){ 0 };
    *b = build(two_linux(), LINUX0, 0, NULL, 0);
    CHECK_EQ(b->error, OK);

    int ref_count, got_count;
    const struct entry *want = entries_of(&ref, &ref_count);
    const struct entry *got = entries_of(&b->fdt, &got_count);
    CHECK(ref_count > 30 && ref_count < MAX_ENTRIES);
    CHECK_EQ(got_count, ref_count);
    for (int i = 0; i < ref_count; i++) {
        CHECKF(strcmp(got[i].path, want[i].path) == 0, "entry %d: %s, want %s", i, got[i].path,
               want[i].path);
        CHECKF((got[i].name == NULL) == (want[i].name == NULL) &&
                   (want[i].name == NULL || strcmp(got[i].name, want[i].name) == 0),
               "%s: property %s, want %s", want[i].path, got[i].name ? got[i].name : "-",
               want[i].name ? want[i].name : "-");
        if (want[i].name == NULL || vmm_fills_in(&want[i]))
            continue;
        CHECKF(got[i].length == want[i].length &&
                   memcmp(got[i].value, want[i].value, want[i].length) == 0,
               "%s:%s differs", want[i].path, want[i].name);
    }
    CHECK_EQ(cell_of(b, "/memory@40000000", "reg", 0), 0x40000000u);
    CHECK_EQ(cell_of(b, "/memory@40000000", "reg", 1), 0x10000000u);
    CHECK_STR(string_of(b, "/chosen", "bootargs"), "console=ttyAMA0 quiet");
    CHECK(!has_property(b, "/chosen", "linux,initrd-start"));
    CHECK(!has_property(b, "/chosen", "linux,initrd-end"));
    CHECK_EQ(fdt_node_by_compatible(&b->fdt, -1, "opal,channel"), -OPAL_ERR_NOT_FOUND);
    CHECK_EQ(fdt_node_by_compatible(&b->fdt, -1, "opal,passthrough"), -OPAL_ERR_NOT_FOUND);
}

/* The DTB's layout: what the VMM's editor and dtc need. */
TEST(header_and_layout)
{
    struct built *b = &(struct built){ 0 };
    *b = build(two_linux(), LINUX1, INITRD_SIZE, NULL, 0);
    CHECK_EQ(b->error, OK);
    CHECK_EQ(header(b->data, HDR_MAGIC), FDT_MAGIC);
    CHECK_EQ(header(b->data, HDR_TOTALSIZE), b->size);
    CHECK_EQ(header(b->data, HDR_VERSION), 17);
    CHECK_EQ(header(b->data, HDR_LAST_COMP_VERSION), 16);
    CHECK_EQ(header(b->data, HDR_OFF_RSVMAP), 40);
    CHECK_EQ(header(b->data, HDR_OFF_STRUCT), 56);
    for (int i = 40; i < 56; i++)
        CHECK_EQ(b->data[i], 0);
    CHECK_EQ(header(b->data, HDR_OFF_STRINGS),
             header(b->data, HDR_OFF_STRUCT) + header(b->data, HDR_SIZE_STRUCT));
    CHECK_EQ(b->size, header(b->data, HDR_OFF_STRINGS) + header(b->data, HDR_SIZE_STRINGS));
    CHECK_EQ(be32(b->data + header(b->data, HDR_OFF_STRINGS) - 4), FDT_END);
    /* Each property name is stored once. */
    const char *strings = (const char *)b->data + header(b->data, HDR_OFF_STRINGS);
    uint32_t strings_size = header(b->data, HDR_SIZE_STRINGS);
    for (uint32_t i = 0; i < strings_size; i += (uint32_t)strlen(strings + i) + 1)
        for (uint32_t j = i + (uint32_t)strlen(strings + i) + 1; j < strings_size;
             j += (uint32_t)strlen(strings + j) + 1)
            CHECKF(strcmp(strings + i, strings + j) != 0, "\"%s\" twice", strings + i);
    CHECK_EQ(fdt_edit_check(b->data, b->size), OK);
}

/* linux1 of two-linux: its channel to ctrl, the initrd, and dtc's view. */
TEST(linux1_with_channel_and_initrd)
{
    struct built *b = &(struct built){ 0 };
    *b = build(two_linux(), LINUX1, INITRD_SIZE, NULL, 0);
    CHECK_EQ(b->error, OK);
    CHECK_EQ(cell_of(b, "/memory@40000000", "reg", 0), 0x40000000u);
    CHECK_EQ(cell_of(b, "/memory@40000000", "reg", 1), 0x10000000u);
    CHECK_STR(string_of(b, "/chosen", "bootargs"), "console=ttyAMA0 quiet");
    CHECK_EQ(cell_of(b, "/chosen", "linux,initrd-start", 0), INITRD_START);
    CHECK_EQ(cell_of(b, "/chosen", "linux,initrd-end", 0), INITRD_START + INITRD_SIZE);

    int cpus = 0, depth = 0;
    for (int n = node(b, "/cpus"); (n = fdt_next_node(&b->fdt, n, &depth)) >= 0 && depth > 0;)
        cpus += depth == 1 && fdt_stringlist_contains(&b->fdt, n, "device_type", "cpu") == 1;
    CHECK_EQ(cpus, two_linux()->vms[LINUX1].vcpus);
    CHECK_EQ(cpus, 1);

    int channel = fdt_node_by_compatible(&b->fdt, -1, "opal,channel");
    CHECK(channel >= 0);
    CHECK_STR(fdt_node_name(&b->fdt, channel), "channel@b000000");
    CHECK_EQ(fdt_node_by_compatible(&b->fdt, channel, "opal,channel"), -OPAL_ERR_NOT_FOUND);
    uint64_t address, size;
    CHECK_EQ(fdt_reg(&b->fdt, channel, 0, &address, &size), OK);
    CHECK_EQ(address, 0x0b000000u);
    CHECK_EQ(size, 0x1000u);
    CHECK_EQ(fdt_reg(&b->fdt, channel, 1, &address, &size), OK);
    CHECK_EQ(address, 0x0b001000u);
    CHECK_EQ(size, SYSTEM_DOORBELL_SIZE);
    CHECK_EQ(fdt_reg(&b->fdt, channel, 2, NULL, NULL), -OPAL_ERR_NOT_FOUND);
    CHECK_EQ(fdt_stringlist_contains(&b->fdt, channel, "reg-names", "shared"), 1);
    CHECK_EQ(fdt_stringlist_contains(&b->fdt, channel, "reg-names", "doorbell"), 1);
    CHECK_EQ(cell_of(b, "/channel@b000000", "interrupts", 0), 0);    /* SPI */
    CHECK_EQ(cell_of(b, "/channel@b000000", "interrupts", 1), 80 - 32);
    CHECK_EQ(cell_of(b, "/channel@b000000", "interrupts", 2), 1);    /* edge rising */
    CHECK_STR(string_of(b, "/channel@b000000", "label"), "linux1-ctrl");
    CHECK_STR(string_of(b, "/channel@b000000", "opal,peer"), "ctrl");

    /* For a look, and for dtc: it must decompile the tree. */
    char path[512], command[1200];
    snprintf(path, sizeof path, "%s-linux1.dtb", unit_argv[0]);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    CHECK_EQ(fwrite(b->data, 1, b->size, f), b->size);
    CHECK_EQ(fclose(f), 0);
    snprintf(command, sizeof command, "dtc -I dtb -O dts -o %.*s.dts %s",
             (int)strlen(path) - 4, path, path);
    CHECKF(system(command) == 0, "%s failed", command);
}

/* The VMM copies the tree into a bigger buffer and edits it in place. */
TEST(vmm_can_edit_it)
{
    struct built *b = &(struct built){ 0 };
    *b = build(two_linux(), LINUX1, INITRD_SIZE, NULL, 0);
    CHECK_EQ(b->error, OK);
    uint8_t *space = malloc(b->size + 256);
    CHECK(space != NULL);
    memcpy(space, b->data, b->size);
    CHECK_EQ(fdt_edit_check(space, b->size + 256), OK);
    const uint32_t memory[2] = { 0x40000000, 0x08000000 };
    CHECK_EQ(fdt_edit_set_cells(space, b->size + 256, "/memory", "reg", memory, 2), OK);
    CHECK_EQ(fdt_edit_set_string(space, b->size + 256, "/chosen", "bootargs",
                                 "console=ttyAMA0 a longer command line than before"), OK);
    struct fdt fdt;
    CHECK_EQ(fdt_open(&fdt, space, b->size + 256), OK);
    uint64_t address, size;
    CHECK_EQ(fdt_reg(&fdt, fdt_path_offset(&fdt, "/memory"), 0, &address, &size), OK);
    CHECK_EQ(address, 0x40000000u);
    CHECK_EQ(size, 0x08000000u);
    free(space);
}

/* The fragment's properties and nodes, merged by name. */
TEST(fragment_merges)
{
    struct blob fragment = load(3);
    CHECK(fragment.data != NULL);
    struct built *b = &(struct built){ 0 };
    *b = build(two_linux(), LINUX1, INITRD_SIZE, fragment.data, (uint32_t)fragment.size);
    CHECK_EQ(b->error, OK);
    CHECK_EQ(fdt_edit_check(b->data, b->size), OK);

    /* Root: one property replaced in place, one added; the rest as generated. */
    CHECK_STR(string_of(b, "/", "model"), "Opal guest with a sensor");
    CHECK(has_property(b, "/", "opal,fragment"));
    CHECK_EQ(cell_of(b, "/", "#size-cells", 0), 1);
    int count;
    const struct entry *e = entries_of(&b->fdt, &count);
    CHECK_STR(e[1].name, "model");
    CHECK_STR(e[6].name, "opal,fragment");
    CHECK(e[7].name == NULL);

    /* /chosen: bootargs replaced, a property added, the generated ones kept. */
    CHECK_STR(string_of(b, "/chosen", "bootargs"), "console=ttyAMA0 fragment");
    CHECK_EQ(cell_of(b, "/chosen", "opal,extra", 0), 7);
    CHECK_STR(string_of(b, "/chosen", "stdout-path"), "serial0:115200n8");
    CHECK_EQ(cell_of(b, "/chosen", "linux,initrd-start", 0), INITRD_START);

    /* A nested generated node extended. */
    CHECK_EQ(cell_of(b, "/cpus/cpu@0", "clock-frequency", 0), 1000000000u);
    CHECK_EQ(cell_of(b, "/cpus/cpu@0", "reg", 0), 0);
    CHECK_STR(string_of(b, "/cpus/cpu@0", "compatible"), "arm,cortex-a15");

    /* New nodes, with their subnodes, after every generated one. */
    CHECK_STR(string_of(b, "/sensor@a000000", "compatible"), "acme,sensor");
    CHECK_EQ(cell_of(b, "/sensor@a000000/params", "value", 0), 1);
    const struct entry *channel = find_entry(e, count, "/channel@b000000", NULL);
    const struct entry *clock = find_entry(e, count, "/sensor-clock", NULL);
    const struct entry *sensor = find_entry(e, count, "/sensor@a000000", NULL);
    CHECK(channel != NULL && clock != NULL && sensor != NULL);
    CHECK(channel < clock && clock < sensor);
    CHECK(find_entry(e, count, "/sensor@a000000/params", "value") > sensor);

    /* The fragment's phandle 1 is its own; the generated ones come after it. */
    uint32_t sensor_clock = cell_of(b, "/sensor-clock", "phandle", 0);
    uint32_t gic = cell_of(b, "/intc@8000000", "phandle", 0);
    uint32_t pclk = cell_of(b, "/apb-pclk", "phandle", 0);
    CHECK_EQ(sensor_clock, 1);
    CHECK_EQ(cell_of(b, "/sensor@a000000", "clocks", 0), sensor_clock);
    CHECK_EQ(gic, 2);
    CHECK_EQ(pclk, 3);
    CHECK_EQ(cell_of(b, "/", "interrupt-parent", 0), gic);
    CHECK_EQ(cell_of(b, "/pl011@9000000", "clocks", 0), pclk);
    CHECK_EQ(cell_of(b, "/pl011@9000000", "clocks", 1), pclk);

    /* Merging is by node, not by appending: one /chosen, one /cpus. */
    int chosen = 0, cpus = 0;
    for (int i = 0; i < count; i++) {
        chosen += e[i].name == NULL && strcmp(e[i].path, "/chosen") == 0;
        cpus += e[i].name == NULL && strcmp(e[i].path, "/cpus") == 0;
    }
    CHECK_EQ(chosen, 1);
    CHECK_EQ(cpus, 1);
}

/* Reference output for `vm` with the fixture fragment, and its size. */
static uint8_t *reference(uint32_t vm, uint32_t *size)
{
    struct blob fragment = load(3);
    uint8_t *out = malloc(OUT_MAX);
    if (out == NULL || fragment.data == NULL ||
        guest_dtb_build(two_linux(), vm, &platform, INITRD_START, INITRD_SIZE, fragment.data,
                        (uint32_t)fragment.size, out, OUT_MAX, size) != OK)
        abort();
    return out;
}

/* Every capacity below the size fails without a byte past it written; the
 * size itself and more give the same tree, and nothing past it. */
TEST(truncated_below_the_exact_size)
{
    struct blob fragment = load(3);
    for (uint32_t vm = LINUX0; vm <= LINUX1; vm++) {
        uint32_t needed;
        uint8_t *want = reference(vm, &needed);
        for (uint32_t capacity = 0; capacity <= needed + GUARD; capacity++) {
            /* Exact-size allocation past which ASan watches, then the guard. */
            uint8_t *space = malloc(capacity + GUARD);
            CHECK(space != NULL);
            memset(space, GUARD_BYTE, capacity + GUARD);
            uint32_t size = 0xdeadbeef;
            int error = guest_dtb_build(two_linux(), vm, &platform, INITRD_START, INITRD_SIZE,
                                        fragment.data, (uint32_t)fragment.size, space, capacity,
                                        &size);
            uint32_t used = capacity < needed ? capacity : needed;
            bool guard_intact = true;
            for (uint32_t i = used; i < capacity + GUARD; i++)
                guard_intact = guard_intact && space[i] == GUARD_BYTE;
            bool same = capacity < needed || memcmp(space, want, needed) == 0;
            free(space);
            CHECKF(error == (capacity < needed ? TRUNCATED : OK), "capacity %u of %u: %s",
                   capacity, needed, opal_error_name(error));
            CHECKF(capacity < needed ? size == 0xdeadbeef : size == needed, "capacity %u", capacity);
            CHECKF(guard_intact, "capacity %u of %u: written past %u", capacity, needed, used);
            CHECKF(same, "capacity %u: another tree", capacity);
        }
        free(want);
    }
}

/* ---- hand-made fragments ---- */

struct maker {
    uint8_t blob[512];
    uint32_t struct_size;
};

static void make_u32(struct maker *m, uint32_t value)
{
    put_be32(m->blob + 56 + m->struct_size, value);
    m->struct_size += 4;
}

static void make_begin(struct maker *m, const char *name)
{
    make_u32(m, FDT_BEGIN_NODE);
    memset(m->blob + 56 + m->struct_size, 0, align4(strlen(name) + 1));
    memcpy(m->blob + 56 + m->struct_size, name, strlen(name));
    m->struct_size += (uint32_t)align4(strlen(name) + 1);
}

/* Property "x" (string offset 0) with a 4-byte value. */
static void make_property(struct maker *m, uint32_t value)
{
    make_u32(m, FDT_PROP);
    make_u32(m, 4);
    make_u32(m, 0);
    make_u32(m, value);
}

/* Header and strings ("x", "phandle") around the tokens made so far. */
static uint32_t make_finish(struct maker *m)
{
    static const char strings[] = "x\0phandle";
    uint32_t strings_offset = 56 + m->struct_size;
    memcpy(m->blob + strings_offset, strings, sizeof strings);
    const uint32_t fields[] = { FDT_MAGIC, strings_offset + (uint32_t)sizeof strings, 56,
                                strings_offset, 40, 17, 16, 0, sizeof strings, m->struct_size };
    for (unsigned i = 0; i < 10; i++)
        put_be32(m->blob + 4 * i, fields[i]);
    memset(m->blob + 40, 0, 16);
    return strings_offset + (uint32_t)sizeof strings;
}

static int build_with(struct maker *m)
{
    static uint8_t out[OUT_MAX];
    uint32_t size, fragment_size = make_finish(m);
    return guest_dtb_build(two_linux(), LINUX0, &platform, 0, 0, m->blob, fragment_size, out,
                           OUT_MAX, &size);
}

TEST(malformed_fragments)
{
    struct blob fragment = load(3);
    static uint8_t out[OUT_MAX];
    uint32_t size;
    CHECK(fragment.data != NULL);

    /* Not a DTB, or cut short. */
    uint8_t *copy = unit_copy(fragment.data, fragment.size);
    copy[0] ^= 1;
    CHECK_EQ(guest_dtb_build(two_linux(), LINUX0, &platform, 0, 0, copy, (uint32_t)fragment.size,
                             out, OUT_MAX, &size), MALFORMED);
    free(copy);
    CHECK_EQ(guest_dtb_build(two_linux(), LINUX0, &platform, 0, 0, fragment.data,
                             (uint32_t)fragment.size - 1, out, OUT_MAX, &size), MALFORMED);

    /* A well-formed one, then each way of breaking its structure. */
    struct maker m = { 0 };
    make_begin(&m, "");
    make_property(&m, 1);
    make_begin(&m, "a");
    make_u32(&m, FDT_END_NODE);
    make_u32(&m, FDT_NOP);
    make_u32(&m, FDT_END_NODE);
    make_u32(&m, FDT_END);
    CHECK_EQ(build_with(&m), OK);

    m = (struct maker){ 0 };   /* a property after a subnode */
    make_begin(&m, "");
    make_begin(&m, "a");
    make_u32(&m, FDT_END_NODE);
    make_property(&m, 1);
    make_u32(&m, FDT_END_NODE);
    make_u32(&m, FDT_END);
    CHECK_EQ(build_with(&m), MALFORMED);

    m = (struct maker){ 0 };   /* a node left open */
    make_begin(&m, "");
    make_begin(&m, "a");
    make_u32(&m, FDT_END_NODE);
    make_u32(&m, FDT_END);
    CHECK_EQ(build_with(&m), MALFORMED);

    m = (struct maker){ 0 };   /* one END_NODE too many */
    make_begin(&m, "");
    make_u32(&m, FDT_END_NODE);
    make_u32(&m, FDT_END_NODE);
    make_u32(&m, FDT_END);
    CHECK_EQ(build_with(&m), MALFORMED);

    m = (struct maker){ 0 };   /* two roots */
    make_begin(&m, "");
    make_u32(&m, FDT_END_NODE);
    make_begin(&m, "");
    make_u32(&m, FDT_END_NODE);
    make_u32(&m, FDT_END);
    CHECK_EQ(build_with(&m), MALFORMED);

    m = (struct maker){ 0 };   /* a subnode without a name */
    make_begin(&m, "");
    make_begin(&m, "");
    make_u32(&m, FDT_END_NODE);
    make_u32(&m, FDT_END_NODE);
    make_u32(&m, FDT_END);
    CHECK_EQ(build_with(&m), MALFORMED);

    m = (struct maker){ 0 };   /* a property twice */
    make_begin(&m, "");
    make_property(&m, 1);
    make_property(&m, 2);
    make_u32(&m, FDT_END_NODE);
    make_u32(&m, FDT_END);
    CHECK_EQ(build_with(&m), MALFORMED);

    m = (struct maker){ 0 };   /* two siblings of one name; cousins may share one */
    make_begin(&m, "");
    make_begin(&m, "a");
    make_begin(&m, "b");
    make_u32(&m, FDT_END_NODE);
    make_u32(&m, FDT_END_NODE);
    make_begin(&m, "c");
    make_begin(&m, "b");
    make_u32(&m, FDT_END_NODE);
    make_u32(&m, FDT_END_NODE);
    make_begin(&m, "a");
    make_u32(&m, FDT_END_NODE);
    make_u32(&m, FDT_END_NODE);
    make_u32(&m, FDT_END);
    CHECK_EQ(build_with(&m), MALFORMED);
    m.blob[56 + m.struct_size - 16] = 'd';   /* the second "a" becomes "d" */
    CHECK_EQ(build_with(&m), OK);

    m = (struct maker){ 0 };   /* a phandle that leaves no room for the generated ones */
    make_begin(&m, "");
    make_u32(&m, FDT_PROP);
    make_u32(&m, 4);
    make_u32(&m, 2);           /* "phandle" */
    make_u32(&m, 0xfffffffd);
    make_u32(&m, FDT_END_NODE);
    make_u32(&m, FDT_END);
    CHECK_EQ(build_with(&m), MALFORMED);
    put_be32(m.blob + 56 + 20, 0xfffffffc);
    CHECK_EQ(build_with(&m), OK);

    /* GUEST_DTB_MAX_DEPTH levels are fine, one more is not. */
    for (int levels = GUEST_DTB_MAX_DEPTH; levels <= GUEST_DTB_MAX_DEPTH + 1; levels++) {
        m = (struct maker){ 0 };
        make_begin(&m, "");
        for (int i = 1; i < levels; i++)
            make_begin(&m, "n");
        for (int i = 0; i < levels; i++)
            make_u32(&m, FDT_END_NODE);
        make_u32(&m, FDT_END);
        CHECK_EQ(build_with(&m), levels <= GUEST_DTB_MAX_DEPTH ? OK : MALFORMED);
    }
}

/* Random damage to the fragment: refused, or merged into a tree that reads
 * back whole. Never a crash (ASan/UBSan watch). */
TEST(damaged_fragments_never_break_the_output)
{
    struct blob fragment = load(3);
    uint32_t state = 0x6d2b79f5;
    int accepted = 0;
    CHECK(fragment.data != NULL);
    for (int round = 0; round < 3000; round++) {
        uint8_t *copy = unit_copy(fragment.data, fragment.size);
        flip_random_bytes(copy, 0, (uint32_t)fragment.size, &state);
        struct built *b = &(struct built){ 0 };
        *b = build(two_linux(), LINUX1, INITRD_SIZE, copy, (uint32_t)fragment.size);
        free(copy);
        CHECKF(b->error == OK || b->error == MALFORMED || b->error == TRUNCATED,
               "round %d: %d", round, b->error);
        if (b->error != OK)
            continue;
        accepted++;
        CHECKF(fdt_edit_check(b->data, b->size) == OK, "round %d: not editable", round);
        int count;
        entries_of(&b->fdt, &count);
        CHECKF(count > 30, "round %d: %d entries", round, count);
    }
    CHECK(accepted > 0);
}

/* One cpu@k per vCPU, reg k (the VMPIDR the VMM gives vCPU k), each started
 * through PSCI; the timer's PPIs name every vCPU in their CPU mask. */
TEST(every_vcpu_gets_a_psci_cpu_node)
{
    static struct system system;
    system = *two_linux();
    system.vms[LINUX0].vcpus = 4;
    struct built *b = &(struct built){ 0 };
    *b = build(&system, LINUX0, 0, NULL, 0);
    CHECK_EQ(b->error, OK);
    for (uint32_t k = 0; k < 4; k++) {
        char path[32];
        snprintf(path, sizeof path, "/cpus/cpu@%u", k);
        CHECK_EQ(cell_of(b, path, "reg", 0), k);
        CHECK_STR(string_of(b, path, "enable-method"), "psci");
        CHECK_STR(string_of(b, path, "device_type"), "cpu");
    }
    CHECK(node(b, "/cpus/cpu@4") < 0);
    CHECK_STR(string_of(b, "/psci", "method"), "hvc");
    for (unsigned timer = 0; timer < 4; timer++)
        CHECK_EQ(cell_of(b, "/timer", "interrupts", 3 * timer + 2), 0xf04u);
    system.vms[LINUX0].vcpus = SYSTEM_MAX_VCPUS;
    *b = build(&system, LINUX0, 0, NULL, 0);
    CHECK_EQ(b->error, OK);
    CHECK_EQ(cell_of(b, "/cpus/cpu@7", "reg", 0), 7u);
    CHECK_EQ(cell_of(b, "/timer", "interrupts", 2), 0xff04u);
}

/* Devices and interrupts of a VM, on a description changed by hand. */
TEST(passthrough_devices)
{
    static struct system system;
    system = *two_linux();
    struct system_component *k = &system.vms[LINUX0].component;
    k->devices[0] = (struct system_range){ 0x0a000000, 0x200 };
    k->devices[1] = (struct system_range){ 0x0c000000, 0x2000 };
    k->device_count = 2;
    k->irqs[0] = 48;
    k->irqs[1] = 49;
    k->irqs[2] = 27;           /* a PPI */
    k->irq_count = 3;
    struct built *b = &(struct built){ 0 };
    *b = build(&system, LINUX0, 0, NULL, 0);
    CHECK_EQ(b->error, OK);
    CHECK_STR(string_of(b, "/passthrough@a000000", "compatible"), "opal,passthrough");
    CHECK_EQ(cell_of(b, "/passthrough@a000000", "reg", 0), 0x0a000000u);
    CHECK_EQ(cell_of(b, "/passthrough@a000000", "reg", 1), 0x200u);
    const uint32_t irqs[] = { 0, 16, 4, 0, 17, 4, 1, 11, 0x104 };
    for (unsigned i = 0; i < 9; i++)
        CHECK_EQ(cell_of(b, "/passthrough@a000000", "interrupts", i), irqs[i]);
    CHECK_EQ(cell_of(b, "/passthrough@c000000", "reg", 0), 0x0c000000u);
    CHECK_EQ(cell_of(b, "/passthrough@c000000", "reg", 1), 0x2000u);
    CHECK(!has_property(b, "/passthrough@c000000", "interrupts"));

    /* Interrupts without a device range: nowhere to put them. */
    k->device_count = 0;
    *b = build(&system, LINUX0, 0, NULL, 0);
    CHECK_EQ(b->error, OK);
    CHECK_EQ(fdt_node_by_compatible(&b->fdt, -1, "opal,passthrough"), -OPAL_ERR_NOT_FOUND);
}

TEST(invalid_arguments)
{
    static struct system system;
    static uint8_t out[OUT_MAX];
    uint32_t size;
    const struct system *s = two_linux();
    CHECK_EQ(guest_dtb_build(s, 2, &platform, 0, 0, NULL, 0, out, OUT_MAX, &size), INVALID);
    CHECK_EQ(guest_dtb_build(NULL, 0, &platform, 0, 0, NULL, 0, out, OUT_MAX, &size), INVALID);
    CHECK_EQ(guest_dtb_build(s, 0, NULL, 0, 0, NULL, 0, out, OUT_MAX, &size), INVALID);
    CHECK_EQ(guest_dtb_build(s, 0, &platform, 0, 0, NULL, 0, NULL, OUT_MAX, &size), INVALID);
    CHECK_EQ(guest_dtb_build(s, 0, &platform, 0, 0, NULL, 0, out, OUT_MAX, NULL), INVALID);
    CHECK_EQ(guest_dtb_build(s, 0, &platform, 0, 0, NULL, 4, out, OUT_MAX, &size), INVALID);
    /* An initrd that would end past 4 GiB. */
    CHECK_EQ(guest_dtb_build(s, 0, &platform, 0xfffff000, 0x2000, NULL, 0, out, OUT_MAX, &size),
             INVALID);

    system = *s;
    system.channels[0].guest_irq[0] = 31;
    CHECK_EQ(guest_dtb_build(&system, LINUX1, &platform, 0, 0, NULL, 0, out, OUT_MAX, &size),
             INVALID);
    /* Only the channel's VM end matters: linux0 is no end of it. */
    CHECK_EQ(guest_dtb_build(&system, LINUX0, &platform, 0, 0, NULL, 0, out, OUT_MAX, &size), OK);

    system = *s;
    system.vms[LINUX1].vcpus = 0;
    CHECK_EQ(guest_dtb_build(&system, LINUX1, &platform, 0, 0, NULL, 0, out, OUT_MAX, &size),
             INVALID);
    system = *s;
    memset(system.vms[LINUX1].bootargs, 'a', sizeof system.vms[LINUX1].bootargs);
    CHECK_EQ(guest_dtb_build(&system, LINUX1, &platform, 0, 0, NULL, 0, out, OUT_MAX, &size),
             INVALID);
}
