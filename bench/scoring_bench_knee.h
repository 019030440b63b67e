#pragma once

// scoring_bench's knee diagnostics: a knee plate's landmark carried as the
// host carries it (plugins/host/measure_landmarks.cc: the static trial's
// marker pose and landmark, CarryPointHeld), but by other markers. Carried by
// the simulator's TRUE markers, what is left of the knee travel error is the
// static trial's own (its landmark error turned with the thigh).

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "core/trajectory.h"
#include "plugins/host/landmark_geometry.h"

namespace hl::bench {

struct KneePlate {
  const char* landmark;               // KNEE_L or KNEE_R
  std::array<int, 3> ids;             // the plate's marker ids
  landmarks::Pose ref;                // their mean positions in the static trial
  Eigen::Vector3d point_ref = Eigen::Vector3d::Zero();  // the static trial's landmark
  bool ok = false;                    // all three markers and the landmark in it
};

// Both knee plates as the static trial gives them.
inline std::vector<KneePlate> KneePlates(const Trajectories& static_trial) {
  std::vector<KneePlate> out = {{"KNEE_L", {20, 21, 24}, {}, {}, false},
                                {"KNEE_R", {22, 23, 25}, {}, {}, false}};
  for (KneePlate& k : out) {
    std::vector<std::string> labels;
    for (int id : k.ids) labels.push_back("M" + std::to_string(id));
    k.ref = landmarks::MeanPose(static_trial, 0, static_trial.num_frames(), labels);
    k.ok = k.ref.size() == 3 && landmarks::MeanOfLabel(static_trial, k.landmark, &k.point_ref);
  }
  return out;
}

// The plate's landmark per frame carried by the markers of `t`, and its
// rotation from the static pose (identity where fewer than 3 are valid).
inline landmarks::Track CarryKnee(const KneePlate& k, const Trajectories& t,
                                  std::vector<Eigen::Matrix3d>* rotations) {
  std::vector<int> idx;
  for (int id : k.ids) idx.push_back(t.LabelIndex("M" + std::to_string(id)));
  landmarks::Track track(t.num_frames());
  rotations->assign(t.num_frames(), Eigen::Matrix3d::Identity());
  Eigen::Matrix3d held = Eigen::Matrix3d::Identity();
  bool have = false;
  if (!k.ok || std::count(idx.begin(), idx.end(), -1) > 0) return track;
  for (int f = 0; f < t.num_frames(); ++f) {
    track.ok[f] =
        landmarks::CarryPointHeld(t, f, idx, k.ref, k.point_ref, &held, &have, &track.p[f]);
    (*rotations)[f] = held;
  }
  return track;
}

// Angle of a rotation (deg).
inline double AngleDeg(const Eigen::Matrix3d& r) {
  return std::acos(std::clamp((r.trace() - 1.0) / 2.0, -1.0, 1.0)) * 180.0 / M_PI;
}

}  // namespace hl::bench
