#pragma once

// What `hingelab info` says about a recording, as JSON and as text.

#include <string>

#include "core/json.h"
#include "core/recording.h"

namespace hl {

// Keys, in order: format, points, frames, rate_hz, first_frame (1-based, as a
// C3D header: Trajectories::first_frame() + 1), units, labels (array),
// analog_channels (count). `path` names the format when the recording does
// not (one made in memory).
Json SummarizeRecording(const Recording& recording, const std::string& path);

// A few human-readable lines from a SummarizeRecording() object.
std::string RecordingSummaryText(const Json& summary, const std::string& path);

}  // namespace hl
