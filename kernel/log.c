/* The kernel log: formatted lines on the boot console, and panic. */
#include <stdarg.h>
#include "core/format.h"
#include "arch.h"
#include "log.h"

static void console_sink(void *context, char c)
{
    (void)context;
    if (c == '\n')
        arch_console_putc('\r');
    arch_console_putc(c);
}

void log_line(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    format(console_sink, NULL, "opal: ");
    format_v(console_sink, NULL, fmt, args);
    console_sink(NULL, '\n');
    va_end(args);
}

void log_raw(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    format_v(console_sink, NULL, fmt, args);
    va_end(args);
}

void log_bytes(const char *bytes, unsigned length)
{
    for (unsigned i = 0; i < length; i++)
        console_sink(NULL, bytes[i]);
}

void panic(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    format(console_sink, NULL, "opal: PANIC: ");
    format_v(console_sink, NULL, fmt, args);
    console_sink(NULL, '\n');
    va_end(args);
    arch_halt();
}
