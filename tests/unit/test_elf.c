/* Host tests of elf_inspect on ELF images built in memory: a valid executable,
 * then one defect at a time, each with its exact error code. */
#define UNIT_SUITE "elf"
#include "unit.h"

#include "core/elf.h"
#include "opal/error.h"

#define PT_LOAD 1u
#define PT_NOTE 4u
#define LOWEST 0x10000u
#define HIGHEST 0x2ffffu
#define MAX_SEGS 12

struct seg {
    uint32_t type, offset, vaddr, filesz, memsz, flags;
};

/* What the builder lays out: a header, program headers at 52, segment bytes. */
struct spec {
    uint32_t entry;
    unsigned count;
    struct seg segs[MAX_SEGS];
    size_t size;
};

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

/* Text at 0x10000 (RX, 256 bytes), data + bss at 0x20000 (RW), a note and an
 * empty PT_LOAD that must both be ignored. The data's file bytes end the
 * image, so any truncation cuts into a segment. */
static struct spec valid(void)
{
    return (struct spec){
        .entry = 0x10010,
        .count = 4,
        .segs = {
            { PT_LOAD, 0x100, 0x10000, 0x100, 0x100, ELF_PF_R | ELF_PF_X },
            { PT_NOTE, 0x100, 0, 0x10, 0x10, ELF_PF_R },
            { PT_LOAD, 0x200, 0x20000, 0x80, 0x1000, ELF_PF_R | ELF_PF_W },
            { PT_LOAD, 0, 0x30000, 0, 0, ELF_PF_R },
        },
        .size = 0x280,
    };
}

/* An exact-size malloc'd image for spec. */
static uint8_t *build(const struct spec *s)
{
    uint8_t *e = calloc(1, s->size > 52 ? s->size : 52);

    memcpy(e, "\x7f" "ELF\x01\x01\x01", 7);
    put16(e + 16, 2);       /* ET_EXEC */
    put16(e + 18, 40);      /* EM_ARM */
    put32(e + 20, 1);       /* EV_CURRENT */
    put32(e + 24, s->entry);
    put32(e + 28, 52);      /* e_phoff */
    put32(e + 36, 0x5000200); /* EABI5, hard-float-agnostic */
    put16(e + 40, 52);      /* e_ehsize */
    put16(e + 42, 32);      /* e_phentsize */
    put16(e + 44, s->count);
    for (unsigned i = 0; i < s->count; i++) {
        uint8_t *ph = e + 52 + 32 * i;
        const struct seg *g = &s->segs[i];
        if (52 + 32 * (i + 1) > s->size)
            break;
        put32(ph, g->type);
        put32(ph + 4, g->offset);
        put32(ph + 8, g->vaddr);
        put32(ph + 12, g->vaddr);
        put32(ph + 16, g->filesz);
        put32(ph + 20, g->memsz);
        put32(ph + 24, g->flags);
        put32(ph + 28, 0x1000);
        for (uint64_t j = g->offset; j < (uint64_t)g->offset + g->filesz && j < s->size; j++)
            e[j] = (uint8_t)(0xa5 ^ j);
    }
    return e;
}

static int inspect_range(const struct spec *s, uint32_t lowest, uint32_t highest,
                         struct elf_info *info)
{
    uint8_t *image = build(s);
    int err = elf_inspect(image, s->size, lowest, highest, info);

    free(image);
    return err;
}

static int inspect(const struct spec *s)
{
    struct elf_info info;
    int err = inspect_range(s, LOWEST, HIGHEST, &info);

    /* A failure never leaves segments behind. */
    return err != OPAL_OK && info.segment_count != 0 ? -1 : err;
}

/* The valid image with `width` bytes at offset replaced by value. */
static int inspect_patched(size_t offset, uint32_t value, int width)
{
    struct spec s = valid();
    struct elf_info info;
    uint8_t *image = build(&s);

    if (width == 1)
        image[offset] = (uint8_t)value;
    else if (width == 2)
        put16(image + offset, value);
    else
        put32(image + offset, value);
    int err = elf_inspect(image, s.size, LOWEST, HIGHEST, &info);
    free(image);
    return err;
}

