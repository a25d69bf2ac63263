/* memcpy, memmove, memset and memcmp for freestanding ARM builds: the
 * compiler emits calls to them (struct copies, zeroing) in kernel and user code. */
#include <stddef.h>
#include <stdint.h>
#include "runtime/mem.h"

void *memcpy(void *destination, const void *source, size_t count)
{
    return memmove(destination, source, count);
}

void *memmove(void *destination, const void *source, size_t count)
{
    uint8_t *to = destination;
    const uint8_t *from = source;
    if (to < from) {
        for (size_t i = 0; i < count; i++)
            to[i] = from[i];
    } else {
        for (size_t i = count; i > 0; i--)
            to[i - 1] = from[i - 1];
    }
    return destination;
}

void *memset(void *destination, int value, size_t count)
{
    uint8_t *to = destination;
    for (size_t i = 0; i < count; i++)
        to[i] = (uint8_t)value;
    return destination;
}

int memcmp(const void *left, const void *right, size_t count)
{
    const uint8_t *a = left, *b = right;
    for (size_t i = 0; i < count; i++) {
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    }
    return 0;
}
