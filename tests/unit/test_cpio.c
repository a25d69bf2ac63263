/* Host tests of the newc CPIO reader: archives built in memory, one made by
 * GNU cpio, truncations at every length and corrupted headers.
 * Usage: test_cpio ARCHIVE FIXTURE_DIR (the files ARCHIVE was made from) */
#define UNIT_SUITE "cpio"
#include "unit.h"

#include "core/cpio.h"
#include "opal/error.h"

#define MAX_ENTRIES 8
#define FIELD_MODE 1
#define FIELD_FILESIZE 6
#define FIELD_NAMESIZE 11

struct archive {
    uint8_t data[4096];
    size_t size;
    unsigned count;
    size_t start[MAX_ENTRIES]; /* offset of each header */
    size_t end[MAX_ENTRIES];   /* one past each body (unpadded) */
};

static void pad4(struct archive *a)
{
    while (a->size % 4 != 0)
        a->data[a->size++] = 0;
}

static void add(struct archive *a, const char *name, uint32_t mode, const char *body)
{
    size_t namesize = strlen(name) + 1, filesize = strlen(body);
    char header[111];

    a->start[a->count] = a->size;
    snprintf(header, sizeof header,
             "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", a->count + 1, mode,
             0u, 0u, 1u, 0u, (unsigned)filesize, 0u, 0u, 0u, 0u, (unsigned)namesize, 0u);
    memcpy(a->data + a->size, header, 110);
    memcpy(a->data + a->size + 110, name, namesize);
    a->size += 110 + namesize;
    pad4(a);
    memcpy(a->data + a->size, body, filesize);
    a->size += filesize;
    a->end[a->count++] = a->size;
    pad4(a);
}

/* Regular files "init", "dtb/system.dtb", "empty", "dtb/guest.dtb" (bodies of
 * every length mod 4) around a directory and a symlink, then the trailer and
 * zero padding to a 512-byte block as GNU cpio writes. */
static struct archive sample(void)
{
    static struct archive a;

    memset(&a, 0, sizeof a);
    add(&a, "init", 0100755, "init-bytes");
    add(&a, "dtb", 040755, "");
    add(&a, "dtb/system.dtb", 0100644, "\xd0\x0d\xfe\xed!");
    add(&a, "link", 0120777, "init");
    add(&a, "empty", 0100644, "");
    add(&a, "dtb/guest.dtb", 0100600, "abc");
    add(&a, "TRAILER!!!", 0, "");
    a.size = (a.size + 511) / 512 * 512;
    return a;
}

/* Writes 8 hex digits into a header field of entry `index`. */
static void set_field(struct archive *a, unsigned index, int field, uint32_t value)
{
    char digits[9];

    snprintf(digits, sizeof digits, "%08X", value);
    memcpy(a->data + a->start[index] + 6 + 8 * field, digits, 8);
}

static int find(const struct archive *a, const char *name, struct cpio_file *file)
{
    uint8_t *copy = unit_copy(a->data, a->size);
    int err = cpio_find(copy, a->size, name, file);

    free(copy);
    return err;
}

static int entry(const struct archive *a, unsigned index)
{
    struct cpio_file file;
    uint8_t *copy = unit_copy(a->data, a->size);
    int err = cpio_entry(copy, a->size, index, &file);

    free(copy);
    return err;
}

TEST(find_files)
{
    struct archive a = sample();
    struct cpio_file file;

    CHECK_EQ(cpio_find(a.data, a.size, "init", &file), OPAL_OK);
    CHECK_STR(file.name, "init");
    CHECK_EQ(file.size, 10);
    CHECK(memcmp(file.data, "init-bytes", 10) == 0);
    CHECK_EQ((const uint8_t *)file.data - a.data, 116); /* 110 + 5, rounded up to 4 */
    CHECK_EQ(cpio_find(a.data, a.size, "dtb/system.dtb", &file), OPAL_OK);
    CHECK_EQ(file.size, 5);
    CHECK(memcmp(file.data, "\xd0\x0d\xfe\xed!", 5) == 0);
    CHECK_EQ(cpio_find(a.data, a.size, "dtb/guest.dtb", &file), OPAL_OK);
    CHECK_EQ(file.size, 3);
    CHECK(memcmp(file.data, "abc", 3) == 0);
    CHECK_EQ(cpio_find(a.data, a.size, "empty", &file), OPAL_OK);
    CHECK_EQ(file.size, 0);
    CHECK_STR(file.name, "empty");
}

