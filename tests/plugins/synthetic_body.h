#pragma once

// A rigid stick figure for the plugin tests: marker positions follow exactly
// from a few pose numbers, so every measure has a value known in closed form.
//
// Subject frame (x forward, y left, z up), placed in the world by a yaw and an
// origin. The pelvis rotates by tilt (about left), drop (about forward) and
// rotation (about up) as R_p = Rz(rotation) Rx(drop) Ry(tilt); the trunk adds
// back flexion about the pelvis' left axis: R_t = R_p Ry(back_flexion).
//   hip joint  H = (-hip_back, 0, 0.95 - hip_down)
//   sacrum     S = H + R_p (-0.10, 0, 0.05)       (pelvis plate centre)
//   dowel      S + R_t (-(0.03 + gap), 0, s), s = 0.05, 0.35, 0.65
//   thorax     S + R_t (0, 0, 0.45)
//   knees      (0.08 + travel, +-0.10, 0.50 + rise)
//   bar        (0.10, +-0.25, bar_height)

#include <Eigen/Geometry>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/trajectory.h"
#include "plugins/host/measures.h"

namespace hl::test {

constexpr double kDeg = 3.14159265358979323846 / 180.0;

struct BodyPose {
  double hip_back_m = 0, hip_down_m = 0;
  double pelvis_tilt_rad = 0, pelvis_drop_rad = 0, pelvis_rotation_rad = 0;
  double back_flexion_rad = 0;
  double gap_m = 0;
  double knee_travel_left_m = 0, knee_travel_right_m = 0;
  double knee_rise_left_m = 0, knee_rise_right_m = 0;
  double bar_height_m = 0.45;
};

struct BodyLayout {
  double yaw_rad = 30 * kDeg;
  Eigen::Vector3d origin{1.0, 0.5, 0.0};
  bool dowel = true, pelvis = true, knees = true, thorax = false, bar = false;
  // The pelvis plate's third marker on the line of the other two: its
  // orientation about that line is unobservable.
  bool pelvis_in_line = false;
};

inline Eigen::Matrix3d PelvisRotation(const BodyPose& p) {
  using Eigen::AngleAxisd;
  using Eigen::Vector3d;
  return (AngleAxisd(p.pelvis_rotation_rad, Vector3d::UnitZ()) *
          AngleAxisd(p.pelvis_drop_rad, Vector3d::UnitX()) *
          AngleAxisd(p.pelvis_tilt_rad, Vector3d::UnitY()))
      .toRotationMatrix();
}

inline Eigen::Vector3d SacrumInSubject(const BodyPose& p) {
  return Eigen::Vector3d(-p.hip_back_m, 0, 0.95 - p.hip_down_m) +
         PelvisRotation(p) * Eigen::Vector3d(-0.10, 0, 0.05);
}

inline SegmentLabels Segments(const BodyLayout& layout) {
  SegmentLabels s;
  if (layout.dowel) s["dowel"] = {"M0", "M1", "M2"};
  if (layout.pelvis) s["pelvis"] = {"M10", "M11", "M12"};
  if (layout.knees) s["knee_left"] = {"M20"}, s["knee_right"] = {"M21"};
  if (layout.thorax) s["thorax"] = {"M30"};
  if (layout.bar) s["bar"] = {"M40", "M41"};
  return s;
}

inline std::map<std::string, Eigen::Vector3d> MarkersInWorld(const BodyPose& p,
                                                              const BodyLayout& layout) {
  using Eigen::Vector3d;
  const Eigen::Matrix3d rp = PelvisRotation(p);
  const Eigen::Matrix3d rt = rp * Eigen::AngleAxisd(p.back_flexion_rad, Vector3d::UnitY()).toRotationMatrix();
  const Vector3d s = SacrumInSubject(p);
  std::map<std::string, Vector3d> m;
  if (layout.pelvis) {
    m["M10"] = s + rp * Vector3d(0, 0.06, -0.02);
    m["M11"] = s + rp * Vector3d(0, -0.06, -0.02);
    m["M12"] = s + rp * Vector3d(0, 0, layout.pelvis_in_line ? -0.02 : 0.04);
  }
  if (layout.dowel) {
    const double along[3] = {0.05, 0.35, 0.65};
    for (int k = 0; k < 3; ++k) {
      m["M" + std::to_string(k)] = s + rt * Vector3d(-(0.03 + p.gap_m), 0, along[k]);
    }
  }
  if (layout.thorax) m["M30"] = s + rt * Vector3d(0, 0, 0.45);
  if (layout.knees) {
    m["M20"] = Vector3d(0.08 + p.knee_travel_left_m, 0.10, 0.50 + p.knee_rise_left_m);
    m["M21"] = Vector3d(0.08 + p.knee_travel_right_m, -0.10, 0.50 + p.knee_rise_right_m);
  }
  if (layout.bar) {
    m["M40"] = Vector3d(0.10, 0.25, p.bar_height_m);
    m["M41"] = Vector3d(0.10, -0.25, p.bar_height_m);
  }
  const Eigen::Matrix3d world_from_subject =
      Eigen::AngleAxisd(layout.yaw_rad, Vector3d::UnitZ()).toRotationMatrix();
  for (auto& [label, pos] : m) pos = layout.origin + world_from_subject * pos;
  return m;
}

inline Trajectories MakeTrial(const std::vector<BodyPose>& poses, double fps,
                              const BodyLayout& layout) {
  const auto first = MarkersInWorld(BodyPose{}, layout);
  std::vector<std::string> labels;
  for (const auto& [label, pos] : first) labels.push_back(label);
  Trajectories t(labels, static_cast<int>(poses.size()), fps);
  for (int f = 0; f < static_cast<int>(poses.size()); ++f) {
    const auto markers = MarkersInWorld(poses[f], layout);
    for (int l = 0; l < t.num_labels(); ++l) {
      Sample& s = t.at(f, l);
      s.position_m = markers.at(labels[l]);
      s.residual_px = 0.2f;
      s.n_cameras = 3;
    }
  }
  return t;
}

inline BodyPose Lerp(const BodyPose& a, const BodyPose& b, double u) {
  auto mix = [u](double x, double y) { return x + (y - x) * u; };
  BodyPose p;
  p.hip_back_m = mix(a.hip_back_m, b.hip_back_m);
  p.hip_down_m = mix(a.hip_down_m, b.hip_down_m);
  p.pelvis_tilt_rad = mix(a.pelvis_tilt_rad, b.pelvis_tilt_rad);
  p.pelvis_drop_rad = mix(a.pelvis_drop_rad, b.pelvis_drop_rad);
  p.pelvis_rotation_rad = mix(a.pelvis_rotation_rad, b.pelvis_rotation_rad);
  p.back_flexion_rad = mix(a.back_flexion_rad, b.back_flexion_rad);
  p.gap_m = mix(a.gap_m, b.gap_m);
  p.knee_travel_left_m = mix(a.knee_travel_left_m, b.knee_travel_left_m);
  p.knee_travel_right_m = mix(a.knee_travel_right_m, b.knee_travel_right_m);
  p.knee_rise_left_m = mix(a.knee_rise_left_m, b.knee_rise_left_m);
  p.knee_rise_right_m = mix(a.knee_rise_right_m, b.knee_rise_right_m);
  p.bar_height_m = mix(a.bar_height_m, b.bar_height_m);
  return p;
}

// A motion as a list of segments: hold a pose, or ease (cosine) from the last pose to a new one.
class Motion {
 public:
  explicit Motion(double fps, BodyPose start = {}) : fps_(fps), last_(start) {}
  Motion& Hold(double seconds) {
    for (int i = 0; i < Frames(seconds); ++i) poses_.push_back(last_);
    return *this;
  }
  Motion& MoveTo(const BodyPose& target, double seconds) {
    const int n = Frames(seconds);
    for (int i = 1; i <= n; ++i) {
      const double u = 0.5 - 0.5 * std::cos(3.14159265358979323846 * i / n);
      poses_.push_back(Lerp(last_, target, u));
    }
    last_ = target;
    return *this;
  }
  // Standing rest, down to `bottom`, hold, back up to `top` (standing unless given).
  Motion& Rep(const BodyPose& bottom, double hold_s = 0.3, const BodyPose* top = nullptr) {
    return MoveTo(bottom, 1.2).Hold(hold_s).MoveTo(top ? *top : BodyPose{}, 1.2).Hold(0.8);
  }
  const std::vector<BodyPose>& poses() const { return poses_; }
  double fps() const { return fps_; }

 private:
  int Frames(double seconds) const { return static_cast<int>(std::lround(seconds * fps_)); }
  double fps_;
  BodyPose last_;
  std::vector<BodyPose> poses_;
};

}  // namespace hl::test
