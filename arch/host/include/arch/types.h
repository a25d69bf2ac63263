/* The fake architecture for host unit tests fakes ARM's machine, so it uses
 * ARM's own plain-C types: kernel structures keep their target layout. */
#include "../../../arm/include/arch/types.h"
