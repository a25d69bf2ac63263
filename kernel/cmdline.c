/* The kernel's own boot arguments, read from the device tree's bootargs. */
#include <stddef.h>
#include "kernel.h"
#include "platform.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

bool cmdline_has(const char *word)
{
    const char *line = platform.cmdline;
    for (size_t start = 0; line[start];) {
        size_t i = 0;
        while (word[i] && line[start + i] == word[i])
            i++;
        if (word[i] == '\0' && (line[start + i] == '\0' || is_space(line[start + i])))
            return true;
        while (line[start] && !is_space(line[start]))
            start++;
        while (is_space(line[start]))
            start++;
    }
    return false;
}
