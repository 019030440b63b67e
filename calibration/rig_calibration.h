#pragma once

// Rig extrinsics from board views seen by several cameras at the same moments.
//
// 1. Per view: the board pose in that camera by PnP (intrinsics known).
// 2. Camera graph: an edge per camera pair weighted by the frames both see
//    the board in. The maximum spanning tree (Prim, from camera 0) chains
//    relative poses cam_j_from_cam_i = cam_j_from_board * board_from_cam_i;
//    per edge the medoid of the per-frame estimates is used, so a few bad
//    views cannot steer the start.
// 3. Per frame: the board pose from the view that best explains the
//    frame's other views.
// 4. Bundle adjustment (Ceres, robust loss) over all camera poses but
//    camera 0 (the gauge) and all board poses, optionally the intrinsics:
//      min sum_views sum_corners rho(|| pi(K_c, D_c, cam_from_world_c *
//                                          world_from_board_f * X_k) - u_ck ||^2)
// 5. Views whose RMS exceeds max(outlier_factor * median, min_outlier_rms_px)
//    are removed and reported; 4-5 repeat until none is removed.
// The result is in camera 0's frame; world_frame.h moves it onto the floor.

#include <Eigen/Core>
#include <map>
#include <string>
#include <vector>

#include "calibration/board.h"
#include "core/camera.h"

namespace hl {

// One camera's board corners at one moment.
struct RigView {
  int camera = 0;  // index into the cameras
  int frame = 0;   // moment; views with the same frame saw the same board pose
  std::vector<int> ids;
  std::vector<Eigen::Vector2d> corners;
};

struct RigCalibrationOptions {
  enum class Loss { kTrivial, kHuber, kCauchy };
  // Refine fx, fy, cx, cy and distortion with the poses (else held fixed).
  bool refine_intrinsics = false;
  // Robust loss on each corner's squared reprojection error. Cauchy, because a
  // whole wrong view (a desynchronised camera) pulls as hard as Huber allows
  // on every one of its corners and can outweigh two good views.
  Loss loss = Loss::kCauchy;
  // Scale of the robust loss in pixels: residuals beyond it count less.
  double loss_scale_px = 1.0;
  // A view is an outlier when its RMS exceeds outlier_factor x the median
  // view RMS ...
  double outlier_factor = 4.0;
  // ... and this many pixels (so clean, near-perfect data loses nothing).
  double min_outlier_rms_px = 0.5;
  // Solve / reject rounds at most (each removes at most one view per frame).
  int max_outlier_rounds = 6;
  // Views with fewer corners are not used.
  int min_corners = 6;
  // Ceres iterations per solve.
  int max_num_iterations = 100;
  // Ceres threads.
  int num_threads = 1;
  // Print Ceres progress to stderr.
  bool verbose = false;

  void Check() const;
};

struct RejectedView {
  int camera = 0;
  int frame = 0;
  double rms_px = -1.0;  // after the solve that rejected it; <0 when never solved
  std::string reason;
};

struct CameraQuality {
  double rms_px = 0.0;
  // rms_px * depth / f: what one pixel of error means at the volume centre.
  double world_error_mm = 0.0;
  double depth_m = 0.0;  // volume centre's depth in this camera
  int views_used = 0;
  int nearest_camera = -1;
  double nearest_baseline_m = 0.0;
};

class RigCalibrator {
 public:
  explicit RigCalibrator(const RigCalibrationOptions& options);

  // `cameras` carry intrinsics in and receive cam_from_world (camera 0's
  // frame) and rms_px out. Throws hl::Error("rig", ...) naming the cameras
  // that never share a board view with the rest, or without any view.
  void Solve(const Board& board, const std::vector<RigView>& views, std::vector<Camera>* cameras);

  double rms_px() const { return rms_px_; }
  const std::vector<CameraQuality>& quality() const { return quality_; }
  const std::vector<RejectedView>& rejected() const { return rejected_; }
  // Board pose per frame that entered the solve.
  const std::map<int, Rigid3d>& world_from_board() const { return world_from_board_; }
  // Camera-to-camera centre distances (metres).
  const Eigen::MatrixXd& baselines_m() const { return baselines_m_; }
  int num_views_used() const { return num_views_used_; }
  std::string Summary(const std::vector<Camera>& cameras) const;

 private:
  RigCalibrationOptions options_;
  double rms_px_ = 0.0;
  int num_views_used_ = 0;
  std::vector<CameraQuality> quality_;
  std::vector<RejectedView> rejected_;
  std::map<int, Rigid3d> world_from_board_;
  Eigen::MatrixXd baselines_m_;
};

}  // namespace hl
