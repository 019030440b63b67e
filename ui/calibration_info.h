#pragma once
// The calibration panel's table, apart from drawing: per camera the image RMS
// (px) from the rig file, the error it means in the capture volume (mm) and
// the board views used. The rig file holds only the RMS; views used and the
// calibrator's own world error come from the report `hingelab calibrate
// --json` prints, when it was saved beside the rig as <rig>.json (rig.yml ->
// rig.json). Without it the world error is estimated as RMS x distance to the
// volume / focal length, and marked so.
#include <Eigen/Core>
#include <filesystem>
#include <string>
#include <vector>

#include "core/rig.h"

namespace hl {

struct CameraCalibrationRow {
  std::string name;
  int width = 0, height = 0;
  double rms_px = -1.0;          // <0: unknown
  double world_error_mm = -1.0;  // <0: unknown
  bool world_error_estimated = false;
  int views_used = -1;  // <0: unknown
};

struct CalibrationInfo {
  std::vector<CameraCalibrationRow> cameras;
  double rig_error_px = -1.0;  // the rig's overall RMS; <0 unknown
  bool adjusted = false;
  // The report read beside the rig, empty when none.
  std::string report;
  // Why the report could not be used (it exists but is malformed), empty otherwise.
  std::string report_error;
};

// `volume_centre` is where the markers are (world), for the estimate.
CalibrationInfo MakeCalibrationInfo(const Rig& rig, const std::filesystem::path& rig_path,
                                    const Eigen::Vector3d& volume_centre);

}  // namespace hl
