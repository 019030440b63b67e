#pragma once

// The long CSV of the design, in metres:
//   frame,time_s,label,x_m,y_m,z_m,residual_px,n_cameras
// one row per label per frame, in label order. A missing sample keeps its
// row with empty x/y/z, residual_px -1 and n_cameras 0, so frame count,
// labels and validity survive a round trip. Rate comes from time_s.

#include <filesystem>
#include <string>
#include <string_view>

#include "core/recording.h"

namespace hl {

Recording ReadCsvRecording(const std::filesystem::path& path);
Recording ParseCsvRecording(std::string_view text, const std::string& name);
void WriteCsvRecording(const std::filesystem::path& path, const Recording& recording);
std::string SerializeCsvRecording(const Recording& recording);

}  // namespace hl
