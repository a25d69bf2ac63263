/* The memory functions of lib/runtime/mem.c, for freestanding code. */
#ifndef RUNTIME_MEM_H
#define RUNTIME_MEM_H

#include <stddef.h>

void *memcpy(void *destination, const void *source, size_t count);
void *memmove(void *destination, const void *source, size_t count);
void *memset(void *destination, int value, size_t count);
int memcmp(const void *left, const void *right, size_t count);

#endif
