/* memcpy, memmove, memset and memcmp for freestanding ARM builds: the
 * compiler emits calls to them (struct copies, zeroing) in kernel and user code. */
#include <stddef.h>
#include <stdint.h>
#include "runtime/mem.h"

/* Words where both sides allow it: the kernel and the tasks copy and clear
 * messages, descriptors and structures on every request, and a byte at a
 * time cost three to four instructions a byte. may_alias: these words
 * stand for whatever type the caller's bytes have. */
typedef uint32_t __attribute__((may_alias)) word_t;

static int word_aligned(const void *a, const void *b)
{
    return (((uintptr_t)a | (uintptr_t)b) & 3u) == 0;
}

void *memcpy(void *destination, const void *source, size_t count)
{
    return memmove(destination, source, count);
}

void *memmove(void *destination, const void *source, size_t count)
{
    uint8_t *to = destination;
    const uint8_t *from = source;
    size_t words = word_aligned(to, from) ? count / 4 : 0;
    if (to < from) {
        for (size_t i = 0; i < words; i++)
            ((word_t *)to)[i] = ((const word_t *)from)[i];
        for (size_t i = words * 4; i < count; i++)
            to[i] = from[i];
    } else {
        for (size_t i = count; i > words * 4; i--)
            to[i - 1] = from[i - 1];
        for (size_t i = words; i > 0; i--)
            ((word_t *)to)[i - 1] = ((const word_t *)from)[i - 1];
    }
    return destination;
}

void *memset(void *destination, int value, size_t count)
{
    uint8_t *to = destination;
    size_t words = word_aligned(to, to) ? count / 4 : 0;
    word_t pattern = (uint8_t)value * 0x01010101u;
    for (size_t i = 0; i < words; i++)
        ((word_t *)to)[i] = pattern;
    for (size_t i = words * 4; i < count; i++)
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
