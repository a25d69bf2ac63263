/* printf for native programs: formatted into a line buffer that is written
 * whole, to the console server when the program has a connection
 * (lib/console_client.h), else with the kernel's debug write through the
 * program's Debug cap (lib/debug.c; without one the line is dropped), so
 * lines from one thread stay whole. */
#include <stdarg.h>
#include "console_client.h"
#include "core/format.h"
#include "opal.h"

#define LINE_MAX 256

struct line {
    char bytes[LINE_MAX];
    uint32_t length;
};

static struct line line;

void print_flush(void)
{
    if (line.length && console_client_attached())
        console_client_write(line.bytes, line.length);
    else if (line.length)
        opal_debug_write(line.bytes, line.length);
    line.length = 0;
}

static void line_sink(void *context, char c)
{
    struct line *buffer = context;
    buffer->bytes[buffer->length++] = c;
    if (c == '\n' || buffer->length == LINE_MAX)
        print_flush();
}

int printf(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int count = format_v(line_sink, &line, fmt, args);
    va_end(args);
    return count;
}

int puts(const char *string)
{
    return printf("%s\n", string);
}