TEST(valid_image)
{
    struct spec s = valid();
    struct elf_info info;

    CHECK_EQ(inspect_range(&s, LOWEST, HIGHEST, &info), OPAL_OK);
    CHECK_EQ(info.entry, 0x10010);
    CHECK_EQ(info.segment_count, 2);
    CHECK_EQ(info.segments[0].vaddr, 0x10000);
    CHECK_EQ(info.segments[0].offset, 0x100);
    CHECK_EQ(info.segments[0].filesz, 0x100);
    CHECK_EQ(info.segments[0].memsz, 0x100);
    CHECK_EQ(info.segments[0].flags, ELF_PF_R | ELF_PF_X);
    CHECK_EQ(info.segments[1].vaddr, 0x20000);
    CHECK_EQ(info.segments[1].offset, 0x200);
    CHECK_EQ(info.segments[1].filesz, 0x80);
    CHECK_EQ(info.segments[1].memsz, 0x1000);
    CHECK_EQ(info.segments[1].flags, ELF_PF_R | ELF_PF_W);
}

TEST(unaligned_image)
{
    struct spec s = valid();
    struct elf_info info;
    uint8_t *image = build(&s);
    uint8_t *shifted = malloc(s.size + 1);

    memcpy(shifted + 1, image, s.size);
    CHECK_EQ(elf_inspect(shifted + 1, s.size, LOWEST, HIGHEST, &info), OPAL_OK);
    CHECK_EQ(info.segment_count, 2);
    CHECK_EQ(info.entry, 0x10010);
    free(image);
    free(shifted);
}

