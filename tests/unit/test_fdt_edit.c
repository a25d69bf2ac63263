/* Host tests of the FDT editor: exact edits read back with lib/core/fdt.c, the
 * VMM's edits of the guest DTB, random edit sequences and mutated blobs.
 * Usage: test_fdt_edit EDIT_FIXTURE_DTB GUEST_VIRT_DTB QEMU_VIRT_DTB */
#define UNIT_SUITE "fdt_edit"
#include "unit.h"

#include <stdbool.h>

#include "core/fdt.h"
#include "core/fdt_edit.h"
#include "opal/error.h"
#include "fdt_blob.h"

#define OK OPAL_OK
#define MALFORMED OPAL_ERR_MALFORMED
#define NOT_FOUND OPAL_ERR_NOT_FOUND
#define TRUNCATED OPAL_ERR_TRUNCATED
#define INVALID OPAL_ERR_INVALID_ARGUMENT

/* Bytes past the blob in a test buffer: an edit may use them, but only up to
 * the new totalsize. */
#define FILL 0xee

static struct blob fixture(void)
{
    return load(1);
}

static struct blob guest(void)
{
    return load(2);
}

static struct blob qemu_virt(void)
{
    return load(3);
}

/* An exact-size malloc'd buffer of `capacity` bytes holding the blob, the rest
 * FILL, so ASan catches any access past capacity. */
static uint8_t *buffer_with(struct blob b, size_t capacity)
{
    uint8_t *buffer = malloc(capacity ? capacity : 1);
    if (buffer == NULL)
        abort();
    memset(buffer, FILL, capacity);
    memcpy(buffer, b.data, b.size < capacity ? b.size : capacity);
    return buffer;
}

/* The end of the last block: what an edit may move; beyond is padding. */
static uint32_t used_end(const uint8_t *blob)
{
    return header(blob, HDR_OFF_STRINGS) + header(blob, HDR_SIZE_STRINGS);
}

/* ---- an independent look at the whole tree ---- */

#define MAX_PROPS 256
#define MAX_DEPTH 16
#define MAX_PATH 160

/* Every property of a tree, by the path of its node: read with our own token
 * walk, each one also looked up through the reader. */
struct prop_entry {
    char path[MAX_PATH];
    const char *name;
    const uint8_t *value;
    uint32_t length;
};

struct snapshot {
    uint8_t *copy;           /* the blob the entries point into */
    int props;
    int nodes;
    struct prop_entry entries[MAX_PROPS];
};

/* Appends "/name" to a path; the root is "/". */
static void path_join(char *path, const char *parent, const char *name)
{
    if (strcmp(parent, "/") == 0 || parent[0] == '\0')
        snprintf(path, MAX_PATH, "/%s", name);
    else
        snprintf(path, MAX_PATH, "%s/%s", parent, name);
}

/* Walks the structure block token by token and checks what the reader says
 * about each node and property. NULL if all agree, else what went wrong. */
static const char *walk_tree(const uint8_t *blob, size_t capacity, struct snapshot *snap)
{
    static char problem[256];
    struct fdt fdt;
    char paths[MAX_DEPTH][MAX_PATH];
    bool plain[MAX_DEPTH]; /* no empty name or '/' in the path: the reader can follow it */
    int nodes[MAX_DEPTH];
    int depth = 0;

    if (fdt_edit_check(blob, capacity) != OK)
        return "fdt_edit_check refuses the blob";
    if (fdt_open(&fdt, blob, capacity) != OK)
        return "fdt_open refuses the blob";
    if (fdt.struct_offset % 4 != 0 || header(blob, HDR_VERSION) != 17)
        return "structure block misaligned or version not 17";
    snap->props = snap->nodes = 0;
    for (uint32_t offset = 0;;) {
        const uint8_t *p = fdt.blob + fdt.struct_offset + offset;
        uint32_t token = be32(p);
        if (token == FDT_BEGIN_NODE) {
            const char *name = (const char *)p + 4;
            if (depth == MAX_DEPTH)
                return "too deep for the test";
            const char *read = fdt_node_name(&fdt, (int)offset);
            if (read == NULL || strcmp(read, name) != 0)
                return "reader disagrees on a node name";
            /* The root's name (normally empty) is not part of any path. */
            path_join(paths[depth], depth ? paths[depth - 1] : "", depth ? name : "");
            plain[depth] = depth == 0 ||
                           (plain[depth - 1] && name[0] != '\0' && strchr(name, '/') == NULL);
            if (depth > 0 && plain[depth] && fdt_path_offset(&fdt, paths[depth]) < 0) {
                snprintf(problem, sizeof problem, "reader cannot find %s: %d", paths[depth],
                         fdt_path_offset(&fdt, paths[depth]));
                return problem;
            }
            nodes[depth++] = (int)offset;
            snap->nodes++;
            offset = align4(offset + 4 + (uint32_t)strlen(name) + 1);
        } else if (token == FDT_PROP) {
            uint32_t length = be32(p + 4), got = 0;
            const char *name = (const char *)fdt.blob + fdt.strings_offset + be32(p + 8);
            if (depth == 0 || snap->props == MAX_PROPS)
                return "property outside a node, or too many";
            const void *value = fdt_property(&fdt, nodes[depth - 1], name, &got);
            if (value != p + 12 || got != length) {
                snprintf(problem, sizeof problem, "reader disagrees on %s:%s", paths[depth - 1],
                         name);
                return problem;
            }
            struct prop_entry *e = &snap->entries[snap->props++];
            snprintf(e->path, MAX_PATH, "%s", paths[depth - 1]);
            e->name = name;
            e->value = p + 12;
            e->length = length;
            offset = align4(offset + 12 + length);
        } else if (token == FDT_END_NODE) {
            depth--;
            offset += 4;
        } else if (token == FDT_NOP) {
            offset += 4;
        } else {
            return token == FDT_END && depth == 0 ? NULL : "unexpected token";
        }
    }
}

/* A private copy of the blob with every property listed; free with snapshot_free. */
static const char *snapshot_take(const uint8_t *blob, size_t capacity, struct snapshot *snap)
{
    snap->copy = unit_copy(blob, capacity);
    return walk_tree(snap->copy, capacity, snap);
}

static void snapshot_free(struct snapshot *snap)
{
    free(snap->copy);
    snap->copy = NULL;
}

static const struct prop_entry *snapshot_find(const struct snapshot *snap, const char *path,
                                              const char *name)
{
    for (int i = 0; i < snap->props; i++) {
        if (strcmp(snap->entries[i].path, path) == 0 && strcmp(snap->entries[i].name, name) == 0)
            return &snap->entries[i];
    }
    return NULL;
}

/* Whether `after` holds exactly the properties of `before`, except that
 * path:name (if given) may differ. NULL if so, else the first difference. */
static const char *same_except(const struct snapshot *before, const struct snapshot *after,
                               const char *path, const char *name)
{
    static char problem[256];

    for (int i = 0; i < before->props; i++) {
        const struct prop_entry *b = &before->entries[i];
        if (path != NULL && strcmp(b->path, path) == 0 && strcmp(b->name, name) == 0)
            continue;
        const struct prop_entry *a = snapshot_find(after, b->path, b->name);
        if (a == NULL || a->length != b->length || memcmp(a->value, b->value, a->length) != 0) {
            snprintf(problem, sizeof problem, "%s:%s changed or vanished", b->path, b->name);
            return problem;
        }
    }
    for (int i = 0; i < after->props; i++) {
        const struct prop_entry *a = &after->entries[i];
        bool edited = path != NULL && strcmp(a->path, path) == 0 && strcmp(a->name, name) == 0;
        if (!edited && snapshot_find(before, a->path, a->name) == NULL) {
            snprintf(problem, sizeof problem, "%s:%s appeared", a->path, a->name);
            return problem;
        }
    }
    return NULL;
}

/* Bytes past totalsize are still FILL: no edit wrote beyond the blob. */
static bool tail_untouched(const uint8_t *buffer, size_t capacity)
{
    for (size_t i = header(buffer, HDR_TOTALSIZE); i < capacity; i++) {
        if (buffer[i] != FILL)
            return false;
    }
    return true;
}

