/* Shared by the FDT suites: header access for patching blobs (the format
 * constants come from lib/core/fdt_format.h) and DTB fixtures named on the
 * command line, each loaded once. Include after unit.h. */
#ifndef UNIT_FDT_BLOB_H
#define UNIT_FDT_BLOB_H

#include "core/fdt_format.h"

static inline uint32_t header(const uint8_t *blob, int field)
{
    return be32(blob + 4 * field);
}

static inline void set_header(uint8_t *blob, int field, uint32_t v)
{
    put_be32(blob + 4 * field, v);
}

struct blob {
    uint8_t *data;
    size_t size;
};

#define FDT_BLOB_ARGS 4

/* Command-line argument `arg` (1-based) read into an exact-size buffer. */
static inline struct blob load(int arg)
{
    static struct blob cache[FDT_BLOB_ARGS];
    if (cache[arg].data == NULL)
        cache[arg].data = unit_read_file(unit_arg(arg), &cache[arg].size);
    return cache[arg];
}

#endif
