#include "capture/sim/rig_presets.h"

#include <cmath>
#include <filesystem>

#include "core/error.h"

namespace hl::sim {
namespace {

constexpr double kDegree = M_PI / 180.0;
// Where every preset camera looks: the volume centre at hip height.
const Eigen::Vector3d kTarget(0.0, 0.0, 0.9);

// One camera on a circle around the volume. `unit` and `unit2` vary the intrinsics a
// little, deterministically, as between real units of one camera model.
Camera PresetCamera(int index, double azimuth_deg, double radius_m, double height_m) {
  Camera camera;
  camera.name = "cam" + std::to_string(index);
  camera.width = 1920;
  camera.height = 1080;
  const double unit = std::sin(1.7 * index + 0.3);   // in [-1, 1]
  const double unit2 = std::cos(2.3 * index + 0.7);  // a second, decorrelated one
  camera.fx = 1400.0 + 12.0 * unit;
  camera.fy = camera.fx * (1.0 + 2e-4 * unit2);
  camera.cx = 960.0 + 6.0 * unit2;
  camera.cy = 540.0 - 5.0 * unit;
  camera.dist = {-0.12 + 0.006 * unit, 0.08 - 0.004 * unit2, 1.0e-4 * unit2, -1.2e-4 * unit,
                 -0.01 + 0.002 * unit};
  const double azimuth = azimuth_deg * kDegree;
  const Eigen::Vector3d center(radius_m * std::cos(azimuth), radius_m * std::sin(azimuth),
                               height_m);
  camera.cam_from_world = LookAt(center, kTarget);
  return camera;
}

}  // namespace

const std::vector<std::string>& RigPresetNames() {
  static const std::vector<std::string> names = {"studio4", "studio8", "lab2"};
  return names;
}

bool IsRigPreset(const std::string& name) {
  for (const std::string& n : RigPresetNames()) {
    if (n == name) return true;
  }
  return false;
}

Rigid3d LookAt(const Eigen::Vector3d& center_in_world, const Eigen::Vector3d& target_in_world) {
  const Eigen::Vector3d z = (target_in_world - center_in_world).normalized();
  Eigen::Vector3d x = z.cross(Eigen::Vector3d::UnitZ());
  // Looking straight up or down: any right-handed choice will do.
  if (x.norm() < 1e-9) x = Eigen::Vector3d::UnitX();
  x.normalize();
  const Eigen::Vector3d y = z.cross(x);
  Eigen::Matrix3d world_from_cam;
  world_from_cam << x, y, z;
  const Eigen::Matrix3d cam_from_world = world_from_cam.transpose();
  return Rigid3d(Eigen::Quaterniond(cam_from_world), -(cam_from_world * center_in_world));
}

Rig MakeRigPreset(const std::string& name) {
  Rig rig;
  if (name == "studio4") {
    // On the diagonals, outside the volume's corners (2.12 m from the centre).
    const double heights[4] = {1.8, 1.5, 1.8, 1.5};
    for (int i = 0; i < 4; ++i) {
      rig.cameras.push_back(PresetCamera(i, 45.0 + 90.0 * i, 3.3, heights[i]));
    }
  } else if (name == "studio8") {
    for (int i = 0; i < 8; ++i) {
      rig.cameras.push_back(PresetCamera(i, 45.0 * i, 3.3, i % 2 == 0 ? 1.9 : 1.3));
    }
  } else if (name == "lab2") {
    // The subject faces +X: one camera near the front, one near the side,
    // so the sagittal plane (the hinge) is seen well and depth is triangulated.
    rig.cameras.push_back(PresetCamera(0, -15.0, 3.0, 1.4));
    rig.cameras.push_back(PresetCamera(1, -80.0, 3.0, 1.2));
  } else {
    throw Error(name, "unknown rig preset; use studio4, studio8 or lab2, or a rig file "
                      "(.yml, .yaml or .toml)");
  }
  return rig;
}

double PresetFps(const std::string& name) {
  if (!IsRigPreset(name)) {
    throw Error(name, "unknown rig preset; use studio4, studio8 or lab2");
  }
  return 60.0;
}

Rig LoadRigOrPreset(const std::string& name_or_path) {
  if (IsRigPreset(name_or_path)) return MakeRigPreset(name_or_path);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(name_or_path, ec)) {
    throw Error(name_or_path, "neither a rig preset (studio4, studio8, lab2) nor a rig file; "
                              "give a preset name or the path of a .yml/.yaml/.toml rig");
  }
  return ReadRig(name_or_path);
}

}  // namespace hl::sim
