#pragma once

// A recording as read from or written to a file: the 3D points, any analog
// channels that came with them, and what the file said about itself.

#include <filesystem>
#include <string>
#include <vector>

#include "core/trajectory.h"

namespace hl {

struct AnalogData {
  std::vector<std::string> labels;
  double rate_hz = 0.0;
  // Analog samples per point frame (C3D: ANALOG:RATE / POINT:RATE).
  int samples_per_frame = 0;
  // Row-major (num_frames * samples_per_frame) x labels.size(), scaled to the
  // channel's units when the file gave scales.
  std::vector<float> values;

  int num_channels() const { return static_cast<int>(labels.size()); }
};

struct Recording {
  Trajectories points;
  AnalogData analog;
  // "c3d", "trc" or "csv": the format it was read from.
  std::string format;
  // The length unit the file stored points in ("mm" or "m"); points are
  // always metres in memory.
  std::string units = "m";
  // The HingeLab marker set the recording was made with (YAML text), empty
  // when unknown. C3D keeps it in parameter HINGELAB:MARKER_SET.
  std::string marker_set_yaml;
};

// Reads C3D, TRC or CSV by extension. Throws hl::Error naming the file.
Recording ReadRecording(const std::filesystem::path& path);
// Writes C3D, TRC or CSV by extension. Throws hl::Error naming the file.
void WriteRecording(const std::filesystem::path& path, const Recording& recording);

}  // namespace hl