TEST(null_arguments)
{
    struct spec s = valid();
    struct elf_info info;
    uint8_t *image = build(&s);

    CHECK_EQ(elf_inspect(NULL, s.size, LOWEST, HIGHEST, &info), OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(elf_inspect(image, s.size, LOWEST, HIGHEST, NULL), OPAL_ERR_INVALID_ARGUMENT);
    free(image);
}

TEST(truncated_header)
{
    struct spec s = valid();
    struct elf_info info;
    uint8_t *image = build(&s);

    for (size_t size = 0; size < 52; size++) {
        uint8_t *copy = unit_copy(image, size);
        int err = elf_inspect(copy, size, LOWEST, HIGHEST, &info);
        free(copy);
        CHECKF(err == OPAL_ERR_MALFORMED, "size %zu: got %d", size, err);
    }
    free(image);
}

TEST(every_truncation)
{
    struct spec s = valid();
    struct elf_info info;
    uint8_t *image = build(&s);

    for (size_t size = 0; size < s.size; size++) {
        uint8_t *copy = unit_copy(image, size);
        int err = elf_inspect(copy, size, LOWEST, HIGHEST, &info);
        free(copy);
        CHECKF(err == OPAL_ERR_MALFORMED, "size %zu: got %d", size, err);
        CHECK_EQ(info.segment_count, 0);
    }
    CHECK_EQ(elf_inspect(image, s.size, LOWEST, HIGHEST, &info), OPAL_OK);
    free(image);
}

TEST(identification)
{
    CHECK_EQ(inspect_patched(0, 0x7e, 1), OPAL_ERR_MALFORMED);
    CHECK_EQ(inspect_patched(1, 'e', 1), OPAL_ERR_MALFORMED);
    CHECK_EQ(inspect_patched(2, 'l', 1), OPAL_ERR_MALFORMED);
    CHECK_EQ(inspect_patched(3, 'f', 1), OPAL_ERR_MALFORMED);
    CHECK_EQ(inspect_patched(4, 2, 1), OPAL_ERR_MALFORMED); /* ELFCLASS64 */
    CHECK_EQ(inspect_patched(4, 0, 1), OPAL_ERR_MALFORMED);
    CHECK_EQ(inspect_patched(5, 2, 1), OPAL_ERR_MALFORMED); /* big-endian */
    CHECK_EQ(inspect_patched(6, 0, 1), OPAL_ERR_MALFORMED); /* EI_VERSION */
    CHECK_EQ(inspect_patched(20, 2, 4), OPAL_ERR_MALFORMED); /* e_version */
    CHECK_EQ(inspect_patched(7, 3, 1), OPAL_OK);             /* OS ABI: not our business */
}

TEST(machine_and_type)
{
    CHECK_EQ(inspect_patched(18, 3, 2), OPAL_ERR_MALFORMED);   /* x86 */
    CHECK_EQ(inspect_patched(18, 183, 2), OPAL_ERR_MALFORMED); /* AArch64 */
    CHECK_EQ(inspect_patched(18, 40 << 8, 2), OPAL_ERR_MALFORMED); /* ARM, big-endian order */
    CHECK_EQ(inspect_patched(16, 1, 2), OPAL_ERR_MALFORMED);   /* ET_REL */
    CHECK_EQ(inspect_patched(16, 3, 2), OPAL_ERR_MALFORMED);   /* ET_DYN */
    CHECK_EQ(inspect_patched(16, 4, 2), OPAL_ERR_MALFORMED);   /* ET_CORE */
}

TEST(program_header_table)
{
    struct spec s = valid();

    CHECK_EQ(inspect_patched(42, 56, 2), OPAL_ERR_MALFORMED); /* e_phentsize of ELF64 */
    CHECK_EQ(inspect_patched(42, 0, 2), OPAL_ERR_MALFORMED);
    CHECK_EQ(inspect_patched(40, 64, 2), OPAL_ERR_MALFORMED); /* e_ehsize */
    CHECK_EQ(inspect_patched(28, (uint32_t)s.size, 4), OPAL_ERR_MALFORMED);
    /* The table's last byte one past the image; then exactly at its end. */
    CHECK_EQ(inspect_patched(28, (uint32_t)s.size - 4 * 32 + 1, 4), OPAL_ERR_MALFORMED);
    CHECK_EQ(inspect_patched(28, 0xffffffe0, 4), OPAL_ERR_MALFORMED); /* wraps in 32 bits */
    CHECK_EQ(inspect_patched(28, 0xffffffff, 4), OPAL_ERR_MALFORMED);
    CHECK_EQ(inspect_patched(44, 0xffff, 2), OPAL_ERR_MALFORMED);
    CHECK_EQ(inspect_patched(44, 19, 2), OPAL_ERR_MALFORMED); /* 52 + 19 * 32 > 0x280 */
}

TEST(segment_file_bytes_outside_image)
{
    struct spec s = valid();

    s.segs[2].filesz += 1;
    s.segs[2].memsz = 0x1000;
    CHECK_EQ(inspect(&s), OPAL_ERR_MALFORMED);
    s = valid();
    s.segs[0].offset = 0xffffff80; /* offset + filesz wraps in 32 bits */
    CHECK_EQ(inspect(&s), OPAL_ERR_MALFORMED);
    s = valid();
    s.segs[0].offset = (uint32_t)s.size; /* starts at the end, 256 bytes long */
    CHECK_EQ(inspect(&s), OPAL_ERR_MALFORMED);
    /* An empty PT_LOAD must still be well-formed. */
    s = valid();
    s.segs[3].filesz = 1;
    CHECK_EQ(inspect(&s), OPAL_ERR_MALFORMED);
    /* Non-PT_LOAD headers are not looked at. */
    s = valid();
    s.segs[1].offset = 0xfffffff0;
    CHECK_EQ(inspect(&s), OPAL_OK);
}

TEST(filesz_above_memsz)
{
    struct spec s = valid();

    s.segs[0].memsz = 0xff;
    CHECK_EQ(inspect(&s), OPAL_ERR_MALFORMED);
}

TEST(memory_range)
{
    struct spec s = valid();
    struct elf_info info;

    /* Inclusive bounds: the segments span exactly [0x10000, 0x20fff]. */
    CHECK_EQ(inspect_range(&s, 0x10000, 0x20fff, &info), OPAL_OK);
    CHECK_EQ(inspect_range(&s, 0x10001, HIGHEST, &info), OPAL_ERR_RANGE);
    CHECK_EQ(inspect_range(&s, LOWEST, 0x20ffe, &info), OPAL_ERR_RANGE);
    CHECK_EQ(inspect_range(&s, 0x30000, 0x20000, &info), OPAL_ERR_RANGE);
    CHECK_EQ(info.segment_count, 0);
    /* An empty PT_LOAD anywhere is not a range problem. */
    s.segs[3].vaddr = 0xffffffff;
    CHECK_EQ(inspect(&s), OPAL_OK);
}

TEST(address_wraps)
{
    struct spec s = valid();
    struct elf_info info;

    /* 0xfffff000 + 0x2000 wraps to 0x1000: out of range even with no upper bound. */
    s.segs[2].vaddr = 0xfffff000;
    s.segs[2].memsz = 0x2000;
    CHECK_EQ(inspect_range(&s, 0, 0xffffffff, &info), OPAL_ERR_RANGE);
    /* Ending on the very last byte is fine. */
    s.segs[2].memsz = 0x1000;
    CHECK_EQ(inspect_range(&s, 0, 0xffffffff, &info), OPAL_OK);
    CHECK_EQ(info.segments[1].vaddr, 0xfffff000);
    s.segs[2].memsz = 0x1001;
    CHECK_EQ(inspect_range(&s, 0, 0xffffffff, &info), OPAL_ERR_RANGE);
}

TEST(overlapping_segments)
{
    struct spec s = valid();
    struct elf_info info;

    s.segs[2].vaddr = 0x100ff; /* shares the text's last byte */
    CHECK_EQ(inspect(&s), OPAL_ERR_INVALID_ARGUMENT);
    s.segs[2].vaddr = 0x10100; /* adjacent */
    CHECK_EQ(inspect(&s), OPAL_OK);
    s.segs[2].vaddr = 0xf000; /* contains the text entirely */
    s.segs[2].memsz = 0x10000;
    CHECK_EQ(inspect_range(&s, 0, HIGHEST, &info), OPAL_ERR_INVALID_ARGUMENT);
    s.segs[2].vaddr = 0x10040; /* inside the text */
    s.segs[2].memsz = 0x80;
    CHECK_EQ(inspect(&s), OPAL_ERR_INVALID_ARGUMENT);
}

/* `loads` adjacent 16-byte executable PT_LOAD segments from 0x10000, after a
 * note and an empty PT_LOAD that do not count. */
static struct spec many(unsigned loads)
{
    struct spec s = { .entry = 0x10000, .count = loads + 2 };

    s.segs[0] = (struct seg){ PT_NOTE, 0, 0, 0, 0, 0 };
    s.segs[1] = (struct seg){ PT_LOAD, 0, 0x50000, 0, 0, 0 };
    for (unsigned i = 0; i < loads; i++)
        s.segs[i + 2] = (struct seg){ PT_LOAD, 0x200 + 16 * i, 0x10000 + 16 * i, 16, 16,
                                      ELF_PF_R | ELF_PF_X };
    s.size = 0x200 + 16 * loads;
    return s;
}

TEST(segment_count)
{
    struct spec s = many(ELF_MAX_SEGMENTS);
    struct elf_info info;

    CHECK_EQ(inspect_range(&s, LOWEST, HIGHEST, &info), OPAL_OK);
    CHECK_EQ(info.segment_count, ELF_MAX_SEGMENTS);
    CHECK_EQ(info.segments[ELF_MAX_SEGMENTS - 1].vaddr, 0x10000 + 16 * (ELF_MAX_SEGMENTS - 1));
    s = many(ELF_MAX_SEGMENTS + 1);
    CHECK_EQ(inspect(&s), OPAL_ERR_INVALID_ARGUMENT);
    s = many(0);
    CHECK_EQ(inspect(&s), OPAL_ERR_INVALID_ARGUMENT); /* nothing to run */
}

TEST(entry_point)
{
    struct spec s = valid();

    s.entry = 0x20000; /* in the data segment: not executable */
    CHECK_EQ(inspect(&s), OPAL_ERR_INVALID_ARGUMENT);
    s.entry = 0x30000; /* nowhere */
    CHECK_EQ(inspect(&s), OPAL_ERR_INVALID_ARGUMENT);
    s.entry = 0x100ff; /* the text's last byte */
    CHECK_EQ(inspect(&s), OPAL_OK);
    s.entry = 0x10100; /* one past it */
    CHECK_EQ(inspect(&s), OPAL_ERR_INVALID_ARGUMENT);
    s.entry = 0xffff;
    CHECK_EQ(inspect(&s), OPAL_ERR_INVALID_ARGUMENT);
    /* Executable but empty segments do not count. */
    s = valid();
    s.entry = 0x30000;
    s.segs[3].flags = ELF_PF_R | ELF_PF_X;
    CHECK_EQ(inspect(&s), OPAL_ERR_INVALID_ARGUMENT);
}
