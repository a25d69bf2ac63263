/* Host tests of the freestanding formatter: each conversion, flags and widths,
 * 64-bit values (checked against the host's printf), truncation, unknown input. */
#define UNIT_SUITE "format"
#include "unit.h"

#include <limits.h>

#include "core/format.h"
#include "opal/error.h"

struct capture {
    char *data;
    size_t used;
    size_t size;
};

static void capture_sink(void *context, char c)
{
    struct capture *cap = context;

    if (cap->used + 1 < cap->size)
        cap->data[cap->used++] = c;
    cap->data[cap->used] = '\0';
}

/* Deliberately without a format attribute, so tests may pass formats the
 * compiler would reject (unknown conversions); arguments are cast explicitly. */
static int render_sink(char *buffer, size_t size, const char *fmt, ...)
{
    struct capture cap = { buffer, 0, size };
    va_list args;

    buffer[0] = '\0';
    va_start(args, fmt);
    int n = format_v(capture_sink, &cap, fmt, args);
    va_end(args);
    return n;
}

static int render_string(char *buffer, size_t size, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    int n = format_string_v(buffer, size, fmt, args);
    va_end(args);
    return n;
}

/* Both entry points must produce `expected` and return its length. */
#define CHECK_FORMAT(expected, ...)                                                      \
    do {                                                                                 \
        char sink_out_[8192], string_out_[8192];                                         \
        int sink_n_ = render_sink(sink_out_, sizeof sink_out_, __VA_ARGS__);             \
        int string_n_ = render_string(string_out_, sizeof string_out_, __VA_ARGS__);     \
        CHECK_STR(sink_out_, expected);                                                  \
        CHECK_STR(string_out_, expected);                                                \
        CHECK_EQ(sink_n_, (int)strlen(expected));                                        \
        CHECK_EQ(string_n_, (int)strlen(expected));                                      \
    } while (0)

TEST(plain_text)
{
    CHECK_FORMAT("", "");
    CHECK_FORMAT("hello, world\n", "hello, world\n");
    CHECK_FORMAT("100%", "100%%");
    CHECK_FORMAT("%", "%5%");
}

TEST(signed_decimal)
{
    CHECK_FORMAT("0", "%d", 0);
    CHECK_FORMAT("42", "%d", 42);
    CHECK_FORMAT("-42", "%d", -42);
    CHECK_FORMAT("-7", "%i", -7);
    CHECK_FORMAT("2147483647", "%d", INT_MAX);
    CHECK_FORMAT("-2147483648", "%d", INT_MIN);
    CHECK_FORMAT("-1 0 1", "%d %d %d", -1, 0, 1);
}

TEST(unsigned_and_hex)
{
    CHECK_FORMAT("0", "%u", 0u);
    CHECK_FORMAT("4294967295", "%u", UINT_MAX);
    CHECK_FORMAT("deadbeef", "%x", 0xdeadbeefu);
    CHECK_FORMAT("DEADBEEF", "%X", 0xdeadbeefu);
    CHECK_FORMAT("0", "%x", 0u);
    CHECK_FORMAT("ffffffff", "%x", -1); /* an int read as unsigned */
}

TEST(characters_and_strings)
{
    CHECK_FORMAT("A", "%c", 'A');
    CHECK_FORMAT("    A", "%5c", 'A');
    CHECK_FORMAT("A  |", "%-3c|", 'A');
    CHECK_FORMAT("hi", "%s", "hi");
    CHECK_FORMAT("(null)", "%s", (const char *)NULL);
    CHECK_FORMAT("  (null)", "%8s", (const char *)NULL);
    CHECK_FORMAT("he", "%.2s", "hello");
    CHECK_FORMAT("hel", "%.*s", 3, "hello");
    CHECK_FORMAT("hello", "%.*s", -1, "hello"); /* negative: no precision */
    CHECK_FORMAT("", "%.0s", "hello");
    CHECK_FORMAT("", "%.s", "hello");
    CHECK_FORMAT("hello", "%.10s", "hello");
    CHECK_FORMAT("     abc|", "%8s|", "abc");
    CHECK_FORMAT("abc     |", "%-8s|", "abc");
    CHECK_FORMAT("     abc", "%08s", "abc"); /* '0' pads numbers only */
    CHECK_FORMAT("   ab", "%5.2s", "abc");
    CHECK_FORMAT("", "%s", "");
}

TEST(precision_bounds_the_read)
{
    /* Exactly three bytes, no NUL: %.3s must not look further (ASan checks). */
    char *abc = malloc(3);
    memcpy(abc, "abc", 3);
    CHECK_FORMAT("abc", "%.3s", abc);
    CHECK_FORMAT("ab", "%.*s", 2, abc);
    free(abc);
}