/* ---- the guest's virtual platform (dts/guest-virt.dts) ---- */

TEST(guest_platform)
{
    static const uint32_t timer[12] = { 1, 13, 0x104, 1, 14, 0x104, 1, 11, 0x104, 1, 10, 0x104 };
    struct fdt fdt;
    uint64_t address = 0, size = 99;
    uint32_t value = 0, length = 0;
    struct blob b = guest();

    CHECKF(b.data != NULL, "cannot read the guest DTB (argument 2): %s", unit_arg(2));
    CHECK_EQ(fdt_open(&fdt, b.data, b.size), OK);
    CHECK_EQ(fdt_edit_check(b.data, b.size), OK);
    CHECK_EQ(fdt_property_u32(&fdt, 0, "#address-cells", &value), OK);
    CHECK_EQ(value, 1);
    CHECK_EQ(fdt_property_u32(&fdt, 0, "#size-cells", &value), OK);
    CHECK_EQ(value, 1);

    int cpu = fdt_path_offset(&fdt, "/cpus/cpu@0");
    CHECK_EQ(fdt_stringlist_contains(&fdt, cpu, "compatible", "arm,cortex-a15"), 1);
    CHECK_EQ(fdt_next_node(&fdt, cpu, NULL), fdt_path_offset(&fdt, "/memory")); /* one CPU */

    int memory = fdt_path_offset(&fdt, "/memory@40000000");
    CHECK_EQ(fdt_stringlist_contains(&fdt, memory, "device_type", "memory"), 1);
    CHECK_EQ(fdt_reg(&fdt, memory, 0, &address, &size), OK);
    CHECK_EQ(address, 0x40000000);
    CHECK_EQ(size, 0); /* the placeholder the VMM overwrites */

    int gic = fdt_node_by_compatible(&fdt, -1, "arm,cortex-a15-gic");
    CHECK(gic > 0);
    CHECK_EQ(fdt_reg(&fdt, gic, 0, &address, &size), OK);
    CHECK(address == 0x08000000 && size == 0x1000);
    CHECK_EQ(fdt_reg(&fdt, gic, 1, &address, &size), OK);
    CHECK(address == 0x08010000 && size == 0x2000);
    CHECK_EQ(fdt_reg(&fdt, gic, 2, &address, &size), -NOT_FOUND);
    CHECK(fdt_property(&fdt, gic, "interrupt-controller", &length) != NULL && length == 0);
    CHECK_EQ(fdt_property_u32(&fdt, gic, "#interrupt-cells", &value), OK);
    CHECK_EQ(value, 3);
    uint32_t phandle = 0, parent = 1;
    CHECK_EQ(fdt_property_u32(&fdt, gic, "phandle", &phandle), OK);
    CHECK_EQ(fdt_property_u32(&fdt, 0, "interrupt-parent", &parent), OK);
    CHECK_EQ(phandle, parent);

    int timer_node = fdt_node_by_compatible(&fdt, -1, "arm,armv7-timer");
    CHECK(fdt_property(&fdt, timer_node, "interrupts", &length) != NULL && length == 48);
    for (unsigned i = 0; i < 12; i++) {
        CHECK_EQ(fdt_property_cell(&fdt, timer_node, "interrupts", i, &value), OK);
        CHECKF(value == timer[i], "timer interrupts cell %u: %#x", i, value);
    }

    int psci = fdt_path_offset(&fdt, "/psci");
    CHECK_EQ(fdt_stringlist_contains(&fdt, psci, "compatible", "arm,psci-1.0"), 1);
    CHECK_EQ(fdt_stringlist_contains(&fdt, psci, "compatible", "arm,psci-0.2"), 1);
    CHECK_STR(fdt_property(&fdt, psci, "method", NULL), "hvc");

    int uart = fdt_node_by_compatible(&fdt, -1, "arm,pl011");
    CHECK_EQ(fdt_stringlist_contains(&fdt, uart, "compatible", "arm,primecell"), 1);
    CHECK_EQ(fdt_reg(&fdt, uart, 0, &address, &size), OK);
    CHECK(address == 0x09000000 && size == 0x1000);
    for (unsigned i = 0; i < 3; i++) {
        static const uint32_t spi1_level_high[3] = { 0, 1, 4 };
        CHECK_EQ(fdt_property_cell(&fdt, uart, "interrupts", i, &value), OK);
        CHECK_EQ(value, spi1_level_high[i]);
    }
    CHECK_EQ(fdt_stringlist_contains(&fdt, uart, "clock-names", "uartclk"), 1);
    CHECK_EQ(fdt_stringlist_contains(&fdt, uart, "clock-names", "apb_pclk"), 1);
    uint32_t clock = 0;
    CHECK_EQ(fdt_property_cell(&fdt, uart, "clocks", 1, &clock), OK);
    int pclk = fdt_node_by_compatible(&fdt, -1, "fixed-clock");
    CHECK_EQ(fdt_property_u32(&fdt, pclk, "phandle", &phandle), OK);
    CHECK_EQ(clock, phandle);
    CHECK_EQ(fdt_property_u32(&fdt, pclk, "clock-frequency", &value), OK);
    CHECK_EQ(value, 24000000);

    int aliases = fdt_path_offset(&fdt, "/aliases");
    CHECK_EQ(fdt_path_offset(&fdt, fdt_property(&fdt, aliases, "serial0", NULL)), uart);
    int chosen = fdt_path_offset(&fdt, "/chosen");
    CHECK_STR(fdt_property(&fdt, chosen, "stdout-path", NULL), "serial0:115200n8");
    CHECK_STR(fdt_property(&fdt, chosen, "bootargs", &length), "");
    CHECK_EQ(length, 1);
    /* Only what the guest needs: the console's virtio transport, no disk's. */
    int virtio = fdt_node_by_compatible(&fdt, -1, "virtio,mmio");
    CHECK(virtio >= 0);
    CHECK_EQ(fdt_node_by_compatible(&fdt, virtio, "virtio,mmio"), -NOT_FOUND);
    CHECK_EQ(fdt_node_by_compatible(&fdt, -1, "arm,gic-v2m-frame"), -NOT_FOUND);
}

/* The VMM's edits, in its order: step 0-3. */
static int vmm_edit(uint8_t *buffer, size_t capacity, int step)
{
    static const uint32_t memory[2] = { 0x40000000, 0x10000000 };
    static const uint32_t initrd_start = 0x48000000, initrd_end = 0x48123456;

    switch (step) {
    case 0:
        return fdt_edit_set_cells(buffer, capacity, "/memory", "reg", memory, 2);
    case 1:
        return fdt_edit_set_string(buffer, capacity, "/chosen", "bootargs",
                                   "console=ttyAMA0 earlycon");
    case 2:
        return fdt_edit_set_cells(buffer, capacity, "/chosen", "linux,initrd-start", &initrd_start,
                                  1);
    default:
        return fdt_edit_set_cells(buffer, capacity, "/chosen", "linux,initrd-end", &initrd_end, 1);
    }
}

#define VMM_STEPS 4
/* bootargs 1 -> 25 bytes (+24 padded), two 4-byte properties (+16 each) and
 * their two new names (19 + 17 bytes). */
#define VMM_GROWTH (24 + 16 + 16 + 19 + 17)

