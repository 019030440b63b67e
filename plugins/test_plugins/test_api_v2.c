/* Claims plugin API 2.0: the host must refuse it, naming both versions. */
#include "plugins/hingelab_plugin.h"

static const hl_plugin_descriptor kDescriptor = {
    (2u << 16) | 0u, sizeof(hl_plugin_descriptor), "test_api_v2", "From the future", "2.0.0",
    NULL, NULL, 0, NULL, HL_MEASURE_HIP_BACK, 0.05, NULL, NULL, NULL, NULL};

HL_PLUGIN_EXPORT const hl_plugin_descriptor* hl_plugin_entry(void) { return &kDescriptor; }
