#pragma once
// A synthetic dowel_hinge trial for the viewer tests, with known geometry:
// 120 Hz, 9 s, subject facing +X (left +Y). Two hinge reps (1.5-4.5 s and
// 5-8 s) fold the trunk 1.1 rad about the hips while the sacrum moves back and
// down; in the first rep the dowel leaves the sacrum by kLostGapM from 2.5 s
// to 3.5 s (contact lost), otherwise it touches the sacrum (gap 0).
#include <Eigen/Core>
#include <cmath>
#include <string>
#include <vector>

#include "core/camera.h"
#include "core/marker_set.h"
#include "core/recording.h"
#include "core/rig.h"

namespace hl::test {

constexpr double kFps = 120.0;
constexpr int kFrames = 9 * 120;
constexpr double kLostGapM = 0.06;
constexpr int kContactFrame = 240;  // 2.0 s: trunk inclined, dowel touching
constexpr int kLostFrame = 360;     // 3.0 s: dowel 6 cm off the sacrum

inline const char* HingeMarkerSetYaml() {
  return "dictionary: DICT_4X4_50\n"
         "marker_length_m: 0.04\n"
         "markers:\n"
         "  - {id: 0, segment: dowel}\n"
         "  - {id: 1, segment: dowel}\n"
         "  - {id: 2, segment: dowel}\n"
         "  - {id: 10, segment: pelvis}\n"
         "  - {id: 11, segment: pelvis}\n"
         "  - {id: 20, segment: knee_left}\n"
         "  - {id: 22, segment: knee_right}\n";
}

inline double TrunkAngleAt(double t) {
  auto bump = [](double u) { return 1.1 * std::pow(std::sin(M_PI * u), 2); };
  if (t >= 1.5 && t <= 4.5) return bump((t - 1.5) / 3.0);
  if (t >= 5.0 && t <= 8.0) return bump((t - 5.0) / 3.0);
  return 0.0;
}

inline bool ContactLostAtTime(double t) { return t >= 2.5 && t <= 3.5; }

struct HingePose {
  Eigen::Vector3d sacrum, dowel_base, trunk_dir;
};

inline HingePose PoseAt(int frame) {
  const double t = frame / kFps;
  const double theta = TrunkAngleAt(t);
  const double fold = theta / 1.1;
  HingePose p;
  p.sacrum = Eigen::Vector3d(-0.15 * fold, 0, 0.95 - 0.06 * fold);
  p.trunk_dir = Eigen::Vector3d(std::sin(theta), 0, std::cos(theta));
  const Eigen::Vector3d back(-std::cos(theta), 0, std::sin(theta));  // away from the body
  p.dowel_base = p.sacrum + (ContactLostAtTime(t) ? kLostGapM : 0.0) * back;
  return p;
}

// Dowel marker k (0 bottom .. 2 top) at a frame.
inline Eigen::Vector3d DowelMarker(int frame, int k) {
  const HingePose p = PoseAt(frame);
  const double along[3] = {0.1, 0.45, 0.8};
  return p.dowel_base + along[k] * p.trunk_dir;
}

inline Recording HingeRecording() {
  Trajectories points({"M0", "M1", "M2", "M10", "M11", "M20", "M22"}, kFrames, kFps);
  for (int f = 0; f < kFrames; ++f) {
    const HingePose p = PoseAt(f);
    const Eigen::Vector3d positions[7] = {
        DowelMarker(f, 0), DowelMarker(f, 1), DowelMarker(f, 2),
        p.sacrum + Eigen::Vector3d(0, 0.06, 0), p.sacrum + Eigen::Vector3d(0, -0.06, 0),
        Eigen::Vector3d(0.1, 0.1, 0.5), Eigen::Vector3d(0.1, -0.1, 0.5)};
    for (int l = 0; l < 7; ++l) {
      Sample& s = points.at(f, l);
      s.position_m = positions[l];
      s.residual_px = 0.2f;
      s.n_cameras = 3;
    }
  }
  Recording r;
  r.points = std::move(points);
  r.format = "c3d";
  return r;
}

// A camera at `eye` looking at `target` (x right, y down, z forward).
inline Camera LookAtCamera(const std::string& name, const Eigen::Vector3d& eye,
                           const Eigen::Vector3d& target) {
  Camera c;
  c.name = name;
  c.width = 1280, c.height = 720;
  c.fx = c.fy = 900, c.cx = 640, c.cy = 360;
  const Eigen::Vector3d z = (target - eye).normalized();
  const Eigen::Vector3d x = z.cross(Eigen::Vector3d::UnitZ()).normalized();
  const Eigen::Vector3d y = z.cross(x);
  Eigen::Matrix3d r;
  r.row(0) = x.transpose(), r.row(1) = y.transpose(), r.row(2) = z.transpose();
  c.cam_from_world = Rigid3d(Eigen::Quaterniond(r), -(r * eye));
  return c;
}

inline Rig HingeRig() {
  Rig rig;
  const Eigen::Vector3d target(0, 0, 0.9);
  rig.cameras.push_back(LookAtCamera("cam_front", Eigen::Vector3d(0.6, 0.6, 1.3), target));
  rig.cameras.push_back(LookAtCamera("cam_back", Eigen::Vector3d(-0.6, 0.6, 1.3), target));
  return rig;
}

}  // namespace hl::test