TEST(guest_vmm_edits)
{
    struct fdt fdt;
    struct snapshot before, after;
    uint64_t address = 0, size = 0;
    uint32_t value = 0;
    struct blob b = guest();

    CHECK(b.data != NULL);
    size_t capacity = b.size + VMM_GROWTH;
    uint8_t *buffer = buffer_with(b, capacity);
    const char *problem = snapshot_take(buffer, capacity, &before);
    CHECKF(problem == NULL, "before: %s", problem);

    for (int step = 0; step < VMM_STEPS; step++) {
        CHECKF(vmm_edit(buffer, capacity, step) == OK, "step %d", step);
        problem = walk_tree(buffer, capacity, &after);
        CHECKF(problem == NULL, "after step %d: %s", step, problem);
    }
    CHECK_EQ(header(buffer, HDR_TOTALSIZE), capacity); /* exactly the room it needed */
    CHECK_EQ(after.props, before.props + 2);
    CHECK_EQ(after.nodes, before.nodes);

    CHECK_EQ(fdt_open(&fdt, buffer, capacity), OK);
    int memory = fdt_path_offset(&fdt, "/memory@40000000");
    CHECK_EQ(fdt_reg(&fdt, memory, 0, &address, &size), OK);
    CHECK_EQ(address, 0x40000000);
    CHECK_EQ(size, 0x10000000);
    int chosen = fdt_path_offset(&fdt, "/chosen");
    CHECK_STR(fdt_property(&fdt, chosen, "bootargs", NULL), "console=ttyAMA0 earlycon");
    CHECK_EQ(fdt_property_u32(&fdt, chosen, "linux,initrd-start", &value), OK);
    CHECK_EQ(value, 0x48000000);
    CHECK_EQ(fdt_property_u32(&fdt, chosen, "linux,initrd-end", &value), OK);
    CHECK_EQ(value, 0x48123456);
    CHECK_STR(fdt_property(&fdt, chosen, "stdout-path", NULL), "serial0:115200n8");
    /* Everything else as dtc wrote it: reservation map and properties. */
    CHECK_EQ(header(buffer, HDR_OFF_STRUCT), header(b.data, HDR_OFF_STRUCT));
    CHECK_EQ(memcmp(buffer + 40, b.data + 40, header(b.data, HDR_OFF_STRUCT) - 40), 0);
    for (int i = 0; i < before.props; i++) {
        const struct prop_entry *e = &before.entries[i];
        if (strcmp(e->path, "/memory@40000000") == 0 && strcmp(e->name, "reg") == 0)
            continue;
        if (strcmp(e->path, "/chosen") == 0 && strcmp(e->name, "bootargs") == 0)
            continue;
        const struct prop_entry *a = snapshot_find(&after, e->path, e->name);
        CHECKF(a != NULL && a->length == e->length && memcmp(a->value, e->value, e->length) == 0,
               "%s:%s changed", e->path, e->name);
    }
    free(buffer);
    snapshot_free(&before);

    /* One byte less: the last edit does not fit and changes nothing. */
    buffer = buffer_with(b, capacity - 1);
    for (int step = 0; step < VMM_STEPS - 1; step++)
        CHECKF(vmm_edit(buffer, capacity - 1, step) == OK, "step %d", step);
    uint8_t *copy = unit_copy(buffer, capacity - 1);
    CHECK_EQ(vmm_edit(buffer, capacity - 1, VMM_STEPS - 1), TRUNCATED);
    CHECK_EQ(memcmp(buffer, copy, capacity - 1), 0);
    free(buffer);
    free(copy);
}

/* ---- exact edits on the fixture ---- */

/* The fixture in a buffer with `slack` spare bytes, checked and snapshotted. */
static uint8_t *fixture_buffer(size_t slack, size_t *capacity)
{
    *capacity = fixture().size + slack;
    return buffer_with(fixture(), *capacity);
}

TEST(replace_in_place)
{
    struct fdt fdt;
    struct snapshot before, after;
    size_t capacity;
    uint32_t length = 0;

    CHECKF(fixture().data != NULL, "cannot read the fixture (argument 1): %s", unit_arg(1));
    uint8_t *buffer = fixture_buffer(0, &capacity);
    CHECK(snapshot_take(buffer, capacity, &before) == NULL);

    /* The same padded size ("okay" 5 bytes -> "fail" 5 -> "fail-x" 7, all
     * padded to 8): nothing moves, even with no room to spare. */
    uint32_t strings = header(buffer, HDR_OFF_STRINGS);
    CHECK_EQ(fdt_edit_set_string(buffer, capacity, "/soc/uart@1000", "status", "fail"), OK);
    CHECK_EQ(fdt_edit_set_string(buffer, capacity, "/soc/uart@1000", "status", "fail-x"), OK);
    CHECK_EQ(header(buffer, HDR_OFF_STRINGS), strings);
    CHECK_EQ(fdt_open(&fdt, buffer, capacity), OK);
    int uart = fdt_path_offset(&fdt, "/soc/uart@1000");
    CHECK_STR(fdt_property(&fdt, uart, "status", &length), "fail-x");
    CHECK_EQ(length, 7);
    const char *problem = walk_tree(buffer, capacity, &after);
    CHECKF(problem == NULL, "%s", problem);
    problem = same_except(&before, &after, "/soc/uart@1000", "status");
    CHECKF(problem == NULL, "%s", problem);
    CHECK_EQ(after.props, before.props);

    /* Shrink: "reg" 8 -> 4 bytes; the blob's used part ends 4 bytes earlier
     * and the freed bytes are zero, totalsize stays. */
    uint32_t end = used_end(buffer);
    uint32_t one = 0x1234;
    CHECK_EQ(fdt_edit_set_cells(buffer, capacity, "/soc/uart@2000", "reg", &one, 1), OK);
    CHECK_EQ(used_end(buffer), end - 4);
    CHECK_EQ(header(buffer, HDR_TOTALSIZE), capacity);
    CHECK_EQ(be32(buffer + end - 4), 0);
    CHECK_EQ(fdt_open(&fdt, buffer, capacity), OK);
    uint32_t value = 0;
    CHECK_EQ(fdt_property_u32(&fdt, fdt_path_offset(&fdt, "/soc/uart@2000"), "reg", &value), OK);
    CHECK_EQ(value, 0x1234);
    /* Growing back needs the 4 bytes it freed, and no more. */
    uint32_t two[2] = { 0x2000, 0x100 };
    CHECK_EQ(fdt_edit_set_cells(buffer, capacity, "/soc/uart@2000", "reg", two, 2), OK);
    CHECK_EQ(fdt_edit_set_cells(buffer, capacity, "/soc/uart@2000", "reg", two, 2), OK);
    CHECK_EQ(fdt_edit_set_string(buffer, capacity, "/soc/uart@1000", "status", "okay"), OK);
    CHECK_EQ(memcmp(buffer, fixture().data, capacity), 0); /* back to dtc's bytes */
    uint32_t three[3] = { 1, 2, 3 };
    CHECK_EQ(fdt_edit_set_cells(buffer, capacity, "/soc/uart@2000", "reg", three, 3), TRUNCATED);
    CHECK_EQ(memcmp(buffer, fixture().data, capacity), 0);
    snapshot_free(&before);
    free(buffer);
}

