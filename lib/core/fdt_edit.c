/* In-place FDT editor: checks the whole blob, then opens or closes a gap in the
 * structure block and appends to the strings block, keeping the header in step. */
#include "core/fdt_edit.h"

#include <stdbool.h>

#include "core/fdt.h"
#include "core/fdt_format.h"
#include "core/string.h"
#include "runtime/mem.h"
#include "opal/error.h"

/* The spec's limit for property names and for each half of a node name. */
#define FDT_MAX_NAME 31u
/* A property token: FDT_PROP, len, nameoff, then the value. */
#define FDT_PROP_HEADER 12u

/* The blob being edited. The reader's view of it (block offsets and sizes,
 * totalsize) is kept in step with every change, so the reader's lookups and
 * token parsing serve the editor too. */
struct editor {
    uint8_t *blob;
    uint32_t capacity;       /* the caller's, capped at FDT_MAX_SIZE */
    uint32_t rsvmap_offset;
    struct fdt fdt;
};

static uint32_t header_field(const struct editor *ed, int field)
{
    return be32(ed->blob + 4 * field);
}

static uint8_t *struct_at(const struct editor *ed, uint32_t offset)
{
    return ed->blob + ed->fdt.struct_offset + offset;
}

/* The end of the strings block, the last block: everything after it is padding. */
static uint32_t used_end(const struct editor *ed)
{
    return ed->fdt.strings_offset + ed->fdt.strings_size;
}

/* ---- arguments ---- */

/* Whether [p, p + length) overlaps the caller's buffer; 64-bit so nothing wraps. */
static bool overlaps_buffer(const void *blob, size_t capacity, const void *p, uint64_t length)
{
    uint64_t start = (uintptr_t)p, buffer = (uintptr_t)blob;

    return start < buffer + capacity && buffer < start + length;
}

/* A caller's string: present, and not inside the buffer we are about to move. */
static bool string_argument_ok(const void *blob, size_t capacity, const char *s)
{
    return s != NULL && !overlaps_buffer(blob, capacity, s, (uint64_t)core_strlen(s) + 1);
}

static bool is_name_char(char c, bool property)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    switch (c) {
    case ',': case '.': case '_': case '+': case '-':
        return true;
    case '?': case '#':
        return property;
    default:
        return false;
    }
}

/* The number of name characters at the start of s, counting at most limit + 1,
 * so a result above limit means "too long" without reading all of s. */
static uint32_t name_run(const char *s, bool property, uint32_t limit)
{
    uint32_t n = 0;

    while (n <= limit && is_name_char(s[n], property))
        n++;
    return n;
}

static bool property_name_ok(const char *name)
{
    uint32_t n = name_run(name, true, FDT_MAX_NAME);

    return n >= 1 && n <= FDT_MAX_NAME && name[n] == '\0';
}

/* "name" or "name@unit", each part 1-31 characters. */
static bool node_name_ok(const char *name)
{
    uint32_t base = name_run(name, false, FDT_MAX_NAME);

    if (base < 1 || base > FDT_MAX_NAME)
        return false;
    if (name[base] == '\0')
        return true;
    if (name[base] != '@')
        return false;
    const char *unit = name + base + 1;
    uint32_t n = name_run(unit, false, FDT_MAX_NAME);
    return n >= 1 && n <= FDT_MAX_NAME && unit[n] == '\0';
}

/* ---- reading tokens ---- */

/* The reader's parser, with the editor's positive error codes. */
static int read_token(const struct editor *ed, uint32_t offset, struct fdt_token *t)
{
    return -fdt_read_token(&ed->fdt, offset, t);
}

/* ---- checking the whole blob ---- */

/* The reservation map is a list of (address, size) pairs of 64 bits ending with
 * a pair of zeros, which must come before the structure block starts. */
static int check_reservations(const struct editor *ed)
{
    static const uint8_t zeros[FDT_RSVMAP_ENTRY];

    for (uint32_t at = ed->rsvmap_offset; at + FDT_RSVMAP_ENTRY <= ed->fdt.struct_offset;
         at += FDT_RSVMAP_ENTRY) {
        if (core_memcmp(ed->blob + at, zeros, FDT_RSVMAP_ENTRY) == 0)
            return OPAL_OK;
    }
    return OPAL_ERR_MALFORMED;
}

/* Edits move whatever follows the change; with the blocks in the standard order
 * only the strings block follows, and the reservation map never moves. */
static int check_layout(const struct editor *ed)
{
    if (ed->rsvmap_offset >= ed->fdt.struct_offset ||
        ed->fdt.struct_offset + ed->fdt.struct_size > ed->fdt.strings_offset)
        return OPAL_ERR_MALFORMED;
    return check_reservations(ed);
}

