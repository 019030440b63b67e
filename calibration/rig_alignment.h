#pragma once

// Compares a calibrated rig with the rig it should be (a simulation's truth)
// independently of the world frame each is expressed in.
//
// A calibration fixes the cameras relative to each other; its world frame
// (camera 0, or the floor board) is a separate choice with its own error. So
// the estimate is first moved onto the truth by the one rigid transform
// truth_from_estimate that best superimposes the camera centres (least
// squares, Umeyama/Kabsch), and only then are centres and orientations
// compared. Scale is NOT aligned: it comes from the board's square size and
// its error shows in the centres; the least-squares similarity scale is
// reported beside it. With two cameras the centres leave the rotation about
// their baseline free, so each camera also contributes the point one metre
// along its optical axis.

#include <string>
#include <vector>

#include "core/camera.h"

namespace hl {

struct RigComparison {
  Rigid3d truth_from_estimate;          // the aligning transform
  std::vector<double> centre_error_mm;  // per camera, after alignment
  std::vector<double> rotation_error_deg;
  double max_centre_error_mm = 0.0;
  double rms_centre_error_mm = 0.0;
  double max_rotation_error_deg = 0.0;
  // Least-squares scale of the estimate's centres relative to the truth's,
  // about their centroids (1 = exact scale).
  double scale = 1.0;

  std::string Summary() const;
};

// `estimate` and `truth` list the same cameras in the same order (at least
// two). Throws hl::Error("rig comparison", ...) otherwise.
RigComparison CompareRigs(const std::vector<Camera>& estimate, const std::vector<Camera>& truth);

}  // namespace hl