TEST(new_properties_and_strings)
{
    struct fdt fdt;
    struct snapshot before, after;
    size_t capacity;
    uint32_t value = 0, length = 99;

    CHECK(fixture().data != NULL);
    uint8_t *buffer = fixture_buffer(256, &capacity);
    CHECK(snapshot_take(buffer, capacity, &before) == NULL);
    uint32_t strings_size = header(buffer, HDR_SIZE_STRINGS);
    uint32_t struct_size = header(buffer, HDR_SIZE_STRUCT);

    /* "reg" exists: no new string; the new token is 12 + 8 bytes. */
    uint32_t reg[2] = { 0x100, 0x10 };
    CHECK_EQ(fdt_edit_set_cells(buffer, capacity, "/empty-leaf", "reg", reg, 2), OK);
    CHECK_EQ(header(buffer, HDR_SIZE_STRINGS), strings_size);
    CHECK_EQ(header(buffer, HDR_SIZE_STRUCT), struct_size + 20);
    /* "rupt-reg" is the tail of "interrupt-reg": shared too. */
    CHECK_EQ(fdt_edit_set_property(buffer, capacity, "/chosen", "rupt-reg", NULL, 0), OK);
    CHECK_EQ(header(buffer, HDR_SIZE_STRINGS), strings_size);
    CHECK_EQ(header(buffer, HDR_SIZE_STRUCT), struct_size + 32);
    /* A new name: appended once, then reused. */
    CHECK_EQ(fdt_edit_set_string(buffer, capacity, "/chosen", "bootargs", "quiet"), OK);
    CHECK_EQ(header(buffer, HDR_SIZE_STRINGS), strings_size + sizeof "bootargs");
    CHECK_EQ(fdt_edit_set_string(buffer, capacity, "/soc", "bootargs", "x"), OK);
    CHECK_EQ(header(buffer, HDR_SIZE_STRINGS), strings_size + sizeof "bootargs");
    CHECK_EQ(header(buffer, HDR_SIZE_STRUCT), struct_size + 32 + 20 + 16);
    CHECK_EQ(header(buffer, HDR_TOTALSIZE), capacity - 256 + 32 + 20 + 16 + sizeof "bootargs");
    CHECK(tail_untouched(buffer, capacity));

    CHECK_EQ(fdt_open(&fdt, buffer, capacity), OK);
    int leaf = fdt_path_offset(&fdt, "/empty-leaf");
    CHECK_EQ(fdt_property_cell(&fdt, leaf, "reg", 1, &value), OK);
    CHECK_EQ(value, 0x10);
    int chosen = fdt_path_offset(&fdt, "/chosen");
    CHECK(fdt_property(&fdt, chosen, "rupt-reg", &length) != NULL);
    CHECK_EQ(length, 0);
    CHECK_STR(fdt_property(&fdt, chosen, "bootargs", NULL), "quiet");
    CHECK_STR(fdt_property(&fdt, fdt_path_offset(&fdt, "/soc"), "bootargs", NULL), "x");
    /* A new property goes after the node's last one, before its children. */
    CHECK_STR(fdt_node_name(&fdt, fdt_next_node(&fdt, fdt_path_offset(&fdt, "/soc"), NULL)),
              "uart@1000");

    const char *problem = walk_tree(buffer, capacity, &after);
    CHECKF(problem == NULL, "%s", problem);
    CHECK_EQ(after.props, before.props + 4);
    CHECK_EQ(after.nodes, before.nodes);
    for (int i = 0; i < before.props; i++) {
        const struct prop_entry *e = &before.entries[i];
        const struct prop_entry *a = snapshot_find(&after, e->path, e->name);
        CHECKF(a != NULL && a->length == e->length && memcmp(a->value, e->value, e->length) == 0,
               "%s:%s changed", e->path, e->name);
    }
    snapshot_free(&before);
    free(buffer);
}

TEST(delete_properties)
{
    struct fdt fdt;
    struct snapshot before, after;
    size_t capacity;

    CHECK(fixture().data != NULL);
    uint8_t *buffer = fixture_buffer(16, &capacity);
    CHECK(snapshot_take(buffer, capacity, &before) == NULL);
    uint32_t end = used_end(buffer);

    CHECK_EQ(fdt_edit_delete_property(buffer, capacity, "/soc/uart@1000", "compatible"), OK);
    CHECK_EQ(used_end(buffer), end - 12 - 12); /* "ns16550a" padded to 12 */
    CHECK_EQ(header(buffer, HDR_TOTALSIZE), fixture().size); /* never shrinks */
    for (uint32_t i = used_end(buffer); i < end; i++)
        CHECKF(buffer[i] == 0, "byte %u of the freed end is %#x", i, buffer[i]);
    CHECK(tail_untouched(buffer, capacity));
    const char *problem = walk_tree(buffer, capacity, &after);
    CHECKF(problem == NULL, "%s", problem);
    problem = same_except(&before, &after, "/soc/uart@1000", "compatible");
    CHECKF(problem == NULL, "%s", problem);
    CHECK_EQ(after.props, before.props - 1);
    CHECK_EQ(fdt_open(&fdt, buffer, capacity), OK);
    CHECK_EQ(fdt_node_by_compatible(&fdt, -1, "ns16550a"), -NOT_FOUND);

    /* Absent now, and absent anyway: NOT_FOUND, nothing changes. */
    uint8_t *copy = unit_copy(buffer, capacity);
    CHECK_EQ(fdt_edit_delete_property(buffer, capacity, "/soc/uart@1000", "compatible"), NOT_FOUND);
    CHECK_EQ(fdt_edit_delete_property(buffer, capacity, "/soc", "reg"), NOT_FOUND);
    CHECK_EQ(fdt_edit_delete_property(buffer, capacity, "/nosuch", "reg"), NOT_FOUND);
    CHECK_EQ(memcmp(buffer, copy, capacity), 0);
    free(copy);

    /* Every property of a node, the first one first; the node stays. */
    CHECK_EQ(fdt_edit_delete_property(buffer, capacity, "/memory", "device_type"), OK);
    CHECK_EQ(fdt_edit_delete_property(buffer, capacity, "/memory", "reg"), OK);
    CHECK_EQ(fdt_open(&fdt, buffer, capacity), OK);
    int memory = fdt_path_offset(&fdt, "/memory@40000000");
    CHECK(memory > 0);
    CHECK_STR(fdt_node_name(&fdt, fdt_next_node(&fdt, memory, NULL)), "soc");
    CHECK(walk_tree(buffer, capacity, &after) == NULL);
    CHECK_EQ(after.props, before.props - 3);
    snapshot_free(&before);
    free(buffer);
}

TEST(add_nodes)
{
    struct fdt fdt;
    struct snapshot before, after;
    size_t capacity;
    uint32_t value = 0;

    CHECK(fixture().data != NULL);
    uint8_t *buffer = fixture_buffer(256, &capacity);
    CHECK(snapshot_take(buffer, capacity, &before) == NULL);
    uint32_t struct_size = header(buffer, HDR_SIZE_STRUCT);

    /* Existing children, by exact name: no change at all. */
    CHECK_EQ(fdt_edit_add_node(buffer, capacity, "/", "chosen"), OK);
    CHECK_EQ(fdt_edit_add_node(buffer, capacity, "/soc", "uart@1000"), OK);
    CHECK_EQ(memcmp(buffer, before.copy, capacity), 0);

    /* "reserved-memory" (16 bytes with its NUL): 4 + 16 + 4 bytes. */
    CHECK_EQ(fdt_edit_add_node(buffer, capacity, "/", "reserved-memory"), OK);
    CHECK_EQ(header(buffer, HDR_SIZE_STRUCT), struct_size + 24);
    CHECK_EQ(fdt_edit_add_node(buffer, capacity, "/reserved-memory", "area@48000000"), OK);
    uint32_t reg[2] = { 0x48000000, 0x100000 };
    CHECK_EQ(fdt_edit_set_cells(buffer, capacity, "/reserved-memory/area@48000000", "reg", reg, 2),
             OK);
    CHECK_EQ(fdt_edit_add_node(buffer, capacity, "/reserved-memory", "area@48000000"), OK);
    /* Another child of /soc goes after its last one. */
    CHECK_EQ(fdt_edit_add_node(buffer, capacity, "/soc", "timer@3000"), OK);
    CHECK_EQ(fdt_edit_set_cells(buffer, capacity, "/soc/timer", "reg", reg, 1), OK);

    CHECK_EQ(fdt_open(&fdt, buffer, capacity), OK);
    int area = fdt_path_offset(&fdt, "/reserved-memory/area");
    int reserved = fdt_path_offset(&fdt, "/reserved-memory");
    CHECK(area > 0 && reserved > 0);
    CHECK_EQ(fdt_parent(&fdt, area), reserved);
    CHECK_EQ(fdt_parent(&fdt, reserved), 0);
    CHECK_EQ(fdt_property_cell(&fdt, area, "reg", 0, &value), OK);
    CHECK_EQ(value, 0x48000000);
    int depth = 0;
    CHECK_EQ(fdt_next_node(&fdt, fdt_path_offset(&fdt, "/empty-leaf"), &depth), reserved);
    CHECK_EQ(depth, 0); /* the root's last child, after /empty-leaf */
    int timer = fdt_path_offset(&fdt, "/soc/timer@3000");
    CHECK_EQ(fdt_parent(&fdt, timer), fdt_path_offset(&fdt, "/soc"));
    CHECK_EQ(fdt_next_node(&fdt, fdt_path_offset(&fdt, "/soc/uart@2000"), NULL), timer);

    const char *problem = walk_tree(buffer, capacity, &after);
    CHECKF(problem == NULL, "%s", problem);
    CHECK_EQ(after.nodes, before.nodes + 3);
    CHECK_EQ(after.props, before.props + 2);
    CHECK(tail_untouched(buffer, capacity));

    /* A name that differs only by its unit address is another node, and so
     * is a grandchild's name. (The reader's "/soc/uart" still finds uart@1000.) */
    CHECK_EQ(fdt_edit_add_node(buffer, capacity, "/soc", "uart"), OK);
    CHECK_EQ(fdt_edit_add_node(buffer, capacity, "/", "uart@1000"), OK);
    CHECK_EQ(fdt_open(&fdt, buffer, capacity), OK);
    CHECK_STR(fdt_node_name(&fdt, fdt_next_node(&fdt, timer, NULL)), "uart");
    CHECK_EQ(fdt_parent(&fdt, fdt_path_offset(&fdt, "/uart@1000")), 0);
    CHECK(walk_tree(buffer, capacity, &after) == NULL);
    CHECK_EQ(after.nodes, before.nodes + 5);
    snapshot_free(&before);
    free(buffer);
}