TEST(widths_and_flags)
{
    CHECK_FORMAT("   42", "%5d", 42);
    CHECK_FORMAT("42   |", "%-5d|", 42);
    CHECK_FORMAT("00042", "%05d", 42);
    CHECK_FORMAT("-0042", "%05d", -42);
    CHECK_FORMAT("  -42", "%5d", -42);
    CHECK_FORMAT("-42  |", "%-05d|", -42); /* '-' wins over '0' */
    CHECK_FORMAT("12345", "%2d", 12345);   /* never truncated */
    CHECK_FORMAT("    42", "%*d", 6, 42);
    CHECK_FORMAT("42    |", "%*d|", -6, 42); /* negative '*' width left-justifies */
    CHECK_FORMAT("0000beef", "%0*x", 8, 0xbeefu);
    CHECK_FORMAT("0000BEEF", "%08X", 0xbeefu);
    CHECK_FORMAT("-0000000000000000001", "%020lld", -1LL);
    CHECK_FORMAT("42", "%.3d", 42); /* precision is ignored for numbers */
    CHECK_FORMAT("42   |", "%--5d|", 42); /* repeated flags */
}

TEST(huge_widths_are_clamped)
{
    char out[8192];

    CHECK_EQ(render_string(out, sizeof out, "%99999999999d", 42), 4096);
    CHECK_EQ(strlen(out), 4096);
    CHECK(strcmp(out + 4094, "42") == 0);
    CHECK_EQ(render_string(out, sizeof out, "%*d", INT_MIN, 42), 4096);
    CHECK(strncmp(out, "42  ", 4) == 0);
    CHECK_EQ(render_string(out, sizeof out, "%*d", INT_MAX, 42), 4096);
    CHECK_EQ(render_string(out, sizeof out, "%.99999999999s|", "abc"), 4);
    CHECK_STR(out, "abc|");
}

