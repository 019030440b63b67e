#pragma once

// A rig: named cameras with intrinsics and cam_from_world poses.
//
// Two file forms, chosen by extension:
//  .yml/.yaml  OpenCV FileStorage, `format: hingelab-rig-1`, a `cameras`
//              sequence with name, image_size, camera_matrix, dist_coeffs,
//              rvec_cam_from_world, tvec_cam_from_world, rms_px.
//  .toml       the anipose / Pose2Sim layout: [cam_N] tables with name,
//              size = [w, h], matrix, distortions, rotation (Rodrigues,
//              cam_from_world), translation (metres); then [metadata] with
//              adjusted and error.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/camera.h"

namespace hl {

struct Rig {
  std::vector<Camera> cameras;
  // Whether the extrinsics were bundle adjusted (TOML metadata.adjusted).
  bool adjusted = false;
  // Overall RMS reprojection error in px (TOML metadata.error); <0 unknown.
  double error_px = -1.0;

  // nullptr when absent.
  const Camera* Find(std::string_view name) const;
  Camera* Find(std::string_view name);
  // Throws hl::Error naming the camera and listing the rig's cameras.
  const Camera& Require(std::string_view name) const;
};

Rig ReadRig(const std::filesystem::path& path);
void WriteRig(const std::filesystem::path& path, const Rig& rig);

// In-memory forms (`name` appears in error messages).
Rig ParseRigYaml(std::string_view text, const std::string& name);
std::string SerializeRigYaml(const Rig& rig);
Rig ParseRigToml(std::string_view text, const std::string& name);
std::string SerializeRigToml(const Rig& rig);

}  // namespace hl
