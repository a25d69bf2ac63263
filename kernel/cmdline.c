/* The kernel's own boot arguments, read from the device tree's bootargs. */
#include "core/cmdline.h"
#include "kernel.h"
#include "platform.h"

bool cmdline_has(const char *word)
{
    return cmdline_has_word(platform.cmdline, word);
}