/* The reservation map is neither moved nor changed by any edit. */
TEST(reservations_kept)
{
    size_t capacity;

    CHECK(fixture().data != NULL);
    uint8_t *buffer = fixture_buffer(512, &capacity);
    uint32_t rsvmap = header(buffer, HDR_OFF_RSVMAP), off_struct = header(buffer, HDR_OFF_STRUCT);
    CHECK_EQ(off_struct - rsvmap, 3 * 16); /* two entries and the terminator */
    CHECK_EQ(be32(buffer + rsvmap + 4), 0x48000000);
    uint8_t *original = unit_copy(buffer, off_struct);

    uint32_t cells[3] = { 1, 2, 3 };
    CHECK_EQ(fdt_edit_set_cells(buffer, capacity, "/", "linux,phandle-like", cells, 3), OK);
    CHECK_EQ(fdt_edit_add_node(buffer, capacity, "/", "extra"), OK);
    CHECK_EQ(fdt_edit_set_string(buffer, capacity, "/extra", "status", "disabled"), OK);
    CHECK_EQ(fdt_edit_delete_property(buffer, capacity, "/", "compatible"), OK);
    CHECK_EQ(header(buffer, HDR_OFF_RSVMAP), rsvmap);
    CHECK_EQ(header(buffer, HDR_OFF_STRUCT), off_struct);
    CHECK_EQ(memcmp(buffer + 40, original + 40, off_struct - 40), 0);
    /* The header: magic, structure and map offsets, last compatible version
     * and boot CPU as they were. */
    CHECK_EQ(header(buffer, HDR_MAGIC), header(original, HDR_MAGIC));
    CHECK_EQ(header(buffer, HDR_LAST_COMP_VERSION), header(original, HDR_LAST_COMP_VERSION));
    CHECK_EQ(header(buffer, HDR_BOOT_CPUID), header(original, HDR_BOOT_CPUID));
    struct snapshot snap;
    CHECK(walk_tree(buffer, capacity, &snap) == NULL);
    free(original);
    free(buffer);
}

/* QEMU pads its DTB to a megabyte: edits use that room, totalsize stays. */
TEST(padded_qemu_blob)
{
    struct fdt fdt;
    struct snapshot before, after;
    struct blob b = qemu_virt();

    CHECKF(b.data != NULL, "cannot read QEMU's DTB (argument 3): %s", unit_arg(3));
    uint8_t *buffer = buffer_with(b, b.size);
    CHECK(snapshot_take(buffer, b.size, &before) == NULL);
    uint32_t end = used_end(buffer);
    /* Whether QEMU's strings block already holds the name "bootargs". */
    bool named = false;
    const uint8_t *strings = buffer + header(buffer, HDR_OFF_STRINGS);
    for (uint32_t at = 0; at + sizeof "bootargs" <= header(buffer, HDR_SIZE_STRINGS); at++)
        named |= memcmp(strings + at, "bootargs", sizeof "bootargs") == 0;

    CHECK_EQ(fdt_edit_set_string(buffer, b.size, "/chosen", "bootargs", "console=ttyAMA0"), OK);
    CHECK_EQ(fdt_edit_delete_property(buffer, b.size, "/chosen", "kaslr-seed"), OK);
    CHECK_EQ(fdt_edit_delete_property(buffer, b.size, "/chosen", "rng-seed"), OK);
    CHECK_EQ(header(buffer, HDR_TOTALSIZE), b.size);
    /* + bootargs (12 + 16, and its name unless QEMU had it), - kaslr-seed
     * (12 + 8), - rng-seed (12 + 32). */
    CHECK_EQ(used_end(buffer), end + 28 + (named ? 0 : sizeof "bootargs") - 20 - 44);
    CHECK_EQ(fdt_open(&fdt, buffer, b.size), OK);
    CHECK_STR(fdt_property(&fdt, fdt_path_offset(&fdt, "/chosen"), "bootargs", NULL),
              "console=ttyAMA0");
    const char *problem = walk_tree(buffer, b.size, &after);
    CHECKF(problem == NULL, "%s", problem);
    CHECK_EQ(after.props, before.props - 1);
    CHECK_EQ(after.nodes, before.nodes);
    snapshot_free(&before);
    free(buffer);
}

/* The reader needs no alignment; neither does the editor. */
TEST(unaligned_blob)
{
    struct fdt fdt;
    size_t capacity = fixture().size + 64;
    uint32_t value = 0;

    CHECK(fixture().data != NULL);
    uint8_t *raw = malloc(capacity + 1);
    CHECK(raw != NULL);
    memcpy(raw + 1, fixture().data, fixture().size);
    uint8_t *buffer = raw + 1;
    uint32_t memory[2] = { 0x40000000, 0x20000000 };
    CHECK_EQ(fdt_edit_set_cells(buffer, capacity, "/memory", "reg", memory, 2), OK);
    CHECK_EQ(fdt_edit_set_cells(buffer, capacity, "/chosen", "linux,initrd-start", memory, 1), OK);
    CHECK_EQ(fdt_open(&fdt, buffer, capacity), OK);
    CHECK_EQ(fdt_property_cell(&fdt, fdt_path_offset(&fdt, "/memory"), "reg", 1, &value), OK);
    CHECK_EQ(value, 0x20000000);
    int chosen = fdt_path_offset(&fdt, "/chosen");
    CHECK_EQ(fdt_property_u32(&fdt, chosen, "linux,initrd-start", &value), OK);
    CHECK_EQ(value, 0x40000000);
    free(raw);
}

/* ---- refusals ---- */

