/* Tiny string helpers for the freestanding library (see string.h). */
#include "core/string.h"

size_t core_strlen(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0')
        n++;
    return n;
}

size_t core_strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n] != '\0')
        n++;
    return n;
}

int core_strcmp(const char *a, const char *b)
{
    return core_strncmp(a, b, (size_t)-1);
}

int core_strncmp(const char *a, const char *b, size_t n)
{
    /* Compare as unsigned char, like the C library, so the sign is meaningful. */
    for (size_t i = 0; i < n; i++) {
        unsigned char ca = (unsigned char)a[i], cb = (unsigned char)b[i];

        if (ca != cb)
            return ca < cb ? -1 : 1;
        if (ca == '\0')
            return 0;
    }
    return 0;
}

int core_memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *pa = a, *pb = b;

    for (size_t i = 0; i < n; i++) {
        if (pa[i] != pb[i])
            return pa[i] < pb[i] ? -1 : 1;
    }
    return 0;
}

size_t core_strlcpy(char *to, const char *from, size_t size)
{
    size_t length = core_strlen(from);
    if (size > 0) {
        size_t count = length < size - 1 ? length : size - 1;
        for (size_t i = 0; i < count; i++)
            to[i] = from[i];
        to[count] = '\0';
    }
    return length;
}