TEST(not_found)
{
    struct archive a = sample();
    struct cpio_file file;

    CHECK_EQ(cpio_find(a.data, a.size, "dtb", &file), OPAL_ERR_NOT_FOUND);  /* a directory */
    CHECK_EQ(cpio_find(a.data, a.size, "link", &file), OPAL_ERR_NOT_FOUND); /* a symlink */
    CHECK_EQ(cpio_find(a.data, a.size, "TRAILER!!!", &file), OPAL_ERR_NOT_FOUND);
    CHECK_EQ(cpio_find(a.data, a.size, "ini", &file), OPAL_ERR_NOT_FOUND);
    CHECK_EQ(cpio_find(a.data, a.size, "init2", &file), OPAL_ERR_NOT_FOUND);
    CHECK_EQ(cpio_find(a.data, a.size, "", &file), OPAL_ERR_NOT_FOUND);
    CHECK_EQ(cpio_find(a.data, a.size, "/init", &file), OPAL_ERR_NOT_FOUND);
    CHECK_EQ(cpio_find(a.data, a.size, NULL, &file), OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(cpio_find(NULL, a.size, "init", &file), OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(cpio_find(a.data, a.size, "init", NULL), OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(cpio_entry(NULL, a.size, 0, &file), OPAL_ERR_INVALID_ARGUMENT);
}

TEST(entries_in_order)
{
    static const char *const names[] = { "init", "dtb/system.dtb", "empty", "dtb/guest.dtb" };
    struct archive a = sample();
    struct cpio_file file;

    for (unsigned i = 0; i < 4; i++) {
        CHECK_EQ(cpio_entry(a.data, a.size, i, &file), OPAL_OK);
        CHECK_STR(file.name, names[i]);
    }
    CHECK_EQ(cpio_entry(a.data, a.size, 4, &file), OPAL_ERR_NOT_FOUND);
    CHECK_EQ(cpio_entry(a.data, a.size, 0xffffffffu, &file), OPAL_ERR_NOT_FOUND);
}

TEST(unaligned_archive)
{
    struct archive a = sample();
    struct cpio_file file;
    uint8_t *shifted = malloc(a.size + 1);

    memcpy(shifted + 1, a.data, a.size);
    CHECK_EQ(cpio_find(shifted + 1, a.size, "dtb/guest.dtb", &file), OPAL_OK);
    CHECK(memcmp(file.data, "abc", 3) == 0);
    free(shifted);
}

/* Expected result of reading through the entry ending at `end` in a prefix. */
static int expect(size_t end, size_t length, int ok)
{
    return end <= length ? ok : OPAL_ERR_MALFORMED;
}

TEST(every_truncation)
{
    /* sample() entry indexes of the regular files, in order. */
    static const unsigned regular[] = { 0, 2, 4, 5 };
    static const char *const names[] = { "init", "dtb/system.dtb", "empty", "dtb/guest.dtb" };
    struct archive a = sample();
    size_t trailer_end = a.end[6]; /* its (empty) body sits at the aligned name end */
    struct cpio_file file;

    CHECK_EQ(trailer_end, (a.start[6] + 110 + 11 + 3) & ~(size_t)3);
    for (size_t length = 0; length < a.size; length++) {
        uint8_t *copy = unit_copy(a.data, length);
        for (unsigned i = 0; i < 4; i++) {
            int want = expect(a.end[regular[i]], length, OPAL_OK);
            int got = cpio_entry(copy, length, i, &file);
            CHECKF(got == want, "length %zu, entry %u: got %d, want %d", length, i, got, want);
            got = cpio_find(copy, length, names[i], &file);
            CHECKF(got == want, "length %zu, find %s: got %d, want %d", length, names[i], got, want);
        }
        int want = expect(trailer_end, length, OPAL_ERR_NOT_FOUND);
        int got = cpio_entry(copy, length, 4, &file);
        CHECKF(got == want, "length %zu, entry 4: got %d, want %d", length, got, want);
        got = cpio_find(copy, length, "missing", &file);
        CHECKF(got == want, "length %zu, find missing: got %d, want %d", length, got, want);
        free(copy);
    }
}

TEST(bad_magic)
{
    static const char *const magics[] = { "070702", "070707", "070700", "170701", "07070" };
    struct cpio_file file;

    for (unsigned i = 0; i < sizeof magics / sizeof magics[0]; i++) {
        struct archive a = sample();
        memcpy(a.data + a.start[2], magics[i], 6); /* "07070" copies its NUL too */
        /* Entries before the bad header still read; the rest do not. */
        CHECKF(find(&a, "init", &file) == OPAL_OK, "magic %s", magics[i]);
        CHECKF(find(&a, "dtb/system.dtb", &file) == OPAL_ERR_MALFORMED, "magic %s", magics[i]);
        CHECKF(entry(&a, 1) == OPAL_ERR_MALFORMED, "magic %s", magics[i]);
        CHECKF(find(&a, "missing", &file) == OPAL_ERR_MALFORMED, "magic %s", magics[i]);
    }
}

TEST(bad_hex)
{
    static const char bad[] = { 'g', 'G', ' ', '-', 'x', '\0', 0x7f, (char)0xb0 };

    for (int field = 0; field < 13; field++) {
        for (unsigned i = 0; i < sizeof bad; i++) {
            for (int digit = 0; digit < 8; digit += 7) {
                struct archive a = sample();
                a.data[a.start[0] + 6 + 8 * field + digit] = (uint8_t)bad[i];
                CHECKF(entry(&a, 0) == OPAL_ERR_MALFORMED, "field %d digit %d = %#x", field,
                       digit, (unsigned)(uint8_t)bad[i]);
            }
        }
    }
    /* Lower-case hex is hex too. */
    struct archive a = sample();
    struct cpio_file file;
    memcpy(a.data + a.start[0] + 6 + 8 * FIELD_FILESIZE, "0000000a", 8);
    memcpy(a.data + a.start[0] + 6 + 8 * FIELD_MODE, "000081ed", 8);
    CHECK_EQ(find(&a, "dtb/guest.dtb", &file), OPAL_OK);
}

TEST(bad_names)
{
    struct cpio_file file;
    struct archive a;

    a = sample();
    set_field(&a, 0, FIELD_NAMESIZE, 0);
    CHECK_EQ(entry(&a, 0), OPAL_ERR_MALFORMED);
    a = sample();
    set_field(&a, 0, FIELD_NAMESIZE, 4); /* "init" without its NUL */
    CHECK_EQ(entry(&a, 0), OPAL_ERR_MALFORMED);
    a = sample();
    set_field(&a, 0, FIELD_NAMESIZE, 6); /* a NUL before the last byte */
    CHECK_EQ(entry(&a, 0), OPAL_ERR_MALFORMED);
    a = sample();
    a.data[a.start[0] + 110 + 4] = 'X'; /* unterminated */
    CHECK_EQ(entry(&a, 0), OPAL_ERR_MALFORMED);
    /* Names past the end of the archive. */
    const uint32_t sizes[] = { 0xffffffff, 0x80000000, (uint32_t)a.size };
    for (unsigned i = 0; i < 3; i++) {
        a = sample();
        set_field(&a, 0, FIELD_NAMESIZE, sizes[i]);
        CHECKF(entry(&a, 0) == OPAL_ERR_MALFORMED, "namesize %#x", sizes[i]);
        CHECKF(find(&a, "init", &file) == OPAL_ERR_MALFORMED, "namesize %#x", sizes[i]);
    }
    /* The last entry's name running exactly to the end, unterminated. */
    a = sample();
    a.size = a.start[5] + 110 + 13;
    CHECK_EQ(entry(&a, 3), OPAL_ERR_MALFORMED);
}

TEST(bad_sizes)
{
    struct archive a;
    const uint32_t sizes[] = { 0xffffffff, 0xfffffffc, 0x80000000, 4096 };

    for (unsigned i = 0; i < 4; i++) {
        a = sample();
        set_field(&a, 0, FIELD_FILESIZE, sizes[i]);
        CHECKF(entry(&a, 0) == OPAL_ERR_MALFORMED, "filesize %#x", sizes[i]);
    }
    /* A body that ends exactly at the end of the archive is fine... */
    a = sample();
    a.size = a.end[5];
    CHECK_EQ(entry(&a, 3), OPAL_OK);
    /* ...but an archive without its trailer is not. */
    CHECK_EQ(entry(&a, 4), OPAL_ERR_MALFORMED);
    a.size = 0;
    CHECK_EQ(entry(&a, 0), OPAL_ERR_MALFORMED);
    /* A body that overlaps the next header shifts the walk into garbage. */
    a = sample();
    set_field(&a, 0, FIELD_FILESIZE, 13); /* the next header moves to 132 */
    CHECK_EQ(entry(&a, 0), OPAL_OK);
    CHECK_EQ(entry(&a, 1), OPAL_ERR_MALFORMED);
}

/* ---- an archive written by GNU cpio ---- */

static void check_file(const uint8_t *archive, size_t size, const char *name)
{
    char path[4096];
    size_t expected_size = 0;
    struct cpio_file file;

    snprintf(path, sizeof path, "%s/%s", unit_arg(2), name);
    uint8_t *expected = unit_read_file(path, &expected_size);
    CHECKF(expected != NULL, "cannot read %s", path);
    int err = cpio_find(archive, size, name, &file);
    CHECKF(err == OPAL_OK, "find %s: %d", name, err);
    CHECK_EQ(file.size, expected_size);
    CHECK(expected_size == 0 || memcmp(file.data, expected, expected_size) == 0);
    free(expected);
}

TEST(gnu_cpio_archive)
{
    size_t size = 0;
    uint8_t *archive = unit_read_file(unit_arg(1), &size);
    struct cpio_file file;

    CHECKF(archive != NULL && unit_arg(2) != NULL, "usage: test_cpio ARCHIVE FIXTURE_DIR");
    check_file(archive, size, "hello.txt");
    check_file(archive, size, "empty");
    check_file(archive, size, "sub/nested.txt");
    CHECK_EQ(cpio_find(archive, size, "sub", &file), OPAL_ERR_NOT_FOUND); /* a directory */
    CHECK_EQ(cpio_entry(archive, size, 0, &file), OPAL_OK);
    CHECK_STR(file.name, "empty");
    CHECK_EQ(cpio_entry(archive, size, 1, &file), OPAL_OK);
    CHECK_STR(file.name, "hello.txt");
    CHECK_EQ(cpio_entry(archive, size, 2, &file), OPAL_OK);
    CHECK_STR(file.name, "sub/nested.txt");
    CHECK_EQ(cpio_entry(archive, size, 3, &file), OPAL_ERR_NOT_FOUND);

    /* Every truncation: nothing read past the buffer, and the trailer decides. */
    size_t trailer = 0;
    while (trailer + 11 <= size && memcmp(archive + trailer, "TRAILER!!!", 11) != 0)
        trailer++;
    CHECK(trailer + 11 <= size);
    size_t trailer_end = (trailer + 11 + 3) & ~(size_t)3;
    for (size_t length = 0; length < size; length++) {
        uint8_t *copy = unit_copy(archive, length);
        int got = cpio_entry(copy, length, 3, &file);
        free(copy);
        int want = length >= trailer_end ? OPAL_ERR_NOT_FOUND : OPAL_ERR_MALFORMED;
        CHECKF(got == want, "length %zu: got %d, want %d", length, got, want);
    }
    free(archive);
}