TEST(bad_arguments)
{
    size_t capacity;
    uint32_t cell = 1;

    CHECK(fixture().data != NULL);
    uint8_t *buffer = fixture_buffer(256, &capacity);
    uint8_t *copy = unit_copy(buffer, capacity);
    static const char *const bad_property_names[] = {
        "", "a b", "a/b", "a@b", "nul\x01", "0123456789012345678901234567890x", /* 32 */
    };
    static const char *const bad_node_names[] = {
        "", "@1", "a@", "a@b@c", "a/b", "a?", "a#", "0123456789012345678901234567890x",
        "a@0123456789012345678901234567890x",
    };

    CHECK_EQ(fdt_edit_set_property(NULL, capacity, "/", "x", NULL, 0), INVALID);
    CHECK_EQ(fdt_edit_set_property(buffer, capacity, NULL, "x", NULL, 0), INVALID);
    CHECK_EQ(fdt_edit_set_property(buffer, capacity, "/", NULL, NULL, 0), INVALID);
    CHECK_EQ(fdt_edit_set_property(buffer, capacity, "/", "x", NULL, 4), INVALID);
    CHECK_EQ(fdt_edit_set_property(buffer, capacity, "chosen", "x", NULL, 0), INVALID);
    CHECK_EQ(fdt_edit_set_string(buffer, capacity, "/", "x", NULL), INVALID);
    CHECK_EQ(fdt_edit_set_cells(buffer, capacity, "/", "x", NULL, 1), INVALID);
    CHECK_EQ(fdt_edit_add_node(buffer, capacity, NULL, "x"), INVALID);
    CHECK_EQ(fdt_edit_add_node(buffer, capacity, "/", NULL), INVALID);
    CHECK_EQ(fdt_edit_delete_property(buffer, capacity, "/", NULL), INVALID);
    CHECK_EQ(fdt_edit_check(NULL, capacity), INVALID);
    for (unsigned i = 0; i < sizeof bad_property_names / sizeof bad_property_names[0]; i++) {
        const char *name = bad_property_names[i];
        CHECKF(fdt_edit_set_cells(buffer, capacity, "/", name, &cell, 1) == INVALID, "\"%s\"",
               name);
        CHECKF(fdt_edit_delete_property(buffer, capacity, "/", name) == INVALID, "\"%s\"", name);
    }
    const char *longest = "0123456789012345678901234567890"; /* 31 characters */
    CHECK_EQ(fdt_edit_set_cells(buffer, capacity, "/", longest, &cell, 1), OK);
    CHECK_EQ(fdt_edit_set_property(buffer, capacity, "/", "#a,b.c_d+e?f-g", NULL, 0), OK);
    memcpy(copy, buffer, capacity);
    for (unsigned i = 0; i < sizeof bad_node_names / sizeof bad_node_names[0]; i++)
        CHECKF(fdt_edit_add_node(buffer, capacity, "/", bad_node_names[i]) == INVALID, "\"%s\"",
               bad_node_names[i]);

    /* Arguments inside the buffer would move under the editor's feet. */
    struct fdt fdt;
    CHECK_EQ(fdt_open(&fdt, buffer, capacity), OK);
    int uart = fdt_path_offset(&fdt, "/soc/uart@1000");
    const char *status = fdt_property(&fdt, uart, "status", NULL);
    const char *inside_name = (const char *)buffer + fdt.strings_offset; /* a property name */
    CHECK_EQ(fdt_edit_set_string(buffer, capacity, "/chosen", "status", status), INVALID);
    CHECK_EQ(fdt_edit_set_property(buffer, capacity, "/chosen", "x", buffer + capacity - 1, 1),
             INVALID);
    CHECK_EQ(fdt_edit_set_property(buffer, capacity, "/chosen", "x", buffer - 1, 2), INVALID);
    const uint32_t *inside_cells = (const uint32_t *)(buffer + 8);
    CHECK_EQ(fdt_edit_set_cells(buffer, capacity, "/chosen", "x", inside_cells, 1), INVALID);
    CHECK_EQ(fdt_edit_set_string(buffer, capacity, "/chosen", inside_name, "x"), INVALID);
    CHECK_EQ(fdt_edit_add_node(buffer, capacity, "/", inside_name), INVALID);
    CHECK_EQ(fdt_edit_delete_property(buffer, capacity, "/", inside_name), INVALID);
    CHECK_EQ(memcmp(buffer, copy, capacity), 0);

    /* Missing nodes. */
    CHECK_EQ(fdt_edit_set_string(buffer, capacity, "/nosuch", "x", "y"), NOT_FOUND);
    CHECK_EQ(fdt_edit_set_string(buffer, capacity, "/soc/uart@1000/x", "x", "y"), NOT_FOUND);
    CHECK_EQ(fdt_edit_add_node(buffer, capacity, "/nosuch", "x"), NOT_FOUND);
    CHECK_EQ(memcmp(buffer, copy, capacity), 0);
    free(copy);
    free(buffer);
}

/* Every capacity from 0 up: too small for the blob is MALFORMED (fdt_open's
 * word), too small for the edit TRUNCATED, both with the buffer unchanged. */
TEST(every_capacity)
{
    CHECK(fixture().data != NULL);
    size_t size = fixture().size;
    uint32_t grown = 0;

    for (size_t capacity = 0; capacity <= size + 64; capacity++) {
        uint8_t *buffer = buffer_with(fixture(), capacity);
        uint8_t *copy = unit_copy(buffer, capacity);
        int expected = capacity < size ? MALFORMED : capacity < size + 16 + 19 ? TRUNCATED : OK;
        uint32_t start = 0x48000000;
        int err = fdt_edit_set_cells(buffer, capacity, "/chosen", "linux,initrd-start", &start, 1);
        CHECKF(err == expected, "capacity %zu: got %d, expected %d", capacity, err, expected);
        if (err != OK)
            CHECKF(memcmp(buffer, copy, capacity) == 0, "capacity %zu: changed", capacity);
        else
            grown = header(buffer, HDR_TOTALSIZE);
        free(copy);
        free(buffer);
    }
    CHECK_EQ(grown, size + 16 + 19);
}

/* A copy of the fixture in a buffer with room, for patching into odd shapes. */
static uint8_t *patchable(size_t *capacity)
{
    *capacity = fixture().size + 64;
    return buffer_with(fixture(), *capacity);
}

/* Every edit refuses the blob with MALFORMED and leaves it unchanged. */
static const char *all_refuse(uint8_t *buffer, size_t capacity)
{
    uint32_t cell = 7;
    uint8_t *copy = unit_copy(buffer, capacity);
    int results[5] = {
        fdt_edit_check(buffer, capacity),
        fdt_edit_set_cells(buffer, capacity, "/chosen", "x", &cell, 1),
        fdt_edit_set_string(buffer, capacity, "/memory", "reg", "x"),
        fdt_edit_add_node(buffer, capacity, "/", "x"),
        fdt_edit_delete_property(buffer, capacity, "/memory", "reg"),
    };
    bool unchanged = memcmp(buffer, copy, capacity) == 0;
    free(copy);
    for (int i = 0; i < 5; i++) {
        if (results[i] != MALFORMED)
            return "an edit accepted the blob";
    }
    return unchanged ? NULL : "a refused edit changed the blob";
}

