/* Validation of 32-bit ARM ELF executables before anything is loaded.
 * Freestanding: used by the kernel (the root task) and by user-level loaders. */
#ifndef CORE_ELF_H
#define CORE_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 8

struct elf_segment {
    uint32_t vaddr;   /* where it goes */
    uint32_t memsz;   /* bytes in memory; bytes past filesz are zero */
    uint32_t offset;  /* where its file bytes start in the image */
    uint32_t filesz;
    uint32_t flags;   /* ELF_PF_R | ELF_PF_W | ELF_PF_X */
};

#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u

struct elf_info {
    uint32_t entry;
    unsigned segment_count;                 /* PT_LOAD segments with memsz > 0 */
    struct elf_segment segments[ELF_MAX_SEGMENTS];
};

/* Check the image (size bytes) is an ELF32 little-endian ARM executable whose
 * PT_LOAD segments lie inside the image (file bytes) and inside
 * [lowest, highest] (memory, inclusive bound, no wrap-around), do not overlap
 * each other, have filesz <= memsz, and whose entry lies in an executable
 * segment. Fills *info on success. Returns OPAL_OK, OPAL_ERR_MALFORMED (not a
 * well-formed ELF), OPAL_ERR_RANGE (a segment outside [lowest, highest]) or
 * OPAL_ERR_INVALID_ARGUMENT (more than ELF_MAX_SEGMENTS loadable segments,
 * overlapping segments, an entry outside executable memory, or a NULL
 * pointer). A segment whose end wraps past 4 GiB is OPAL_ERR_RANGE. Header
 * problems are reported first, then the first problem in program header
 * order. On failure info->segment_count is 0. */
int elf_inspect(const void *image, size_t size, uint32_t lowest, uint32_t highest,
                struct elf_info *info);

#endif
