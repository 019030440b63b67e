#pragma once

// Multi-view triangulation of one point with outlier cameras rejected.
//
// Each observation is an undistorted normalized image point m_i = (x/z, y/z)
// in camera i with pose P_i = [R_i | t_i] (cam_from_world). The linear (DLT)
// estimate solves, for X in homogeneous coordinates,
//   [ m_i.x * P_i.row(2) - P_i.row(0) ] X = 0
//   [ m_i.y * P_i.row(2) - P_i.row(1) ]
// stacked over cameras, each pair of rows scaled by f_i so every camera's
// rows are in pixels. The estimate is then refined by Gauss-Newton on the
// pixel reprojection error (distortion included through the camera model).
// With three or more cameras, subsets of two are tried (RANSAC-style, all
// pairs when few) and the largest consensus set within
// `max_reprojection_px` wins, so one wrong detection cannot pull the point.

#include <Eigen/Core>
#include <vector>

#include "core/camera.h"

namespace hl {

struct PointObservation {
  int camera = -1;                 // index into the camera list
  Eigen::Vector2d pixel;           // distorted pixel, as detected
};

struct TriangulationOptions {
  // A camera whose reprojection error exceeds this is an outlier (px).
  double max_reprojection_px = 3.0;
  // Fewer inlier cameras than this: no point (one camera never guesses).
  int min_cameras = 2;
  // Gauss-Newton iterations of the final refinement.
  int refine_iterations = 5;
  // Minimum angle between the two rays of a pair (degrees); flatter pairs are
  // too ill-conditioned to seed a hypothesis.
  double min_triangulation_angle_deg = 1.0;
  bool Check() const;
};

struct TriangulationResult {
  bool success = false;
  Eigen::Vector3d point_in_world = Eigen::Vector3d::Zero();
  std::vector<int> inlier_cameras;  // camera indices
  double rms_px = -1.0;             // over the inliers
};

// Linear estimate from observations (normalized undistorted coordinates).
bool TriangulateDlt(const std::vector<Camera>& cameras, const std::vector<int>& camera_ids,
                    const std::vector<Eigen::Vector2d>& normalized, Eigen::Vector3d* point_in_world);

TriangulationResult TriangulatePoint(const std::vector<Camera>& cameras,
                                     const std::vector<PointObservation>& observations,
                                     const TriangulationOptions& options = {});

}  // namespace hl
