/* Bounds-checked reader for flattened device trees: every byte read is checked
 * against the block sizes fdt_open validated, so a hostile DTB gives an error. */
#include "core/fdt.h"

#include <stdbool.h>

#include "core/fdt_format.h"
#include "core/string.h"
#include "opal/error.h"

/* Cells per #address-cells / #size-cells we decode; more would be > 64 bits anyway. */
#define FDT_MAX_CELLS 4u

/* [offset, offset + size) lies after the header and inside total; 64-bit so
 * the sum cannot wrap. */
static bool block_fits(uint32_t offset, uint32_t size, uint32_t total)
{
    return offset >= FDT_HEADER_SIZE && (uint64_t)offset + size <= total;
}

static bool blocks_disjoint(uint32_t a, uint32_t a_size, uint32_t b, uint32_t b_size)
{
    return (uint64_t)a + a_size <= b || (uint64_t)b + b_size <= a;
}

int fdt_open(struct fdt *fdt, const void *blob, size_t max_size)
{
    const uint8_t *b = blob;

    if (fdt == NULL || b == NULL)
        return OPAL_ERR_INVALID_ARGUMENT;
    if (max_size < FDT_HEADER_SIZE || be32(b + 4 * HDR_MAGIC) != FDT_MAGIC)
        return OPAL_ERR_MALFORMED;

    uint32_t total = be32(b + 4 * HDR_TOTALSIZE);
    uint32_t off_struct = be32(b + 4 * HDR_OFF_STRUCT);
    uint32_t size_struct = be32(b + 4 * HDR_SIZE_STRUCT);
    uint32_t off_strings = be32(b + 4 * HDR_OFF_STRINGS);
    uint32_t size_strings = be32(b + 4 * HDR_SIZE_STRINGS);
    uint32_t off_rsvmap = be32(b + 4 * HDR_OFF_RSVMAP);

    if (total < FDT_HEADER_SIZE || total > max_size || total > FDT_MAX_SIZE)
        return OPAL_ERR_MALFORMED;
    /* Version 16 has no size_dt_struct, which every bound below relies on. */
    if (be32(b + 4 * HDR_VERSION) < FDT_VERSION || be32(b + 4 * HDR_LAST_COMP_VERSION) > FDT_VERSION)
        return OPAL_ERR_MALFORMED;
    if (off_struct % 4 != 0 || off_rsvmap % 8 != 0)
        return OPAL_ERR_MALFORMED;
    if (!block_fits(off_struct, size_struct, total) || !block_fits(off_strings, size_strings, total) ||
        !block_fits(off_rsvmap, FDT_RSVMAP_ENTRY, total) ||
        !blocks_disjoint(off_struct, size_struct, off_strings, size_strings))
        return OPAL_ERR_MALFORMED;

    fdt->blob = b;
    fdt->size = total;
    fdt->struct_offset = off_struct;
    fdt->struct_size = size_struct;
    fdt->strings_offset = off_strings;
    fdt->strings_size = size_strings;
    return OPAL_OK;
}

/* The property name at nameoff in the strings block, or NULL when it is
 * outside the block or not NUL-terminated inside it. */
static const char *string_at(const struct fdt *fdt, uint32_t nameoff)
{
    if (nameoff >= fdt->strings_size)
        return NULL;
    const char *s = (const char *)fdt->blob + fdt->strings_offset + nameoff;
    uint32_t room = fdt->strings_size - nameoff;
    return core_strnlen(s, room) < room ? s : NULL;
}

/* The FDT_PROP payload at offset (just past the token): len, nameoff, value. */
static int read_property(const struct fdt *fdt, uint32_t offset, struct fdt_token *t)
{
    const uint8_t *p = fdt->blob + fdt->struct_offset + offset;

    if (fdt->struct_size - offset < 8)
        return -OPAL_ERR_MALFORMED;
    t->length = be32(p);
    t->name = string_at(fdt, be32(p + 4));
    offset += 8;
    if (t->name == NULL || t->length > fdt->struct_size - offset)
        return -OPAL_ERR_MALFORMED;
    t->value = p + 8;
    t->next = (uint32_t)align4((uint64_t)offset + t->length);
    return OPAL_OK;
}

