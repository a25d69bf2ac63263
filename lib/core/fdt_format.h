/* The flattened device tree's binary format (DTB, version 17), shared by the
 * reader (fdt.c) and the editor (fdt_edit.c). */
#ifndef CORE_FDT_FORMAT_H
#define CORE_FDT_FORMAT_H

#include <stdint.h>

#include "core/fdt.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_HEADER_SIZE 40u
#define FDT_VERSION 17u
/* DTBs are kilobytes; the cap keeps every offset (plus alignment) a positive int. */
#define FDT_MAX_SIZE 0x40000000u
#define FDT_RSVMAP_ENTRY 16u

#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u

/* Header fields, as u32 indexes into the header. */
enum {
    HDR_MAGIC, HDR_TOTALSIZE, HDR_OFF_STRUCT, HDR_OFF_STRINGS, HDR_OFF_RSVMAP,
    HDR_VERSION, HDR_LAST_COMP_VERSION, HDR_BOOT_CPUID, HDR_SIZE_STRINGS, HDR_SIZE_STRUCT,
};

/* Byte by byte: the blob may be unaligned and the target has no unaligned access. */
static inline uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be32(uint8_t *p, uint32_t value)
{
    p[0] = (uint8_t)(value >> 24);
    p[1] = (uint8_t)(value >> 16);
    p[2] = (uint8_t)(value >> 8);
    p[3] = (uint8_t)value;
}

/* 64-bit, so a length near 4 GiB cannot wrap. */
static inline uint64_t align4(uint64_t x)
{
    return (x + 3u) & ~(uint64_t)3u;
}

/* One parsed structure-block token; name/value/length only for the kinds
 * that have them. */
struct fdt_token {
    uint32_t type;
    uint32_t offset;        /* of the token itself, in the structure block */
    uint32_t next;          /* offset of the following token; may lie past the
                             * block (a last name's alignment), the next read
                             * then fails */
    const char *name;       /* BEGIN_NODE: node name; PROP: property name */
    const uint8_t *value;   /* PROP */
    uint32_t length;        /* PROP */
};

/* Parses the token at offset in the structure block of an fdt_open()ed blob
 * and checks everything it carries lies inside the blocks. OPAL_OK or
 * -OPAL_ERR_MALFORMED. */
int fdt_read_token(const struct fdt *fdt, uint32_t offset, struct fdt_token *t);

#endif