/* Whether a property before `offset` in the node whose properties start at
 * `first` has the name `name` (the reader would find only that one). */
static bool name_taken(const struct editor *ed, uint32_t first, uint32_t offset, const char *name)
{
    struct fdt_token t;
    for (uint32_t at = first; at < offset; at = t.next)
        if (read_token(ed, at, &t) != OPAL_OK ||
            (t.type == FDT_PROP && core_strcmp(t.name, name) == 0))
            return true;
    return false;
}

/* One root node, balanced nesting, every property before its node's children
 * (where the reader looks for them) and named once, FDT_END last. Terminates:
 * each token moves the offset forward. */
static int check_structure(const struct editor *ed)
{
    struct fdt_token t;
    uint32_t offset = 0, depth = 0, first_property = 0;
    bool root_seen = false, properties_allowed = false;

    for (;;) {
        if (read_token(ed, offset, &t) != OPAL_OK)
            return OPAL_ERR_MALFORMED;
        switch (t.type) {
        case FDT_BEGIN_NODE:
            if (depth == 0 && root_seen)
                return OPAL_ERR_MALFORMED;
            root_seen = true;
            depth++;
            properties_allowed = true;
            first_property = t.next;
            break;
        case FDT_PROP:
            if (!properties_allowed || name_taken(ed, first_property, offset, t.name))
                return OPAL_ERR_MALFORMED;
            break;
        case FDT_END_NODE:
            if (depth == 0)
                return OPAL_ERR_MALFORMED;
            depth--;
            properties_allowed = false;
            break;
        case FDT_NOP:
            break;
        case FDT_END:
            return root_seen && depth == 0 && t.next == ed->fdt.struct_size ? OPAL_OK
                                                                        : OPAL_ERR_MALFORMED;
        }
        offset = t.next;
    }
}

/* Reads the header (fdt_open checks its bounds) and checks everything else
 * an edit relies on. */
static int editor_open(struct editor *ed, void *blob, size_t capacity)
{
    ed->blob = blob;
    ed->capacity = capacity < FDT_MAX_SIZE ? (uint32_t)capacity : FDT_MAX_SIZE;
    int err = fdt_open(&ed->fdt, blob, ed->capacity);
    if (err != OPAL_OK)
        return err;
    ed->rsvmap_offset = header_field(ed, HDR_OFF_RSVMAP);
    err = check_layout(ed);
    return err == OPAL_OK ? check_structure(ed) : err;
}

/* ---- finding things ---- */

/* What every edit starts with: its path and name arguments, then the blob,
 * then the node at path, in *node. */
static int open_node(struct editor *ed, void *blob, size_t capacity, const char *path,
                     const char *name, bool (*name_ok)(const char *), uint32_t *node)
{
    if (blob == NULL || !string_argument_ok(blob, capacity, path) ||
        !string_argument_ok(blob, capacity, name) || !name_ok(name))
        return OPAL_ERR_INVALID_ARGUMENT;
    int err = editor_open(ed, blob, capacity);
    if (err != OPAL_OK)
        return err;
    int offset = fdt_path_offset(&ed->fdt, path);
    if (offset < 0)
        return -offset;
    *node = (uint32_t)offset;
    return OPAL_OK;
}

/* The node's property `name` in *prop; OPAL_ERR_NOT_FOUND if it has none, with
 * *end set to just past its properties, where a new one goes. */
static int find_property(const struct editor *ed, uint32_t node, const char *name,
                         struct fdt_token *prop, uint32_t *end)
{
    int err = read_token(ed, node, prop);

    while (err == OPAL_OK) {
        err = read_token(ed, prop->next, prop);
        if (err != OPAL_OK)
            break;
        if (prop->type == FDT_PROP && core_strcmp(prop->name, name) == 0)
            return OPAL_OK;
        if (prop->type != FDT_PROP && prop->type != FDT_NOP) {
            *end = prop->offset;
            return OPAL_ERR_NOT_FOUND;
        }
    }
    return err;
}

/* Whether the node has a child named exactly `name` (no unit-address
 * matching: "memory" is not "memory@0"), and the offset of its END_NODE. */
static int find_child(const struct editor *ed, uint32_t parent, const char *name, bool *exists,
                      uint32_t *end)
{
    struct fdt_token t;
    uint32_t depth = 1;
    int err = read_token(ed, parent, &t);

    *exists = false;
    while (err == OPAL_OK) {
        err = read_token(ed, t.next, &t);
        if (err != OPAL_OK)
            break;
        if (t.type == FDT_BEGIN_NODE) {
            if (depth == 1 && core_strcmp(t.name, name) == 0)
                *exists = true;
            depth++;
        } else if (t.type == FDT_END_NODE && --depth == 0) {
            *end = t.offset;
            return OPAL_OK;
        }
    }
    return err;
}