int fdt_read_token(const struct fdt *fdt, uint32_t offset, struct fdt_token *t)
{
    if (offset % 4 != 0 || offset > fdt->struct_size || fdt->struct_size - offset < 4)
        return -OPAL_ERR_MALFORMED;
    t->type = be32(fdt->blob + fdt->struct_offset + offset);
    t->offset = offset;
    offset += 4;
    t->next = offset;
    switch (t->type) {
    case FDT_BEGIN_NODE: {
        uint32_t room = fdt->struct_size - offset;
        t->name = (const char *)fdt->blob + fdt->struct_offset + offset;
        size_t len = core_strnlen(t->name, room);
        if (len == room)
            return -OPAL_ERR_MALFORMED;
        t->next = (uint32_t)align4((uint64_t)offset + (uint32_t)len + 1);
        return OPAL_OK;
    }
    case FDT_PROP:
        return read_property(fdt, offset, t);
    case FDT_END_NODE:
    case FDT_NOP:
    case FDT_END:
        return OPAL_OK;
    default:
        return -OPAL_ERR_MALFORMED;
    }
}

/* Parses the FDT_BEGIN_NODE token of a node the caller named. An offset that
 * holds no FDT_BEGIN_NODE is the caller's mistake, not the blob's. */
static int read_node(const struct fdt *fdt, int node, struct fdt_token *t)
{
    if (fdt == NULL || node < 0 || (uint32_t)node % 4 != 0 || fdt->struct_size < 4 ||
        (uint32_t)node > fdt->struct_size - 4 ||
        be32(fdt->blob + fdt->struct_offset + (uint32_t)node) != FDT_BEGIN_NODE)
        return -OPAL_ERR_INVALID_ARGUMENT;
    return fdt_read_token(fdt, (uint32_t)node, t);
}

int fdt_next_node(const struct fdt *fdt, int node, int *depth)
{
    struct fdt_token t;
    uint32_t offset = 0;

    if (node != -1) {
        int err = read_node(fdt, node, &t);
        if (err != OPAL_OK)
            return err;
        offset = t.next;
    } else if (fdt == NULL) {
        return -OPAL_ERR_INVALID_ARGUMENT;
    }
    /* Terminates: every token moves offset forward by at least 4. */
    for (;;) {
        int err = fdt_read_token(fdt, offset, &t);
        if (err != OPAL_OK)
            return err;
        switch (t.type) {
        case FDT_BEGIN_NODE:
            if (depth != NULL)
                ++*depth;
            return (int)offset;
        case FDT_END_NODE:
            if (depth != NULL)
                --*depth;
            break;
        case FDT_END:
            return -OPAL_ERR_NOT_FOUND;
        }
        offset = t.next;
    }
}

/* Whether a node name ("uart@1000") matches a path component: exactly, or by
 * its base name ("uart") followed by a unit address. */
static bool name_matches(const char *name, const char *component, size_t len)
{
    return core_strncmp(name, component, len) == 0 && (name[len] == '\0' || name[len] == '@');
}

static int find_child(const struct fdt *fdt, int parent, const char *component, size_t len)
{
    int depth = 0;
    int node = parent;

    for (;;) {
        node = fdt_next_node(fdt, node, &depth);
        if (node < 0)
            return node;
        if (depth <= 0)
            return -OPAL_ERR_NOT_FOUND;
        if (depth == 1 && name_matches(fdt_node_name(fdt, node), component, len))
            return node;
    }
}

int fdt_path_offset(const struct fdt *fdt, const char *path)
{
    if (fdt == NULL || path == NULL || path[0] != '/')
        return -OPAL_ERR_INVALID_ARGUMENT;

    int node = fdt_next_node(fdt, -1, NULL);
    while (node >= 0) {
        while (*path == '/')
            path++;
        if (*path == '\0')
            return node;
        size_t len = 0;
        while (path[len] != '\0' && path[len] != '/')
            len++;
        node = find_child(fdt, node, path, len);
        path += len;
    }
    return node;
}

