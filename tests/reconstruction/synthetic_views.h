#pragma once

// Test helper: marker corners projected through known cameras with Gaussian
// pixel noise, as a detector would report them.

#include <random>
#include <vector>

#include "core/camera.h"
#include "reconstruction/marker_cost_functions.h"
#include "reconstruction/marker_refinement.h"

namespace hl::testing {

// Views of marker `id` (side length_m, pose world_from_marker) in every camera
// that faces its printed side (cosine above min_facing) and holds it inside
// the image.
inline void AddSyntheticViews(const std::vector<Camera>& cameras, int id, double length_m,
                              const Rigid3d& world_from_marker, double noise_px, std::mt19937* rng,
                              FrameObservations* frame, double min_facing = 0.2) {
  std::normal_distribution<double> noise(0.0, noise_px);
  const Eigen::Vector3d centre = world_from_marker.translation;
  const Eigen::Vector3d normal = world_from_marker.rotation * Eigen::Vector3d::UnitZ();
  for (int c = 0; c < static_cast<int>(cameras.size()); ++c) {
    const Camera& cam = cameras[c];
    if (normal.dot((cam.CenterInWorld() - centre).normalized()) < min_facing) continue;
    MarkerView view;
    view.camera = c;
    bool inside = true;
    for (int i = 0; i < 4 && inside; ++i) {
      Eigen::Vector2d px;
      inside = cam.Project(world_from_marker * MarkerCorner(i, length_m), &px) && px.x() >= 0 &&
               px.y() >= 0 && px.x() < cam.width && px.y() < cam.height;
      view.corners_px[i] = px + (noise_px > 0 ? Eigen::Vector2d(noise(*rng), noise(*rng))
                                              : Eigen::Vector2d::Zero());
    }
    if (inside) (*frame)[id].push_back(view);
  }
}

// A 4-marker "dowel": markers along z on three faces of a square rod, as the
// studio mounts them (back +x, left +y, right -y).
inline RigidBodyLayout DowelLayout() {
  RigidBodyLayout layout;
  layout.segment = "dowel";
  const double half = 0.0225;
  const Eigen::Vector3d axes[3] = {Eigen::Vector3d::UnitX(), Eigen::Vector3d::UnitY(),
                                   -Eigen::Vector3d::UnitY()};
  for (int k = 0; k < 4; ++k) {
    const Eigen::Vector3d out = axes[k % 3];
    // Marker z (its face) along `out`, marker y along the rod.
    Eigen::Matrix3d R;
    R.col(2) = out;
    R.col(1) = Eigen::Vector3d::UnitZ();
    R.col(0) = R.col(1).cross(R.col(2));
    layout.ids.push_back(k);
    layout.length_m.push_back(0.04);
    layout.segment_from_marker.push_back(
        Rigid3d(Eigen::Quaterniond(R), out * half + Eigen::Vector3d(0, 0, 0.15 + 0.28 * k)));
  }
  return layout;
}

}  // namespace hl::testing