TEST(length_modifiers)
{
    CHECK_FORMAT("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
    CHECK_FORMAT("-9223372036854775808", "%lld", (long long)INT64_MIN);
    CHECK_FORMAT("9223372036854775807", "%lli", (long long)INT64_MAX);
    CHECK_FORMAT("123456789abcdef", "%llx", 0x0123456789abcdefULL);
    CHECK_FORMAT("FEDCBA9876543210", "%llX", 0xfedcba9876543210ULL);
    CHECK_FORMAT("1234567890123456789", "%llu", 1234567890123456789ULL);
    CHECK_FORMAT("4294967296", "%llu", 0x100000000ULL);
    CHECK_FORMAT("-5", "%zd", (ptrdiff_t)-5);
    CHECK_FORMAT("-5", "%ld", -5L);
    CHECK_FORMAT("7", "%lx", 7UL);

    /* Types whose width differs between host and target, against the host's printf. */
    char expected[128];
    snprintf(expected, sizeof expected, "%lu %zu %zx %ld", ULONG_MAX, SIZE_MAX, SIZE_MAX, LONG_MIN);
    CHECK_FORMAT(expected, "%lu %zu %zx %ld", ULONG_MAX, SIZE_MAX, SIZE_MAX, LONG_MIN);
}

/* The 16-bit-limb division against the host's, over boundaries and a seeded sweep. */
TEST(decimal_64_bit_sweep)
{
    uint64_t state = 0x9e3779b97f4a7c15ULL;
    char expected[32], out[32];

    for (int i = 0; i < 200000; i++) {
        uint64_t v;
        if (i < 64 * 3) {
            v = (1ULL << (i / 3)) + (uint64_t)(i % 3) - 1; /* 2^k - 1, 2^k, 2^k + 1 */
        } else {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            v = state >> (state & 63);
        }
        snprintf(expected, sizeof expected, "%llu", (unsigned long long)v);
        render_string(out, sizeof out, "%llu", (unsigned long long)v);
        CHECKF(strcmp(out, expected) == 0, "%s printed as %s", expected, out);
        snprintf(expected, sizeof expected, "%lld", (long long)v);
        render_string(out, sizeof out, "%lld", (long long)v);
        CHECKF(strcmp(out, expected) == 0, "%s printed as %s", expected, out);
    }
    uint64_t power = 1;
    for (int k = 0; k < 20; k++, power *= 10) {
        for (uint64_t v = power - 1; v <= power + 1; v++) {
            snprintf(expected, sizeof expected, "%llu", (unsigned long long)v);
            render_string(out, sizeof out, "%llu", (unsigned long long)v);
            CHECKF(strcmp(out, expected) == 0, "%s printed as %s", expected, out);
        }
    }
}

TEST(pointers)
{
    CHECK_FORMAT("0x00001234", "%p", (void *)0x1234);
    CHECK_FORMAT("0x00000000", "%p", (void *)NULL);
    CHECK_FORMAT("0xdeadbeef", "%p", (void *)(uintptr_t)0xdeadbeefu);
    CHECK_FORMAT("  0x00001234", "%12p", (void *)0x1234);
    CHECK_FORMAT("0x00001234  |", "%-12p|", (void *)0x1234);
    CHECK_FORMAT("0x0000001234", "%012p", (void *)0x1234);
    if (sizeof(void *) == 8)
        CHECK_FORMAT("0x123456789a", "%p", (void *)(uintptr_t)0x123456789aULL);
}

TEST(unknown_conversions)
{
    CHECK_FORMAT("%q", "%q");
    CHECK_FORMAT("%5q", "%5q");
    CHECK_FORMAT("%-08.3q", "%-08.3q");
    CHECK_FORMAT("%hd", "%hd");
    CHECK_FORMAT("%f", "%f");
    CHECK_FORMAT("%", "%");
    CHECK_FORMAT("abc%", "abc%");
    CHECK_FORMAT("%5", "%5");
    CHECK_FORMAT("%l", "%l");
    CHECK_FORMAT("%ll", "%ll");
    CHECK_FORMAT("%-", "%-");
    /* An unknown conversion consumes no argument. */
    CHECK_FORMAT("%q 7 x", "%q %d %s", 7, "x");
    CHECK_FORMAT("%lq 7", "%lq %d", 7);
}

TEST(mixed)
{
    CHECK_FORMAT("cap 3: invalid capability at 0x0000a000 (rights rw-, 2 left)",
                 "cap %u: %s at %p (rights %c%c%c, %d left)", 3u,
                 opal_error_name(OPAL_ERR_INVALID_CAPABILITY), (void *)0xa000, 'r', 'w', '-',
                 2);
}

TEST(format_string_truncates)
{
    /* "hello-12345" is 11 characters. Exact-size buffers: ASan flags any write past. */
    for (size_t size = 0; size <= 14; size++) {
        char *buffer = malloc(size ? size : 1);
        int n = format_string(size ? buffer : NULL, size, "%s-%d", "hello", 12345);
        CHECKF(n == 11, "size %zu: returned %d", size, n);
        if (size > 0) {
            size_t kept = size - 1 < 11 ? size - 1 : 11;
            CHECKF(strlen(buffer) == kept, "size %zu: kept %zu", size, strlen(buffer));
            CHECKF(strncmp(buffer, "hello-12345", kept) == 0, "size %zu: %s", size, buffer);
        }
        free(buffer);
    }
    char canary[4] = "xyz";
    CHECK_EQ(format_string(canary, 0, "%d", 12345), 5);
    CHECK_STR(canary, "xyz"); /* size 0: nothing written, not even a NUL */
    char one[1] = { 'x' };
    CHECK_EQ(format_string(one, 1, "abc"), 3);
    CHECK_EQ(one[0], '\0');
}

static void count_sink(void *context, char c)
{
    (void)c;
    ++*(int *)context;
}

TEST(format_counts_what_it_sends)
{
    int calls = 0;

    CHECK_EQ(format(count_sink, &calls, "%s=%08x%c", "key", 0xabcu, '!'), 13);
    CHECK_EQ(calls, 13);
}

TEST(error_names)
{
    CHECK_STR(opal_error_name(OPAL_OK), "ok");
    CHECK_STR(opal_error_name(OPAL_ERR_INVALID_ARGUMENT), "invalid argument");
    CHECK_STR(opal_error_name(OPAL_ERR_INVALID_CAPABILITY), "invalid capability");
    CHECK_STR(opal_error_name(OPAL_ERR_MALFORMED), "malformed");
    CHECK_STR(opal_error_name(OPAL_ERR_NOT_FOUND), "not found");
    CHECK_STR(opal_error_name(-OPAL_ERR_NOT_FOUND), "not found");
    CHECK_STR(opal_error_name(OPAL_ERR_COUNT), "unknown error");
    CHECK_STR(opal_error_name(-OPAL_ERR_COUNT), "unknown error");
    CHECK_STR(opal_error_name(INT_MIN), "unknown error");
    CHECK_STR(opal_error_name(INT_MAX), "unknown error");
    for (int e = 0; e < OPAL_ERR_COUNT; e++) {
        const char *name = opal_error_name(e);
        CHECKF(name != NULL && name[0] != '\0' && strcmp(name, "unknown error") != 0,
               "error %d has no name", e);
        for (int other = 0; other < e; other++)
            CHECKF(strcmp(name, opal_error_name(other)) != 0, "errors %d and %d share %s", e,
                   other, name);
    }
}
