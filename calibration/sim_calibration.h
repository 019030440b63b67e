#pragma once

// Calibration of a simulated rig from RENDERED images, measured against the
// simulation's truth: the calibration take of capture/sim/calibration_scene.h
// is rendered by every camera, its ChArUco corners are detected as in
// `hingelab calibrate`, and the rig is calibrated and compared.
//
// Two floors, both measured on the same detections:
// - corner error: RMS distance between the detected corners and the true
//   projections of the same board corners (true camera, true board pose):
//   the detector's accuracy on these renderings.
// - the noise floor of the fit: the reprojection RMS the TRUE cameras attain
//   on the views the calibration kept, each board pose fitted to its views.
//   Detection errors that move a view's corners together (blur, the
//   refinement window) are absorbed by its board pose in any fit, so the
//   calibration's RMS is compared with this one: equal means the calibrated
//   cameras explain the images as well as the true ones; lower means they fit
//   detection noise, higher that their model is off.

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "calibration/board.h"
#include "calibration/intrinsics.h"
#include "calibration/rig_alignment.h"
#include "calibration/rig_calibration.h"
#include "capture/sim/calibration_scene.h"
#include "capture/sim/renderer.h"
#include "core/rig.h"

namespace hl {

// The detected views of one rendered calibration take, with its truth.
struct RenderedCalibration {
  Rig truth_rig;
  sim::CalibrationTruth truth;
  std::vector<RigView> views;                      // waved board, accepted detections
  std::vector<RigView> floor_views;                // board on the floor
  std::vector<std::vector<BoardView>> per_camera;  // waved views per camera (intrinsics)
  int rejected_with_corners = 0;  // detections the detector rejected (blur, too few, ...)
  double noise_floor_px = 0.0;    // corner error (see above), over `views`
  double max_corner_error_px = 0.0;
  Eigen::Vector2d mean_corner_offset_px = Eigen::Vector2d::Zero();  // detected - true
  double render_seconds = 0.0;
};

// Renders (cameras in parallel) and detects. Throws hl::Error for bad options.
RenderedCalibration RenderCalibrationTake(const Rig& truth_rig,
                                          const sim::CalibrationSceneOptions& scene,
                                          const sim::RenderOptions& render,
                                          const BoardDetectionOptions& detection);

struct SimCalibrationOptions {
  enum class Intrinsics {
    kTruth,      // the rendering cameras' intrinsics, held fixed: tests the rig alone
    kEstimated,  // per camera from its own views (calibrateCamera), held fixed in the BA
    kRefined,    // estimated, then refined in the joint BA (--refine-intrinsics)
  };
  Intrinsics intrinsics = Intrinsics::kRefined;
  // Fraction of the detected views corrupted on purpose (CorruptRigViews).
  double corrupt_fraction = 0.0;
  uint32_t corrupt_seed = 7;
  RigCalibrationOptions rig;
  IntrinsicsOptions intrinsics_options;
};

struct SimCalibrationResult {
  std::vector<Camera> cameras;   // calibrated, in the floor board's world frame
  double rms_px = 0.0;           // of the rig bundle adjustment
  double true_fit_rms_px = 0.0;  // the noise floor of the fit (see above)
  RigComparison comparison;      // against the truth, after rigid alignment
  // World frame from the floor board: camera centres against the truth
  // WITHOUT alignment (what the world frame adds).
  double max_world_centre_error_mm = 0.0;
  double max_focal_error_rel = 0.0;         // |fx - fx_truth| / fx_truth, worst camera
  std::vector<double> intrinsics_coverage;  // per camera, of its intrinsics views
  std::vector<RejectedView> rejected;
  std::set<std::pair<int, int>> corrupted;  // (camera, frame)
  int corrupted_rejected = 0;               // of `corrupted`, how many were rejected
  int clean_rejected = 0;                   // rejected views that were not corrupted
  int views_used = 0;
  double solve_seconds = 0.0;

  std::string Summary() const;
};

SimCalibrationResult CalibrateRenderedTake(const RenderedCalibration& take,
                                           const SimCalibrationOptions& options);

}  // namespace hl
