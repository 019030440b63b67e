#pragma once

// Pose of a rigid body of square markers from their detected corners.
//
// A rigid body is one marker, or a segment (dowel, pelvis plate, knee plate)
// whose markers' poses in the segment frame (its layout, see
// segment_layout.h) are known. Its 6-DoF pose world_from_segment minimizes
//   sum over cameras c, markers k seen by c, corners i of k:
//     rho(|| pi_c(world_from_segment * segment_from_marker_k * corner_i) - u_cki ||^2)
// (pi_c: the calibrated camera with distortion, rho: Huber on pixels), solved
// on the pose manifold (Ceres functor, see RefinementOptions::solver). So a
// marker seen by a single camera still
// constrains the body, as long as the body as a whole is seen by two or more.
//
// Initialisation: the corners of markers seen by two or more cameras are
// triangulated (outliers rejected, reconstruction/triangulation.h) and the
// layout's corners aligned to them (Umeyama, no scale); a body seen only by
// single cameras starts from a planar PnP of its largest marker view. After
// the fit, a view whose RMS exceeds `max_view_rms_px` (a misdetection) is
// dropped and the body fitted again.

#include <Eigen/Core>
#include <array>
#include <map>
#include <string>
#include <vector>

#include "core/camera.h"

namespace hl {

// One marker in one camera.
struct MarkerView {
  int camera = -1;
  std::array<Eigen::Vector2d, 4> corners_px;  // distorted pixels, OpenCV order
};

// All views of a frame set, by marker id.
using FrameObservations = std::map<int, std::vector<MarkerView>>;

// A rigid body: markers with their pose in the body frame.
struct RigidBodyLayout {
  std::string segment;       // segment name (or "M<id>" for a lone marker)
  std::vector<int> ids;
  std::vector<double> length_m;               // side of each marker
  std::vector<Rigid3d> segment_from_marker;   // pose of each marker

  int size() const { return static_cast<int>(ids.size()); }
  // The body's corners (segment frame) of marker k.
  std::array<Eigen::Vector3d, 4> CornersInSegment(int k) const;
  // A one-marker body (its frame is the marker's).
  static RigidBodyLayout Single(int id, double length_m, const std::string& segment);
};

struct RefinementOptions {
  // kCeres: a ceres::Problem per body and frame (ceres::Solve, DENSE_QR).
  // kLevenbergMarquardt: the same cost (functor, Jets, manifold, Huber) in a
  // small hand-written loop; the two agree to 1e-6 m (tested) and this one
  // is several times faster on bodies of a few dozen corners (measured in
  // bench/reconstruction_bench.cc).
  enum class Solver { kCeres, kLevenbergMarquardt };
  Solver solver = Solver::kLevenbergMarquardt;
  // Huber loss scale (px): residuals beyond it count linearly.
  double huber_px = 1.0;
  // Levenberg-Marquardt iterations.
  int max_iterations = 15;
  // Distinct cameras that must see the body (any of its markers).
  int min_cameras = 2;
  // A view (one marker in one camera) with a larger RMS is a misdetection.
  double max_view_rms_px = 3.0;
  // A fit whose RMS over the inlier views exceeds this fails.
  double max_rms_px = 2.0;
  // Floor of the pixel noise assumed by the centre uncertainty (px).
  double min_sigma_px = 0.15;
  // Corner triangulation of the initialisation.
  double triangulation_max_px = 3.0;
  bool Check() const;
};

struct MarkerFit {
  int id = -1;
  Eigen::Vector3d center_in_world = Eigen::Vector3d::Zero();
  int n_cameras = 0;      // inlier views of this marker
  double rms_px = -1.0;   // over its inlier views; -1 when not seen
  // Standard deviation (m, largest axis) of the centre from the fit's
  // covariance: large for a marker placed by weakly constrained views.
  double sigma_m = 0.0;
};

struct RigidBodyFit {
  bool success = false;
  Rigid3d world_from_segment;
  double rms_px = -1.0;          // over all inlier views
  int n_cameras = 0;             // distinct cameras among the inlier views
  int rejected_views = 0;
  std::vector<MarkerFit> markers;  // layout order
};

// `initial` (may be null) is tried first, typically the previous frame's
// pose; it is replaced by a fresh initialisation when the fit from it fails.
RigidBodyFit FitRigidBody(const std::vector<Camera>& cameras, const RigidBodyLayout& layout,
                          const FrameObservations& frame, const RefinementOptions& options,
                          const Rigid3d* initial = nullptr);

// Initial pose only (triangulated corners + Umeyama, or PnP); false when the
// views cannot give one.
bool InitializeRigidBody(const std::vector<Camera>& cameras, const RigidBodyLayout& layout,
                         const FrameObservations& frame, const RefinementOptions& options,
                         Rigid3d* world_from_segment);

}  // namespace hl
