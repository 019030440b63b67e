#pragma once
// Calibration panel: per camera the image RMS (px), the error in the capture
// volume (mm) and the board views used (CalibrationInfo).
#include <filesystem>

#include "ui/calibration_info.h"
#include "ui/viewer_state.h"

namespace hl {

class CalibrationPanel {
 public:
  void Draw(const ViewerState& state);

 private:
  // The table is rebuilt only when the rig changes (it may read a report file).
  std::filesystem::path rig_path_;
  size_t num_cameras_ = 0;
  bool built_ = false;
  CalibrationInfo info_;
};

}  // namespace hl
