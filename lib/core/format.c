/* printf-style formatting onto a caller's sink, behind the kernel log and user
 * printf. Needs no libgcc helper: 64-bit decimal is divided in 16-bit limbs. */
#include "core/format.h"

#include <stdbool.h>
#include <stdint.h>

#include "core/string.h"

/* Field widths are clamped so a hostile or mistyped width cannot make one
 * conversion emit billions of characters or overflow the count. */
#define FORMAT_MAX_WIDTH 4096
#define FORMAT_MAX_PRECISION 100000000
/* %p shows at least this many hex digits: a whole 32-bit address. */
#define FORMAT_POINTER_DIGITS 8

struct output {
    format_sink sink;
    void *context;
    int count;
};

struct spec {
    bool left;     /* '-': pad on the right */
    bool zero;     /* '0': pad numbers with zeros after the sign or 0x */
    int width;
    int precision; /* -1 when absent */
    char length;   /* 0, 'l', 'q' (ll) or 'z' */
};

static void put(struct output *out, char c)
{
    out->sink(out->context, c);
    out->count++;
}

static void put_repeated(struct output *out, char c, int n)
{
    for (int i = 0; i < n; i++)
        put(out, c);
}

static void put_chars(struct output *out, const char *s, int n)
{
    for (int i = 0; i < n; i++)
        put(out, s[i]);
}

/* prefix (sign or 0x) and body, padded to the field width. */
static void put_field(struct output *out, const struct spec *spec, const char *prefix,
                      const char *body, int body_length, bool numeric)
{
    int prefix_length = (int)core_strlen(prefix);
    int padding = spec->width - prefix_length - body_length;
    bool zeros = numeric && spec->zero && !spec->left;

    if (!spec->left && !zeros)
        put_repeated(out, ' ', padding);
    put_chars(out, prefix, prefix_length);
    if (zeros)
        put_repeated(out, '0', padding);
    put_chars(out, body, body_length);
    if (spec->left)
        put_repeated(out, ' ', padding);
}

/* *n /= 10, returning the remainder. Long division by 16-bit limbs keeps every
 * step in 32 bits, which the Cortex-A15 divides in hardware. */
static unsigned divide_by_10(uint64_t *n)
{
    uint64_t quotient = 0;
    uint32_t remainder = 0;

    for (int shift = 48; shift >= 0; shift -= 16) {
        uint32_t part = remainder << 16 | (uint32_t)(*n >> shift & 0xffffu);
        quotient |= (uint64_t)(part / 10) << shift;
        remainder = part % 10;
    }
    *n = quotient;
    return remainder;
}

static void put_number(struct output *out, const struct spec *spec, uint64_t value,
                       const char *prefix, unsigned base, bool upper, int min_digits)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buffer[24]; /* 20 decimal digits of 2^64 - 1, or 16 hex */
    char *end = buffer + sizeof buffer;
    char *p = end;

    do {
        unsigned digit;
        if (base == 16) {
            digit = (unsigned)(value & 15);
            value >>= 4;
        } else {
            digit = divide_by_10(&value);
        }
        *--p = digits[digit];
    } while (value != 0);
    while (end - p < min_digits)
        *--p = '0';
    put_field(out, spec, prefix, p, (int)(end - p), true);
}

static void put_string(struct output *out, const struct spec *spec, const char *s)
{
    if (s == NULL)
        s = "(null)";
    /* Bounded by the precision, so an unterminated array is fine with %.*s. */
    size_t max = spec->precision >= 0 ? (size_t)spec->precision : (size_t)INT32_MAX;
    put_field(out, spec, "", s, (int)core_strnlen(s, max), false);
}

static uint64_t unsigned_arg(va_list *args, char length)
{
    switch (length) {
    case 'l':
        return va_arg(*args, unsigned long);
    case 'q':
        return va_arg(*args, unsigned long long);
    case 'z':
        return va_arg(*args, size_t);
    default:
        return va_arg(*args, unsigned int);
    }
}

static int64_t signed_arg(va_list *args, char length)
{
    switch (length) {
    case 'l':
        return va_arg(*args, long);
    case 'q':
        return va_arg(*args, long long);
    case 'z':
        return va_arg(*args, ptrdiff_t); /* the signed type of size_t's width */
    default:
        return va_arg(*args, int);
    }
}