int fdt_node_by_compatible(const struct fdt *fdt, int start, const char *compatible)
{
    int node = start;

    if (compatible == NULL)
        return -OPAL_ERR_INVALID_ARGUMENT;
    for (;;) {
        node = fdt_next_node(fdt, node, NULL);
        if (node < 0)
            return node;
        int found = fdt_stringlist_contains(fdt, node, "compatible", compatible);
        if (found != 0)
            return found > 0 ? node : found;
    }
}

/* The depth of target below the root (0 for the root), found by walking from
 * the root; -OPAL_ERR_INVALID_ARGUMENT if the walk never meets it. */
static int depth_of(const struct fdt *fdt, int target)
{
    int depth = -1;
    int node = -1;

    do {
        node = fdt_next_node(fdt, node, &depth);
        if (node == -OPAL_ERR_NOT_FOUND || node > target)
            return -OPAL_ERR_INVALID_ARGUMENT;
        if (node < 0)
            return node;
        if (depth < 0)
            return -OPAL_ERR_MALFORMED; /* more END_NODEs than BEGIN_NODEs */
    } while (node != target);
    return depth;
}

/* Two walks and no stack, so nesting depth is unlimited: the parent is the last
 * node one level up that precedes the node in document order. */
int fdt_parent(const struct fdt *fdt, int node)
{
    struct fdt_token t;
    int err = read_node(fdt, node, &t);
    if (err != OPAL_OK)
        return err;
    int target_depth = depth_of(fdt, node);
    if (target_depth <= 0)
        return target_depth == 0 ? -OPAL_ERR_NOT_FOUND : target_depth;

    int depth = -1;
    int walk = -1;
    int parent = -OPAL_ERR_MALFORMED;
    for (;;) {
        walk = fdt_next_node(fdt, walk, &depth);
        if (walk < 0 || walk == node)
            return walk < 0 ? walk : parent;
        if (depth == target_depth - 1)
            parent = walk;
    }
}

const char *fdt_node_name(const struct fdt *fdt, int node)
{
    struct fdt_token t;

    return read_node(fdt, node, &t) == OPAL_OK ? t.name : NULL;
}

/* Properties come right after the node's name, before its first child. */
static int find_property(const struct fdt *fdt, int node, const char *name, struct fdt_token *t)
{
    if (name == NULL)
        return -OPAL_ERR_INVALID_ARGUMENT;
    int err = read_node(fdt, node, t);
    while (err == OPAL_OK) {
        err = fdt_read_token(fdt, t->next, t);
        if (err != OPAL_OK)
            break;
        if (t->type == FDT_PROP && core_strcmp(t->name, name) == 0)
            return OPAL_OK;
        if (t->type != FDT_PROP && t->type != FDT_NOP)
            return -OPAL_ERR_NOT_FOUND;
    }
    return err;
}

int fdt_next_property(const struct fdt *fdt, int node, int cursor, const char **name,
                      const void **value, uint32_t *length)
{
    struct fdt_token t;
    if (name == NULL || value == NULL || length == NULL || cursor < 0)
        return -OPAL_ERR_INVALID_ARGUMENT;
    int err = read_node(fdt, node, &t);
    if (err != OPAL_OK)
        return err;
    /* A property's cursor is the offset just past it, never inside the node
     * header, so one before the header's end is the caller's mistake. */
    if (cursor != 0 && (uint32_t)cursor < t.next)
        return -OPAL_ERR_INVALID_ARGUMENT;
    uint32_t offset = cursor == 0 ? t.next : (uint32_t)cursor;
    for (;;) {
        err = fdt_read_token(fdt, offset, &t);
        if (err != OPAL_OK)
            return err;
        if (t.type == FDT_PROP) {
            *name = t.name;
            *value = t.value;
            *length = t.length;
            return t.next > INT32_MAX ? -OPAL_ERR_MALFORMED : (int)t.next;
        }
        if (t.type != FDT_NOP)
            return -OPAL_ERR_NOT_FOUND;
        offset = t.next;
    }
}

const void *fdt_property(const struct fdt *fdt, int node, const char *name, uint32_t *length)
{
    struct fdt_token t;
    bool found = find_property(fdt, node, name, &t) == OPAL_OK;

    if (length != NULL)
        *length = found ? t.length : 0;
    return found ? t.value : NULL;
}

