/* Validation of ELF32 ARM executables before anything is loaded. Fields are read
 * byte by byte (the image may be unaligned); every end is computed in 64 bits. */
#include "core/elf.h"

#include <stdbool.h>

#include "opal/error.h"

#define ELF_HEADER_SIZE 52u
#define ELF_PHDR_SIZE 32u
#define ELF_CLASS32 1u
#define ELF_DATA_LSB 1u
#define ELF_VERSION_CURRENT 1u
#define ELF_TYPE_EXEC 2u
#define ELF_MACHINE_ARM 40u
#define ELF_PT_LOAD 1u

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

/* Identification, type, machine and the program header table's geometry. */
static int check_header(const uint8_t *e, size_t size)
{
    if (size < ELF_HEADER_SIZE)
        return OPAL_ERR_MALFORMED;
    if (e[0] != 0x7f || e[1] != 'E' || e[2] != 'L' || e[3] != 'F' || e[4] != ELF_CLASS32 ||
        e[5] != ELF_DATA_LSB || e[6] != ELF_VERSION_CURRENT)
        return OPAL_ERR_MALFORMED;
    if (le16(e + 16) != ELF_TYPE_EXEC || le16(e + 18) != ELF_MACHINE_ARM ||
        le32(e + 20) != ELF_VERSION_CURRENT || le16(e + 40) != ELF_HEADER_SIZE ||
        le16(e + 42) != ELF_PHDR_SIZE)
        return OPAL_ERR_MALFORMED;
    uint64_t table_end = (uint64_t)le32(e + 28) + (uint64_t)le16(e + 44) * ELF_PHDR_SIZE;
    return table_end <= size ? OPAL_OK : OPAL_ERR_MALFORMED;
}

/* Decodes one program header; returns its p_type. */
static uint32_t read_segment(const uint8_t *ph, struct elf_segment *seg)
{
    seg->offset = le32(ph + 4);
    seg->vaddr = le32(ph + 8);
    seg->filesz = le32(ph + 16);
    seg->memsz = le32(ph + 20);
    seg->flags = le32(ph + 24) & (ELF_PF_R | ELF_PF_W | ELF_PF_X);
    return le32(ph);
}

/* File bytes inside the image, then memory inside [lowest, highest]: a
 * segment that wraps past 4 GiB ends above any highest, so it is a range error. */
static int check_segment(const struct elf_segment *seg, size_t size, uint32_t lowest,
                         uint32_t highest)
{
    if (seg->filesz > seg->memsz || (uint64_t)seg->offset + seg->filesz > size)
        return OPAL_ERR_MALFORMED;
    uint64_t last = (uint64_t)seg->vaddr + seg->memsz - 1;
    if (seg->memsz != 0 && (seg->vaddr < lowest || last > highest))
        return OPAL_ERR_RANGE;
    return OPAL_OK;
}

static bool overlap(const struct elf_segment *a, const struct elf_segment *b)
{
    return (uint64_t)a->vaddr < (uint64_t)b->vaddr + b->memsz &&
           (uint64_t)b->vaddr < (uint64_t)a->vaddr + a->memsz;
}

/* Collects the non-empty PT_LOAD segments into info, reporting the first
 * problem in program header order. */
static int collect_segments(const uint8_t *e, size_t size, uint32_t lowest, uint32_t highest,
                            struct elf_info *info)
{
    const uint8_t *table = e + le32(e + 28);
    unsigned count = le16(e + 44);

    for (unsigned i = 0; i < count; i++) {
        struct elf_segment seg;
        if (read_segment(table + i * ELF_PHDR_SIZE, &seg) != ELF_PT_LOAD)
            continue;
        int err = check_segment(&seg, size, lowest, highest);
        if (err != OPAL_OK)
            return err;
        if (seg.memsz == 0)
            continue;
        if (info->segment_count == ELF_MAX_SEGMENTS)
            return OPAL_ERR_INVALID_ARGUMENT;
        for (unsigned j = 0; j < info->segment_count; j++) {
            if (overlap(&seg, &info->segments[j]))
                return OPAL_ERR_INVALID_ARGUMENT;
        }
        info->segments[info->segment_count++] = seg;
    }
    return OPAL_OK;
}

static bool entry_executable(const struct elf_info *info)
{
    for (unsigned i = 0; i < info->segment_count; i++) {
        const struct elf_segment *seg = &info->segments[i];
        if ((seg->flags & ELF_PF_X) && info->entry >= seg->vaddr &&
            (uint64_t)info->entry < (uint64_t)seg->vaddr + seg->memsz)
            return true;
    }
    return false;
}

int elf_inspect(const void *image, size_t size, uint32_t lowest, uint32_t highest,
                struct elf_info *info)
{
    if (image == NULL || info == NULL)
        return OPAL_ERR_INVALID_ARGUMENT;
    info->segment_count = 0;

    int err = check_header(image, size);
    if (err == OPAL_OK)
        err = collect_segments(image, size, lowest, highest, info);
    if (err == OPAL_OK) {
        info->entry = le32((const uint8_t *)image + 24);
        if (!entry_executable(info))
            err = OPAL_ERR_INVALID_ARGUMENT;
    }
    if (err != OPAL_OK)
        info->segment_count = 0; /* never leave a half-filled list behind */
    return err;
}