TEST(refused_layouts)
{
    struct fdt fdt;
    size_t capacity;
    const char *problem;

    CHECK(fixture().data != NULL);
    uint32_t off_struct = header(fixture().data, HDR_OFF_STRUCT);
    uint32_t size_struct = header(fixture().data, HDR_SIZE_STRUCT);
    uint32_t off_strings = header(fixture().data, HDR_OFF_STRINGS);
    uint32_t size_strings = header(fixture().data, HDR_SIZE_STRINGS);

    /* Strings before the structure block: the reader copes, the editor refuses. */
    uint8_t *buffer = patchable(&capacity);
    uint32_t padded = align4(size_strings);
    memcpy(buffer + off_struct, fixture().data + off_strings, size_strings);
    memcpy(buffer + off_struct + padded, fixture().data + off_struct, size_struct);
    set_header(buffer, HDR_OFF_STRINGS, off_struct);
    set_header(buffer, HDR_OFF_STRUCT, off_struct + padded);
    set_header(buffer, HDR_TOTALSIZE, off_struct + padded + size_struct);
    CHECK_EQ(fdt_open(&fdt, buffer, capacity), OK);
    CHECK(fdt_path_offset(&fdt, "/soc/uart@2000") > 0);
    problem = all_refuse(buffer, capacity);
    CHECKF(problem == NULL, "strings first: %s", problem);
    free(buffer);

    /* The reservation map without its terminator (the structure block follows). */
    buffer = patchable(&capacity);
    buffer[off_struct - 1] = 1;
    problem = all_refuse(buffer, capacity);
    CHECKF(problem == NULL, "unterminated reservations: %s", problem);
    free(buffer);

    /* The reservation map after the structure block. */
    buffer = patchable(&capacity);
    set_header(buffer, HDR_OFF_RSVMAP, (off_struct + size_struct + 7) & ~7u);
    if (fdt_open(&fdt, buffer, capacity) == OK) {
        problem = all_refuse(buffer, capacity);
        CHECKF(problem == NULL, "reservations last: %s", problem);
    }
    free(buffer);

    /* Version 16 (the reader refuses it too). */
    buffer = patchable(&capacity);
    set_header(buffer, HDR_VERSION, 16);
    problem = all_refuse(buffer, capacity);
    CHECKF(problem == NULL, "version 16: %s", problem);
    free(buffer);

    /* A property after a subnode: /memory's device_type becomes an empty
     * child "x" and NOPs, so its reg follows a child. */
    buffer = patchable(&capacity);
    CHECK_EQ(fdt_open(&fdt, buffer, capacity), OK);
    int memory = fdt_path_offset(&fdt, "/memory");
    uint32_t first_property = align4((uint32_t)memory + 4 + sizeof "memory@40000000");
    uint8_t *token = buffer + fdt.struct_offset + first_property;
    CHECK_EQ(be32(token), FDT_PROP);
    CHECK_EQ(be32(token + 4), sizeof "memory"); /* 12 + 8: five words */
    static const uint8_t child[20] = { 0, 0, 0, FDT_BEGIN_NODE, 'x', 0, 0, 0, 0, 0, 0, FDT_END_NODE,
                                       0, 0, 0, FDT_NOP, 0, 0, 0, FDT_NOP };
    memcpy(token, child, sizeof child);
    CHECK(fdt_path_offset(&fdt, "/memory/x") > 0);
    problem = all_refuse(buffer, capacity);
    CHECKF(problem == NULL, "property after a child: %s", problem);
    free(buffer);

    /* FDT_END inside the root, or missing, or not last. */
    uint8_t *end = NULL;
    buffer = patchable(&capacity);
    end = buffer + off_struct + size_struct - 4;
    CHECK_EQ(be32(end), FDT_END);
    CHECK_EQ(be32(end - 4), FDT_END_NODE);
    put_be32(end - 4, FDT_END);
    put_be32(end, FDT_NOP);
    problem = all_refuse(buffer, capacity);
    CHECKF(problem == NULL, "END inside the root: %s", problem);
    put_be32(end - 4, FDT_END_NODE);
    problem = all_refuse(buffer, capacity);
    CHECKF(problem == NULL, "no END: %s", problem);
    put_be32(end - 4, FDT_END);
    put_be32(end, FDT_END);
    problem = all_refuse(buffer, capacity);
    CHECKF(problem == NULL, "END twice: %s", problem);
    free(buffer);

    /* A second root: the root closes before /empty-leaf, its last child. */
    buffer = patchable(&capacity);
    end = buffer + off_struct + size_struct - 4;
    uint8_t *leaf = end - 4 - 4 - 16;
    CHECK_EQ(be32(leaf), FDT_BEGIN_NODE);
    memmove(leaf + 4, leaf, 16 + 4); /* BEGIN_NODE and name, END_NODE */
    put_be32(leaf, FDT_END_NODE);
    CHECK_EQ(fdt_open(&fdt, buffer, capacity), OK);
    problem = all_refuse(buffer, capacity);
    CHECKF(problem == NULL, "two roots: %s", problem);
    free(buffer);

    /* FDT_END before the end of the block: /empty-leaf (the root's last child:
     * BEGIN_NODE, "empty-leaf" padded to 12, END_NODE) becomes NOPs after it. */
    buffer = patchable(&capacity);
    end = buffer + off_struct + size_struct - 4;
    CHECK_EQ(be32(end - 4 - 20), FDT_BEGIN_NODE);
    CHECK_EQ(memcmp(end - 20, "empty-leaf", sizeof "empty-leaf"), 0);
    put_be32(end - 4 - 20, FDT_END_NODE);
    put_be32(end - 20, FDT_END);
    for (uint8_t *word = end - 16; word <= end; word += 4)
        put_be32(word, FDT_NOP);
    CHECK_EQ(fdt_open(&fdt, buffer, capacity), OK);
    CHECK_EQ(fdt_path_offset(&fdt, "/empty-leaf"), -NOT_FOUND);
    problem = all_refuse(buffer, capacity);
    CHECKF(problem == NULL, "END not last: %s", problem);
    free(buffer);

    /* A later version is accepted and written back as 17. */
    buffer = patchable(&capacity);
    set_header(buffer, HDR_VERSION, 18);
    CHECK_EQ(fdt_edit_add_node(buffer, capacity, "/", "x"), OK);
    CHECK_EQ(header(buffer, HDR_VERSION), 17);
    free(buffer);
}

/* ---- random edit sequences against a snapshot ---- */

static uint32_t rng_state = 0x2545f491;

static uint32_t rng(void)
{
    return xorshift32(&rng_state);
}

static const char *const random_paths[] = {
    "/", "/chosen", "/memory@40000000", "/soc", "/soc/uart@1000", "/soc/uart@2000",
    "/empty-leaf", "/added", "/soc/added@5", "/added/deeper", "/nosuch",
};
static const char *const random_names[] = {
    "reg", "bootargs", "linux,initrd-start", "status", "compatible", "x",
    "a-thirty-one-character-name-xyz", "#address-cells",
};
static const char *const random_children[][2] = {
    { "/", "added" }, { "/soc", "added@5" }, { "/added", "deeper" }, { "/", "chosen" },
    { "/nosuch", "x" },
};

#define PICK(array) array[rng() % (sizeof array / sizeof array[0])]

/* The result a random edit must give: NOT_FOUND without the node (or, for
 * delete, the property), else OK, or TRUNCATED when the buffer is full. */
static bool result_ok(int err, bool found)
{
    return found ? err == OK || err == TRUNCATED : err == NOT_FOUND;
}

/* Checks the tree after an edit of path:name (path NULL: no property changed). */
static const char *check_edit(const struct snapshot *before, struct snapshot *after,
                              uint8_t *buffer, size_t capacity, const char *path, const char *name)
{
    const char *problem = walk_tree(buffer, capacity, after);

    if (problem == NULL)
        problem = same_except(before, after, path, name);
    if (problem == NULL && !tail_untouched(buffer, capacity))
        problem = "bytes past totalsize changed";
    return problem;
}

/* One random edit with its result checked, and the whole tree after it. */
static const char *random_edit(uint8_t *buffer, size_t capacity, int *result)
{
    static char problem[300];
    struct snapshot before, after;
    struct fdt fdt;
    uint8_t value[40];
    uint32_t length = rng() % sizeof value;
    const char *path = PICK(random_paths), *name = PICK(random_names);
    const char *edited = NULL;
    bool deleting = false;
    int err;

    if (snapshot_take(buffer, capacity, &before) != NULL ||
        fdt_open(&fdt, buffer, capacity) != OK) {
        snapshot_free(&before);
        return "the blob was broken before the edit";
    }
    int node = fdt_path_offset(&fdt, path);
    for (uint32_t i = 0; i < length; i++)
        value[i] = (uint8_t)rng();
    problem[0] = '\0';
    switch (rng() % 3) {
    case 0:
        err = fdt_edit_set_property(buffer, capacity, path, name, value, length);
        if (!result_ok(err, node >= 0))
            snprintf(problem, sizeof problem, "set %s:%s gave %d", path, name, err);
        break;
    case 1: {
        bool present = node >= 0 && fdt_property(&fdt, node, name, NULL) != NULL;
        err = fdt_edit_delete_property(buffer, capacity, path, name);
        if (err != (present ? OK : NOT_FOUND))
            snprintf(problem, sizeof problem, "delete %s:%s gave %d", path, name, err);
        deleting = true;
        break;
    }
    default: {
        const char *const *child = PICK(random_children);
        bool parent = fdt_path_offset(&fdt, child[0]) >= 0;
        err = fdt_edit_add_node(buffer, capacity, child[0], child[1]);
        if (!result_ok(err, parent))
            snprintf(problem, sizeof problem, "add %s/%s gave %d", child[0], child[1], err);
        path = NULL;
        break;
    }
    }
    *result = err;
    edited = err == OK ? path : NULL;
    if (problem[0] == '\0' && err != OK && memcmp(buffer, before.copy, capacity) != 0)
        snprintf(problem, sizeof problem, "a failed edit (%d) changed the blob", err);
    const char *found = NULL;
    if (problem[0] == '\0')
        found = check_edit(&before, &after, buffer, capacity, edited, name);
    if (found != NULL)
        snprintf(problem, sizeof problem, "%s", found);
    /* A set property reads back exactly; a deleted one is gone. */
    if (problem[0] == '\0' && edited != NULL) {
        const struct prop_entry *e = snapshot_find(&after, edited, name);
        bool wrong = deleting ? e != NULL
                              : e == NULL || e->length != length || memcmp(e->value, value, length);
        if (wrong)
            snprintf(problem, sizeof problem, "%s:%s not %s", edited, name,
                     deleting ? "deleted" : "read back");
    }
    snapshot_free(&before);
    return problem[0] == '\0' ? NULL : problem;
}

