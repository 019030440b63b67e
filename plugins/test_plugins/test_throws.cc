// A C++ plugin whose scoring code throws: the kit's wrapper must catch it and
// report HL_STATUS_ERROR, so nothing crosses the C boundary.

#include <stdexcept>

#include "plugins/common/drill_kit.h"

namespace {

const char* const kRequired[] = {"pelvis", nullptr};

void ScoreRep(const hl_drill::RepContext&, hl_drill::RepScorer*) {
  throw std::runtime_error("test_throws: deliberate failure inside the plugin");
}

constexpr hl_drill::DrillSpec kSpec = {
    "test_throws", "Throws while scoring", "0.0.1", kRequired, nullptr, nullptr, 0,
    HL_MEASURE_HIP_BACK, 0.05, nullptr, 0, false, ScoreRep};

}  // namespace

HL_DRILL_ENTRY(kSpec)
