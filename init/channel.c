/* Channels: a shared region mapped into both ends and a notification each
 * way. The region is made once and outlives restarts of either end; each
 * instance of an end gets its own mapping of it and a cap to its peer's
 * notification, which is also made once (component.c). */
#include "core/string.h"
#include "init.h"
#include "task_boot.h"

int channels_prepare(struct init *init)
{
    for (uint32_t k = 0; k < init->system.channel_count; k++) {
        const struct system_channel *channel = &init->system.channels[k];
        for (uint32_t page = 0; page < channel->size / CHANNEL_PAGE; page++) {
            int error = opal_alloc_object(OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS,
                                          &init->channel_frames[k][page]);
            if (error != OPAL_OK) {
                printf("init: channel %s: its shared region: %s\n", channel->name,
                       opal_error_name(error));
                return error;
            }
        }
    }
    return OPAL_OK;
}

int channel_end(const struct system *system, uint32_t k, const struct component *component)
{
    for (int end = 0; end < 2; end++)
        if (core_strcmp(system->channels[k].ends[end], component->name) == 0)
            return end;
    return -1;
}

uint32_t channel_index(const struct system *system, uint32_t k,
                       const struct component *component)
{
    uint32_t index = 0;
    for (uint32_t j = 0; j < k; j++)
        index += channel_end(system, j, component) >= 0;
    return index;
}

int channel_map(const struct init *init, uint32_t k, uint32_t vspace, uint32_t address)
{
    for (uint32_t page = 0; page < init->system.channels[k].size / CHANNEL_PAGE; page++) {
        int error = map_copy(init->channel_frames[k][page], vspace, address + page * CHANNEL_PAGE,
                             OPAL_MAP_READ | OPAL_MAP_WRITE);
        if (error != OPAL_OK)
            return error;
    }
    return OPAL_OK;
}

int channel_give_peer(const struct init *init, uint32_t k, const struct component *component,
                      uint32_t cnode, uint32_t slot)
{
    const struct system_channel *channel = &init->system.channels[k];
    const struct component *peer =
        component_find(init, channel->ends[1 - channel_end(&init->system, k, component)]);
    if (peer == NULL)
        return OPAL_ERR_NOT_FOUND;
    /* VMs and tasks take channel badges at the same bits (VMM_BADGE_CHANNEL). */
    return opal_cnode_mint(cnode, slot, peer->notification, OPAL_RIGHT_WRITE,
                           TASK_BADGE_CHANNEL(channel_index(&init->system, k, peer)));
}
