/* Tiny string helpers for the freestanding library. Prefixed core_ so they
 * never collide with a libc (host tests) or the kernel's own mem* routines. */
#ifndef CORE_STRING_H
#define CORE_STRING_H

#include <stddef.h>

size_t core_strlen(const char *s);
/* The length of s, but at most max: reads no byte at or past s + max. */
size_t core_strnlen(const char *s, size_t max);
int core_strcmp(const char *a, const char *b);
int core_strncmp(const char *a, const char *b, size_t n);
int core_memcmp(const void *a, const void *b, size_t n);
/* Copy a string into size bytes, always NUL-terminated (if size > 0);
 * returns the source's length, so >= size means it was cut. */
size_t core_strlcpy(char *to, const char *from, size_t size);

#endif