int fdt_property_u32(const struct fdt *fdt, int node, const char *name, uint32_t *value)
{
    struct fdt_token t;
    int err = find_property(fdt, node, name, &t);

    if (err != OPAL_OK)
        return err;
    if (t.length != 4)
        return -OPAL_ERR_MALFORMED;
    *value = be32(t.value);
    return OPAL_OK;
}

int fdt_property_cell(const struct fdt *fdt, int node, const char *name, unsigned index,
                      uint32_t *value)
{
    struct fdt_token t;
    int err = find_property(fdt, node, name, &t);

    if (err != OPAL_OK)
        return err;
    if (t.length % 4 != 0)
        return -OPAL_ERR_MALFORMED;
    if (index >= t.length / 4)
        return -OPAL_ERR_NOT_FOUND;
    *value = be32(t.value + 4 * index);
    return OPAL_OK;
}

int fdt_stringlist_contains(const struct fdt *fdt, int node, const char *name, const char *string)
{
    struct fdt_token t;
    int err = find_property(fdt, node, name, &t);

    if (err == -OPAL_ERR_NOT_FOUND)
        return 0;
    if (err != OPAL_OK)
        return err;
    if (string == NULL)
        return -OPAL_ERR_INVALID_ARGUMENT;
    if (t.length == 0)
        return 0;
    /* A final NUL bounds every string of the list inside the value. */
    if (t.value[t.length - 1] != '\0')
        return -OPAL_ERR_MALFORMED;
    for (uint32_t pos = 0; pos < t.length;) {
        const char *s = (const char *)t.value + pos;
        if (core_strcmp(s, string) == 0)
            return 1;
        pos += (uint32_t)core_strlen(s) + 1;
    }
    return 0;
}

/* #address-cells or #size-cells of the bus a node sits on; the root's own
 * reg (no parent) and buses without the property use the spec's defaults. */
static int bus_cells(const struct fdt *fdt, int parent, const char *name, uint32_t fallback,
                     uint32_t *cells)
{
    int err = parent < 0 ? -OPAL_ERR_NOT_FOUND : fdt_property_u32(fdt, parent, name, cells);

    if (err == -OPAL_ERR_NOT_FOUND) {
        *cells = fallback;
        return OPAL_OK;
    }
    return err;
}

/* A big-endian number of `count` cells; leading cells may only be zero. */
static int read_cells(const uint8_t *p, uint32_t count, uint64_t *value)
{
    uint64_t v = 0;

    for (uint32_t i = 0; i < count; i++) {
        if (v >> 32 != 0)
            return -OPAL_ERR_MALFORMED;
        v = v << 32 | be32(p + 4 * i);
    }
    if (value != NULL)
        *value = v;
    return OPAL_OK;
}

int fdt_reg(const struct fdt *fdt, int node, unsigned index, uint64_t *address, uint64_t *size)
{
    struct fdt_token t;
    uint32_t address_cells, size_cells;
    int parent = fdt_parent(fdt, node);

    if (parent < 0 && parent != -OPAL_ERR_NOT_FOUND)
        return parent;
    int err = bus_cells(fdt, parent, "#address-cells", 2, &address_cells);
    if (err == OPAL_OK)
        err = bus_cells(fdt, parent, "#size-cells", 1, &size_cells);
    if (err == OPAL_OK)
        err = find_property(fdt, node, "reg", &t);
    if (err != OPAL_OK)
        return err;
    if (address_cells == 0 || address_cells > FDT_MAX_CELLS || size_cells > FDT_MAX_CELLS)
        return -OPAL_ERR_MALFORMED;

    uint32_t entry = 4 * (address_cells + size_cells);
    if (t.length % entry != 0)
        return -OPAL_ERR_MALFORMED;
    if (index >= t.length / entry)
        return -OPAL_ERR_NOT_FOUND;
    const uint8_t *p = t.value + (size_t)index * entry;
    err = read_cells(p, address_cells, address);
    return err == OPAL_OK ? read_cells(p + 4 * address_cells, size_cells, size) : err;
}
