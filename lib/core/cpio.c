/* Bounds-checked reader for "newc" CPIO archives (the boot archive): each header,
 * name and body is checked against the archive size before it is used. */
#include "core/cpio.h"

#include <stdbool.h>

#include "core/string.h"
#include "opal/error.h"

#define CPIO_HEADER_SIZE 110u
#define CPIO_FIELD_DIGITS 8u
#define CPIO_MODE_TYPE 0170000u
#define CPIO_MODE_REGULAR 0100000u

/* The 13 hex fields after the 6-byte magic, in header order. */
enum {
    FIELD_INO, FIELD_MODE, FIELD_UID, FIELD_GID, FIELD_NLINK, FIELD_MTIME, FIELD_FILESIZE,
    FIELD_DEVMAJOR, FIELD_DEVMINOR, FIELD_RDEVMAJOR, FIELD_RDEVMINOR, FIELD_NAMESIZE,
    FIELD_CHECK, FIELD_COUNT
};

struct entry {
    const char *name;
    const uint8_t *data;
    uint32_t mode;
    uint32_t size;
    uint64_t next; /* offset of the following header */
};

/* Offsets are 64-bit so that rounding up near SIZE_MAX on a 32-bit target
 * cannot wrap back to the start and loop forever. */
static uint64_t align4(uint64_t x)
{
    return (x + 3u) & ~(uint64_t)3u;
}

static int hex_digit(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool hex_field(const uint8_t *header, unsigned index, uint32_t *value)
{
    const uint8_t *p = header + 6 + CPIO_FIELD_DIGITS * index;
    uint32_t v = 0;

    for (unsigned i = 0; i < CPIO_FIELD_DIGITS; i++) {
        int digit = hex_digit(p[i]);
        if (digit < 0)
            return false;
        v = v << 4 | (uint32_t)digit;
    }
    *value = v;
    return true;
}

/* Parses the entry at offset: header, name (NUL exactly at namesize - 1) and
 * body must all lie inside the archive. OPAL_OK or OPAL_ERR_MALFORMED. */
static int read_entry(const uint8_t *archive, size_t size, uint64_t offset, struct entry *e)
{
    uint32_t fields[FIELD_COUNT];

    if (offset + CPIO_HEADER_SIZE > size || core_memcmp(archive + offset, "070701", 6) != 0)
        return OPAL_ERR_MALFORMED;
    for (unsigned i = 0; i < FIELD_COUNT; i++) {
        if (!hex_field(archive + offset, i, &fields[i]))
            return OPAL_ERR_MALFORMED;
    }

    uint32_t namesize = fields[FIELD_NAMESIZE];
    uint64_t name_offset = offset + CPIO_HEADER_SIZE;
    if (namesize == 0 || name_offset + namesize > size)
        return OPAL_ERR_MALFORMED;
    e->name = (const char *)archive + name_offset;
    if (core_strnlen(e->name, namesize) != namesize - 1)
        return OPAL_ERR_MALFORMED;

    uint64_t data_offset = align4(name_offset + namesize);
    e->mode = fields[FIELD_MODE];
    e->size = fields[FIELD_FILESIZE];
    if (data_offset + e->size > size)
        return OPAL_ERR_MALFORMED;
    e->data = archive + data_offset;
    e->next = align4(data_offset + e->size);
    return OPAL_OK;
}

/* Walks to the regular file named `match`, or when match is NULL to the
 * index-th regular file. Stops at the match: later entries are not examined. */
static int walk(const void *archive, size_t size, const char *match, unsigned index,
                struct cpio_file *file)
{
    struct entry e;

    if (archive == NULL || file == NULL)
        return OPAL_ERR_INVALID_ARGUMENT;
    /* Terminates: each entry moves offset forward by at least a header. */
    for (uint64_t offset = 0;; offset = e.next) {
        int err = read_entry(archive, size, offset, &e);
        if (err != OPAL_OK)
            return err;
        if (core_strcmp(e.name, "TRAILER!!!") == 0)
            return OPAL_ERR_NOT_FOUND;
        if ((e.mode & CPIO_MODE_TYPE) != CPIO_MODE_REGULAR)
            continue;
        if (match != NULL ? core_strcmp(e.name, match) == 0 : index-- == 0) {
            file->name = e.name;
            file->data = e.data;
            file->size = e.size;
            return OPAL_OK;
        }
    }
}

int cpio_find(const void *archive, size_t size, const char *name, struct cpio_file *file)
{
    if (name == NULL)
        return OPAL_ERR_INVALID_ARGUMENT;
    return walk(archive, size, name, 0, file);
}

int cpio_entry(const void *archive, size_t size, unsigned index, struct cpio_file *file)
{
    return walk(archive, size, NULL, index, file);
}