/* An existing string equal to s (possibly the tail of a longer one, as
 * "reg" in "interrupt-reg"): its offset in the strings block. */
static bool find_string(const struct editor *ed, const char *s, uint32_t *nameoff)
{
    uint32_t length = (uint32_t)core_strlen(s) + 1;
    const uint8_t *strings = ed->blob + ed->fdt.strings_offset;
    uint32_t size = ed->fdt.strings_size;

    for (uint32_t at = 0; length <= size && at <= size - length; at++) {
        if (core_memcmp(strings + at, s, length) == 0) {
            *nameoff = at;
            return true;
        }
    }
    return false;
}

/* ---- changing the blob: callers check fits() first, then nothing fails ---- */

static bool fits(const struct editor *ed, uint64_t growth)
{
    return used_end(ed) + growth <= ed->capacity;
}

/* Writes the fields edits change; version 17 is the format we wrote. */
static void write_header(struct editor *ed)
{
    if (used_end(ed) > ed->fdt.size)
        ed->fdt.size = used_end(ed);
    put_be32(ed->blob + 4 * HDR_TOTALSIZE, ed->fdt.size);
    put_be32(ed->blob + 4 * HDR_VERSION, FDT_VERSION);
    put_be32(ed->blob + 4 * HDR_OFF_STRINGS, ed->fdt.strings_offset);
    put_be32(ed->blob + 4 * HDR_SIZE_STRINGS, ed->fdt.strings_size);
    put_be32(ed->blob + 4 * HDR_SIZE_STRUCT, ed->fdt.struct_size);
}

/* Replaces old_size bytes at offset in the structure block by new_size bytes
 * (their content is the caller's to write), moving the rest of the structure
 * block and the strings block. Bytes freed at the end become zeros. Both sizes
 * are multiples of 4, so every token stays aligned. */
static void resize_in_struct(struct editor *ed, uint32_t offset, uint32_t old_size,
                             uint32_t new_size)
{
    uint32_t at = ed->fdt.struct_offset + offset;
    uint32_t end = used_end(ed);

    memmove(ed->blob + at + new_size, ed->blob + at + old_size, end - at - old_size);
    if (new_size < old_size)
        memset(ed->blob + end - (old_size - new_size), 0, old_size - new_size);
    ed->fdt.struct_size = ed->fdt.struct_size - old_size + new_size;
    ed->fdt.strings_offset = ed->fdt.strings_offset - old_size + new_size;
    write_header(ed);
}

/* Appends s with its NUL to the strings block, the last block; returns its offset. */
static uint32_t append_string(struct editor *ed, const char *s)
{
    uint32_t length = (uint32_t)core_strlen(s) + 1;
    uint32_t nameoff = ed->fdt.strings_size;

    memmove(ed->blob + used_end(ed), (const uint8_t *)s, length);
    ed->fdt.strings_size += length;
    write_header(ed);
    return nameoff;
}

/* The value of an existing property takes `length` bytes: resized in place. */
static int resize_property(struct editor *ed, const struct fdt_token *prop, uint32_t length,
                           uint8_t **value)
{
    uint32_t old_size = (uint32_t)align4(prop->length);
    uint64_t new_size = align4(length);

    if (new_size > old_size && !fits(ed, new_size - old_size))
        return OPAL_ERR_TRUNCATED;
    uint32_t value_offset = prop->offset + FDT_PROP_HEADER;
    resize_in_struct(ed, value_offset, old_size, (uint32_t)new_size);
    put_be32(struct_at(ed, prop->offset + 4), length);
    memset(struct_at(ed, value_offset + length), 0, (uint32_t)new_size - length);
    *value = struct_at(ed, value_offset);
    return OPAL_OK;
}

/* A new property token at offset, its name shared with an existing string or appended. */
static int insert_property(struct editor *ed, uint32_t offset, const char *name, uint32_t length,
                           uint8_t **value)
{
    uint32_t nameoff = 0;
    bool have_name = find_string(ed, name, &nameoff);
    uint64_t token_size = FDT_PROP_HEADER + align4(length);
    uint64_t name_size = have_name ? 0 : core_strlen(name) + 1;

    if (!fits(ed, token_size + name_size))
        return OPAL_ERR_TRUNCATED;
    if (!have_name)
        nameoff = append_string(ed, name);
    resize_in_struct(ed, offset, 0, (uint32_t)token_size);
    put_be32(struct_at(ed, offset), FDT_PROP);
    put_be32(struct_at(ed, offset + 4), length);
    put_be32(struct_at(ed, offset + 8), nameoff);
    memset(struct_at(ed, offset + FDT_PROP_HEADER + length), 0,
           (uint32_t)token_size - FDT_PROP_HEADER - length);
    *value = struct_at(ed, offset + FDT_PROP_HEADER);
    return OPAL_OK;
}

