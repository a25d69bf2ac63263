/* Shared by the FDT suites: header access for patching blobs (the format
 * constants come from lib/core/fdt_format.h), DTB fixtures named on the
 * command line, each loaded once, and seeded random byte flips. Include
 * after unit.h. */
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

/* xorshift32 on the caller's state: each suite seeds its own, so a failure
 * reproduces. */
static inline uint32_t xorshift32(uint32_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state;
}

/* Overwrites 1-4 random bytes of blob in [from, to). Each byte's value is
 * drawn before its position, the order the suites' seeded runs have always
 * used: another order is another fuzz run, not this one. */
static inline void flip_random_bytes(uint8_t *blob, uint32_t from, uint32_t to,
                                     uint32_t *state)
{
    for (uint32_t flips = 1 + xorshift32(state) % 4; flips > 0; flips--) {
        uint8_t value = (uint8_t)xorshift32(state);
        blob[from + xorshift32(state) % (to - from)] = value;
    }
}

#endif