TEST(random_sequences)
{
    int results[OPAL_ERR_COUNT] = { 0 };

    CHECK(fixture().data != NULL);
    for (int sequence = 0; sequence < 40; sequence++) {
        size_t capacity = fixture().size + rng() % 400;
        uint8_t *buffer = buffer_with(fixture(), capacity);
        for (int step = 0; step < 60; step++) {
            int err = OK;
            const char *problem = random_edit(buffer, capacity, &err);
            results[err]++;
            if (problem != NULL)
                free(buffer);
            CHECKF(problem == NULL, "sequence %d step %d: %s", sequence, step, problem);
        }
        free(buffer);
    }
    CHECKF(results[OK] > 500 && results[TRUNCATED] > 50 && results[NOT_FOUND] > 100,
           "results: %d OK, %d TRUNCATED, %d NOT_FOUND", results[OK], results[TRUNCATED],
           results[NOT_FOUND]);
}

/* ---- hostile blobs ---- */

/* The used part of a blob in an exact-size copy with totalsize patched to it,
 * so QEMU's megabyte of padding need not be copied each round. */
static struct blob compact(struct blob b)
{
    struct blob c = { unit_copy(b.data, used_end(b.data)), used_end(b.data) };
    set_header(c.data, HDR_TOTALSIZE, (uint32_t)c.size);
    return c;
}

/* One of the edits a VMM makes, or a node added or a property deleted. */
static int any_edit(uint8_t *buffer, size_t capacity, uint32_t which)
{
    if (which < VMM_STEPS)
        return vmm_edit(buffer, capacity, (int)which);
    if (which == VMM_STEPS)
        return fdt_edit_add_node(buffer, capacity, "/", "added");
    return fdt_edit_delete_property(buffer, capacity, "/", "compatible");
}

struct fuzz_counts {
    int accepted;   /* the edit went through */
    int refused;    /* MALFORMED */
    int other;      /* NOT_FOUND, TRUNCATED */
};

/* Overwrites 1-4 random bytes in [from, to) of the blob, then makes one edit:
 * it must refuse with the buffer unchanged, or leave a blob the checker and
 * the reader accept. A blob fdt_edit_check accepts is never refused. */
static const char *mutated_edit(struct blob b, uint32_t from, uint32_t to,
                                struct fuzz_counts *counts)
{
    static char problem[300];
    struct snapshot after;
    size_t capacity = b.size + rng() % 128;
    uint8_t *buffer = buffer_with(b, capacity);
    uint32_t which = rng() % (VMM_STEPS + 2);
    const char *walked;

    flip_random_bytes(buffer, from, to, &rng_state);
    uint8_t *pristine = unit_copy(buffer, capacity);
    int checked = fdt_edit_check(buffer, capacity);
    int err = any_edit(buffer, capacity, which);
    problem[0] = '\0';
    if (err != OK && err != MALFORMED && err != NOT_FOUND && err != TRUNCATED)
        snprintf(problem, sizeof problem, "edit %u gave %d", which, err);
    else if ((checked == OK) != (err != MALFORMED))
        snprintf(problem, sizeof problem, "edit %u gave %d, the check %d", which, err, checked);
    else if (err != OK && memcmp(buffer, pristine, capacity) != 0)
        snprintf(problem, sizeof problem, "edit %u failed (%d) but changed the blob", which, err);
    else if (err == OK && (walked = walk_tree(buffer, capacity, &after)) != NULL)
        snprintf(problem, sizeof problem, "edit %u: %s", which, walked);
    else if (err == OK && !tail_untouched(buffer, capacity))
        snprintf(problem, sizeof problem, "edit %u wrote past totalsize", which);
    counts->accepted += err == OK;
    counts->refused += err == MALFORMED;
    counts->other += err == NOT_FOUND || err == TRUNCATED;
    free(pristine);
    free(buffer);
    return problem[0] == '\0' ? NULL : problem;
}

static const char *mutate_rounds(struct blob b, int rounds, bool header_too,
                                 struct fuzz_counts *counts)
{
    uint32_t from = header_too ? 0 : header(b.data, HDR_OFF_STRUCT);
    uint32_t to = header_too ? (uint32_t)b.size : from + header(b.data, HDR_SIZE_STRUCT);

    for (int round = 0; round < rounds; round++) {
        const char *problem = mutated_edit(b, from, to, counts);
        if (problem != NULL)
            return problem;
    }
    return NULL;
}

TEST(mutated_blobs)
{
    struct fuzz_counts structure = { 0 }, whole = { 0 }, guest_counts = { 0 }, virt_counts = { 0 };

    CHECK(fixture().data != NULL && guest().data != NULL && qemu_virt().data != NULL);
    struct blob virt = compact(qemu_virt());
    const char *problem = mutate_rounds(fixture(), 3000, false, &structure);
    if (problem == NULL)
        problem = mutate_rounds(fixture(), 2000, true, &whole);
    if (problem == NULL)
        problem = mutate_rounds(guest(), 2000, true, &guest_counts);
    if (problem == NULL)
        problem = mutate_rounds(virt, 200, false, &virt_counts);
    free(virt.data);
    CHECKF(problem == NULL, "%s", problem);
    /* The mutations must reach both the refusals and the edits. */
    CHECKF(structure.refused > 300 && structure.accepted > 300 && whole.refused > 300 &&
               whole.accepted > 300 && guest_counts.accepted > 300 && virt_counts.refused > 20,
           "accepted/refused: structure %d/%d, whole %d/%d, guest %d/%d, virt %d/%d",
           structure.accepted, structure.refused, whole.accepted, whole.refused,
           guest_counts.accepted, guest_counts.refused, virt_counts.accepted, virt_counts.refused);
}

/* Every prefix of the blob, with the header patched to fit it: refused
 * unless it happens to be a whole tree, never read past. */
TEST(truncated_blobs)
{
    struct blob b = fixture();
    int refused = 0;

    CHECK(b.data != NULL);
    uint32_t off_struct = header(b.data, HDR_OFF_STRUCT);
    uint32_t off_strings = header(b.data, HDR_OFF_STRINGS);
    CHECK(off_struct < off_strings);
    for (uint32_t length = off_struct; length < b.size; length++) {
        uint8_t *buffer = unit_copy(b.data, length);
        set_header(buffer, HDR_TOTALSIZE, length);
        if (length <= off_strings) {
            set_header(buffer, HDR_SIZE_STRUCT, length - off_struct);
            set_header(buffer, HDR_OFF_STRINGS, length);
            set_header(buffer, HDR_SIZE_STRINGS, 0);
        } else {
            set_header(buffer, HDR_SIZE_STRINGS, length - off_strings);
        }
        uint8_t *copy = unit_copy(buffer, length);
        for (uint32_t which = 0; which < VMM_STEPS + 2; which++) {
            int err = any_edit(buffer, length, which);
            CHECKF(err == MALFORMED, "prefix %u, edit %u: %d", length, which, err);
            CHECKF(memcmp(buffer, copy, length) == 0, "prefix %u changed", length);
            refused++;
        }
        free(copy);
        free(buffer);
    }
    CHECK(refused > 0);
}