static void put_signed(struct output *out, const struct spec *spec, int64_t value)
{
    /* Negate as unsigned: -INT64_MIN does not exist as a signed value. */
    uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;

    put_number(out, spec, magnitude, value < 0 ? "-" : "", 10, false, 1);
}

static int accumulate(int value, char digit, int limit)
{
    value = value * 10 + (digit - '0');
    return value > limit ? limit : value;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Flags, width, precision and length after the '%'; returns a pointer to the
 * conversion character. A negative '*' width means '-', as in C. */
static const char *parse_spec(const char *p, struct spec *spec, va_list *args)
{
    *spec = (struct spec){ .precision = -1 };
    for (;; p++) {
        if (*p == '-')
            spec->left = true;
        else if (*p == '0')
            spec->zero = true;
        else
            break;
    }
    if (*p == '*') {
        int width = va_arg(*args, int);
        spec->left |= width < 0;
        /* Clamp before negating: -INT_MIN does not exist. */
        if (width < -FORMAT_MAX_WIDTH || width > FORMAT_MAX_WIDTH)
            spec->width = FORMAT_MAX_WIDTH;
        else
            spec->width = width < 0 ? -width : width;
        p++;
    }
    while (is_digit(*p))
        spec->width = accumulate(spec->width, *p++, FORMAT_MAX_WIDTH);
    if (*p == '.') {
        spec->precision = 0;
        if (*++p == '*') {
            int precision = va_arg(*args, int);
            spec->precision = precision < 0 ? -1 : precision;
            p++;
        }
        while (is_digit(*p))
            spec->precision = accumulate(spec->precision, *p++, FORMAT_MAX_PRECISION);
    }
    if (*p == 'l') {
        spec->length = *++p == 'l' ? 'q' : 'l';
        p += spec->length == 'q';
    } else if (*p == 'z') {
        spec->length = 'z';
        p++;
    }
    return p;
}

/* One conversion; false if c is not one we know (or the format ended). */
static bool convert(struct output *out, const struct spec *spec, char c, va_list *args)
{
    switch (c) {
    case '%':
        put(out, '%');
        return true;
    case 'c': {
        char ch = (char)va_arg(*args, int);
        put_field(out, spec, "", &ch, 1, false);
        return true;
    }
    case 's':
        put_string(out, spec, va_arg(*args, const char *));
        return true;
    case 'd':
    case 'i':
        put_signed(out, spec, signed_arg(args, spec->length));
        return true;
    case 'u':
        put_number(out, spec, unsigned_arg(args, spec->length), "", 10, false, 1);
        return true;
    case 'x':
    case 'X':
        put_number(out, spec, unsigned_arg(args, spec->length), "", 16, c == 'X', 1);
        return true;
    case 'p':
        put_number(out, spec, (uintptr_t)va_arg(*args, void *), "0x", 16, false,
                   FORMAT_POINTER_DIGITS);
        return true;
    default:
        return false;
    }
}

int format_v(format_sink sink, void *context, const char *fmt, va_list args)
{
    struct output out = { sink, context, 0 };
    va_list ap;

    /* A copy, so helpers can take its address portably (va_list may be an array). */
    va_copy(ap, args);
    while (*fmt != '\0') {
        if (*fmt != '%') {
            put(&out, *fmt++);
            continue;
        }
        const char *start = fmt;
        struct spec spec;
        fmt = parse_spec(fmt + 1, &spec, &ap);
        if (!convert(&out, &spec, *fmt, &ap))
            put_chars(&out, start, (int)(fmt - start) + (*fmt != '\0'));
        if (*fmt != '\0')
            fmt++;
    }
    va_end(ap);
    return out.count;
}

int format(format_sink sink, void *context, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    int n = format_v(sink, context, fmt, args);
    va_end(args);
    return n;
}

struct buffer {
    char *data;
    size_t size;
    size_t used;
};

/* Keeps the last byte for the NUL; the rest of the output is only counted. */
static void buffer_sink(void *context, char c)
{
    struct buffer *b = context;

    if (b->used + 1 < b->size)
        b->data[b->used++] = c;
}

int format_string_v(char *buffer, size_t size, const char *fmt, va_list args)
{
    struct buffer b = { buffer, buffer != NULL ? size : 0, 0 };
    int n = format_v(buffer_sink, &b, fmt, args);

    if (b.size > 0)
        buffer[b.used] = '\0';
    return n;
}

int format_string(char *buffer, size_t size, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    int n = format_string_v(buffer, size, fmt, args);
    va_end(args);
    return n;
}
