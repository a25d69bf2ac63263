/* Addresses the compiler keeps apart: physical addresses (paddr_t) and the
 * addresses user level names in its stage-2 space (uaddr_t: a native
 * thread's virtual address, a guest's intermediate physical address). Each
 * is a one-word struct, passed in a register and free at run time; these
 * helpers are the only ways in, out and across. */
#ifndef KERNEL_ADDR_H
#define KERNEL_ADDR_H

#include <stdint.h>

typedef struct { uint32_t value; } paddr_t;
typedef struct { uint32_t value; } uaddr_t;

static inline paddr_t pa_make(uint32_t value)
{
    return (paddr_t){ value };
}

static inline uint32_t pa_value(paddr_t address)
{
    return address.value;
}

static inline paddr_t pa_add(paddr_t address, uint32_t offset)
{
    return pa_make(address.value + offset);
}

/* The bytes from `start` up to `end`. */
static inline uint32_t pa_difference(paddr_t start, paddr_t end)
{
    return end.value - start.value;
}

static inline uaddr_t ua_make(uint32_t value)
{
    return (uaddr_t){ value };
}

static inline uint32_t ua_value(uaddr_t address)
{
    return address.value;
}

static inline uaddr_t ua_add(uaddr_t address, uint32_t offset)
{
    return ua_make(address.value + offset);
}

#endif
