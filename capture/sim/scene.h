#pragma once

// What the simulated studio renders: a list of textured planar quads (ArUco
// markers on their mounts, a ChArUco board) and capsule occluders (the body),
// per frame, in the world frame (metres, Z up).
//
// The body model (capture/sim/body.h) produces SceneFrames; the renderer
// (capture/sim/renderer.h) turns one SceneFrame and one Camera into an image.

#include <Eigen/Core>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "core/camera.h"

namespace hl::sim {

// A flat textured rectangle. In its own frame the quad spans
// x in [-width_m/2, width_m/2], y in [-height_m/2, height_m/2], z = 0, and its
// printed face looks along +z (it is culled when seen from -z unless
// two_sided). Texture row 0 is the top edge (y = +height_m/2), column 0 the
// left edge (x = -width_m/2), as an ArUco image is printed.
struct TexturedQuad {
  std::shared_ptr<const cv::Mat> texture;  // CV_8UC1
  double width_m = 0.0;
  double height_m = 0.0;
  Rigid3d world_from_quad;
  bool two_sided = false;
};

// An ArUco marker as printed: the black square of side length_m, centred on
// the quad, inside a white quiet zone. Corner k of the black square in the
// marker frame, in OpenCV's order (clockwise from top-left, as detectMarkers
// returns them): (-L/2, L/2, 0), (L/2, L/2, 0), (L/2, -L/2, 0), (-L/2, -L/2, 0).
struct MarkerInstance {
  int id = -1;
  double length_m = 0.0;
  Rigid3d world_from_marker;
};

struct Capsule {
  Eigen::Vector3d a = Eigen::Vector3d::Zero();
  Eigen::Vector3d b = Eigen::Vector3d::Zero();
  double radius_m = 0.0;
  uint8_t gray = 90;  // shade it is drawn with
};

struct SceneFrame {
  double time_s = 0.0;
  std::vector<MarkerInstance> markers;
  std::vector<TexturedQuad> quads;  // boards and other flat textured objects
  std::vector<Capsule> occluders;
};

// The 3D corners of a marker in the world frame, in OpenCV's order.
inline std::vector<Eigen::Vector3d> MarkerCornersInWorld(const MarkerInstance& m) {
  const double h = m.length_m / 2.0;
  const Eigen::Vector3d local[4] = {{-h, h, 0}, {h, h, 0}, {h, -h, 0}, {-h, -h, 0}};
  std::vector<Eigen::Vector3d> out;
  for (const auto& p : local) out.push_back(m.world_from_marker * p);
  return out;
}

}  // namespace hl::sim