/* Checks the arguments and the blob, then makes room for a `length`-byte value
 * of property `name` and points *value at it; the caller fills it in. */
static int open_property_slot(void *blob, size_t capacity, const char *node_path,
                              const char *name, uint32_t length, uint8_t **value)
{
    struct editor ed;
    struct fdt_token prop;
    uint32_t node = 0, end = 0;

    int err = open_node(&ed, blob, capacity, node_path, name, property_name_ok, &node);
    if (err != OPAL_OK)
        return err;
    err = find_property(&ed, node, name, &prop, &end);
    if (err == OPAL_OK)
        return resize_property(&ed, &prop, length, value);
    return err == OPAL_ERR_NOT_FOUND ? insert_property(&ed, end, name, length, value) : err;
}

/* ---- the interface ---- */

int fdt_edit_check(const void *blob, size_t capacity)
{
    struct editor ed;

    if (blob == NULL)
        return OPAL_ERR_INVALID_ARGUMENT;
    /* The editor only reads here; it keeps one non-const pointer for both uses. */
    return editor_open(&ed, (void *)(uintptr_t)blob, capacity);
}

int fdt_edit_set_property(void *blob, size_t capacity, const char *node_path, const char *name,
                          const void *value, uint32_t length)
{
    uint8_t *slot;

    if ((value == NULL && length != 0) || overlaps_buffer(blob, capacity, value, length))
        return OPAL_ERR_INVALID_ARGUMENT;
    int err = open_property_slot(blob, capacity, node_path, name, length, &slot);
    if (err == OPAL_OK && length != 0)
        memmove(slot, value, length);
    return err;
}

int fdt_edit_set_string(void *blob, size_t capacity, const char *node_path, const char *name,
                        const char *value)
{
    if (!string_argument_ok(blob, capacity, value))
        return OPAL_ERR_INVALID_ARGUMENT;
    size_t length = core_strlen(value) + 1;
    if (length > FDT_MAX_SIZE)
        return OPAL_ERR_TRUNCATED;
    return fdt_edit_set_property(blob, capacity, node_path, name, value, (uint32_t)length);
}

int fdt_edit_set_cells(void *blob, size_t capacity, const char *node_path, const char *name,
                       const uint32_t *cells, uint32_t count)
{
    uint8_t *slot;

    if ((cells == NULL && count != 0) || overlaps_buffer(blob, capacity, cells, 4ull * count))
        return OPAL_ERR_INVALID_ARGUMENT;
    if (count > FDT_MAX_SIZE / 4)
        return OPAL_ERR_TRUNCATED;
    int err = open_property_slot(blob, capacity, node_path, name, 4 * count, &slot);
    for (uint32_t i = 0; err == OPAL_OK && i < count; i++)
        put_be32(slot + 4 * i, cells[i]);
    return err;
}

int fdt_edit_add_node(void *blob, size_t capacity, const char *parent_path, const char *name)
{
    struct editor ed;
    uint32_t parent = 0, end = 0;
    bool exists = false;

    int err = open_node(&ed, blob, capacity, parent_path, name, node_name_ok, &parent);
    if (err == OPAL_OK)
        err = find_child(&ed, parent, name, &exists, &end);
    if (err != OPAL_OK || exists)
        return err;

    /* BEGIN_NODE, the name padded to 4 bytes, END_NODE: placed before the
     * parent's END_NODE, so it becomes the last child. */
    uint32_t name_size = (uint32_t)core_strlen(name) + 1;
    uint32_t padded = (uint32_t)align4(name_size);
    uint32_t node_size = 4 + padded + 4;
    if (!fits(&ed, node_size))
        return OPAL_ERR_TRUNCATED;
    resize_in_struct(&ed, end, 0, node_size);
    put_be32(struct_at(&ed, end), FDT_BEGIN_NODE);
    memmove(struct_at(&ed, end + 4), (const uint8_t *)name, name_size);
    memset(struct_at(&ed, end + 4 + name_size), 0, padded - name_size);
    put_be32(struct_at(&ed, end + 4 + padded), FDT_END_NODE);
    return OPAL_OK;
}

int fdt_edit_delete_property(void *blob, size_t capacity, const char *node_path, const char *name)
{
    struct editor ed;
    struct fdt_token prop;
    uint32_t node = 0, end = 0;

    int err = open_node(&ed, blob, capacity, node_path, name, property_name_ok, &node);
    if (err == OPAL_OK)
        err = find_property(&ed, node, name, &prop, &end);
    if (err == OPAL_OK)
        resize_in_struct(&ed, prop.offset, prop.next - prop.offset, 0);
    return err;
}
