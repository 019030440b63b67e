#pragma once

// Simulated studio rigs. World frame: Z up, origin on the floor at the centre
// of the capture volume; the subject faces +X by default. Cameras are named
// cam0..camN-1, 1920 x 1080, f ~ 1400 px, with the distortion of a real
// machine-vision lens (k1 ~ -0.12, k2 ~ 0.08, p1/p2 ~ 1e-4, k3 ~ -0.01); each
// camera's intrinsics differ slightly, as real units do.
//
//   studio4  4 cameras on the diagonals of a 3 x 3 m volume, 1.5-1.8 m high
//   studio8  8 cameras every 45 degrees, alternately 1.3 and 1.9 m high
//   lab2     2 cameras 65 degrees apart on the subject's front-right: one
//            15 degrees off the front, one 80 degrees (nearly side-on)
// All look at the volume centre at 0.9 m height.

#include <string>
#include <vector>

#include "core/rig.h"

namespace hl::sim {

// The preset names, in the order above.
const std::vector<std::string>& RigPresetNames();
bool IsRigPreset(const std::string& name);
// Throws hl::Error naming `name` and listing the presets when unknown.
Rig MakeRigPreset(const std::string& name);
// Frame rate the preset's cameras run at (60 for all presets).
double PresetFps(const std::string& name);

// A preset by name, else a rig file (core/rig.h ReadRig: .yml/.yaml/.toml).
// Throws hl::Error when it is neither.
Rig LoadRigOrPreset(const std::string& name_or_path);

// cam_from_world of a camera at `center_in_world` looking at `target_in_world`
// with image up towards +Z (OpenCV axes: x right, y down, z forward).
Rigid3d LookAt(const Eigen::Vector3d& center_in_world, const Eigen::Vector3d& target_in_world);

}  // namespace hl::sim
