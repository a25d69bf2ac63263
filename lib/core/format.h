/* printf-style formatting with a caller-supplied sink; the kernel's log and
 * user-level printf both sit on it. Freestanding. */
#ifndef CORE_FORMAT_H
#define CORE_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_sink)(void *context, char c);

/* Supported: %% %c %s %d %i %u %x %X %p, flags '-' and '0', a field width
 * (number or '*', at most 4096; a negative '*' width left-justifies), a
 * precision for %s ('.N' or '.*'; parsed and ignored for the others), and the
 * length modifiers l, ll (64-bit), z. %p prints 0x followed by 8 hex digits
 * (more if a host pointer needs them). %s of NULL prints "(null)". '0' pads
 * numbers after the sign or 0x; other conversions pad with spaces.
 * An unknown conversion (or a format ending inside one) is printed literally,
 * from its '%' to the unknown character; it consumes no argument beyond a '*'.
 * Returns the number of characters sent to the sink. */
int format_v(format_sink sink, void *context, const char *fmt, va_list args);
int format(format_sink sink, void *context, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* snprintf-like: always NUL-terminates when size > 0; returns the length the
 * full output would have had, so truncation is detectable. */
int format_string(char *buffer, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int format_string_v(char *buffer, size_t size, const char *fmt, va_list args);

#endif
