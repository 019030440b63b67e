#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "plugins/hingelab_plugin.h"
#include "plugins/host/measure_steps.h"

namespace hl::measure_steps {

using Eigen::Matrix3d;
using Eigen::Vector3d;
using landmarks::CarryPoint;
using landmarks::DistanceToLine;
using landmarks::FitLine;
using landmarks::MeanOfLabel;
using landmarks::OffOneLine;
using landmarks::RigidRotation;
using landmarks::RobustSmooth;

TrunkLine DowelTrunk(const Trajectories& trial, const Trajectories* static_trial,
                     const std::vector<int>& dowel_idx, const Pose& ref, const SubjectFrame& frame,
                     LandmarkTracks* lm, Measures* m) {
  const int n = trial.num_frames();
  const Vector3d& up = frame.up;
  auto& tracks = lm->tracks;
  auto& ref_point = lm->ref_point;
  const auto& idx = dowel_idx;
  std::vector<Vector3d> ref_pts;
  for (int l : idx) ref_pts.push_back(ref.at(trial.labels()[l]));
  Vector3d ref_centre, ref_dir;
  if (!FitLine(ref_pts, &ref_centre, &ref_dir)) {
    throw Error("static trial", "dowel markers coincide; they must sit apart along the dowel");
  }
  if (ref_dir.dot(up) < 0) ref_dir = -ref_dir;
  // The dowel's own axis when the static trial locates it (DOWEL_TOP and
  // DOWEL_BOTTOM there); the markers sit on its faces, off the axis.
  Vector3d axis_top, axis_bottom;
  const bool axis_known = static_trial != nullptr &&
                          MeanOfLabel(*static_trial, "DOWEL_TOP", &axis_top) &&
                          MeanOfLabel(*static_trial, "DOWEL_BOTTOM", &axis_bottom) &&
                          (axis_top - axis_bottom).norm() > 0.1;
  if (axis_known) {
    ref_centre = 0.5 * (axis_top + axis_bottom);
    ref_dir = (axis_top - axis_bottom).normalized();
    m->anatomical_landmarks.push_back("DOWEL_TOP");
    m->anatomical_landmarks.push_back("DOWEL_BOTTOM");
  }
  TrunkLine line;
  line.dir = Track(n);
  line.ref = ref_dir;
  // Each marker's signed position along the dowel orients the line in any frame.
  std::vector<double> along;
  for (const auto& p : ref_pts) along.push_back((p - ref_centre).dot(ref_dir));
  const int top = static_cast<int>(std::max_element(along.begin(), along.end()) - along.begin());
  const int bottom = static_cast<int>(std::min_element(along.begin(), along.end()) - along.begin());

  struct GapSpec {
    const char* landmark;
    const char* name;
  };
  std::vector<std::pair<GapSpec, MeasureSeries>> gaps;
  for (GapSpec g :
       {GapSpec{"SACRUM", HL_MEASURE_DOWEL_GAP}, GapSpec{"HEAD", HL_MEASURE_DOWEL_GAP_HEAD},
        GapSpec{"THORAX", HL_MEASURE_DOWEL_GAP_THORAX}}) {
    if (tracks.count(g.landmark)) gaps.emplace_back(g, NewSeries(g.name, n));
  }
  std::vector<double> gap_ref;
  for (auto& [g, s] : gaps) {
    gap_ref.push_back(DistanceToLine(ref_point[g.landmark], ref_centre, ref_dir));
  }

  std::vector<std::pair<Vector3d, Vector3d>> axis_now(n);
  // The axis ends carried frame by frame, then smoothed over time for the
  // gaps: a one-frame tilt of the reconstructed stick (its lower markers
  // seen by one camera each) moved the bottom end 7 mm at one frame. The
  // trunk and the DOWEL_TOP/BOTTOM landmarks keep the frame's own axis:
  // smoothed, a simulated take's sharp turn read 0.68 deg off from truth.
  Track top_now(n), bottom_now(n);
  for (int f = 0; axis_known && f < n; ++f) {
    top_now.ok[f] = bottom_now.ok[f] =
        CarryPoint(trial, f, idx, ref, axis_top, 2, false, &top_now.p[f]) &&
        CarryPoint(trial, f, idx, ref, axis_bottom, 2, false, &bottom_now.p[f]);
  }
  const Track top_frame = top_now, bottom_frame = bottom_now;
  top_now = RobustSmooth(top_now), bottom_now = RobustSmooth(bottom_now);
  for (int f = 0; f < n; ++f) {
    std::vector<Vector3d> pts;
    double best_along = 0.0;
    Vector3d best_p = Vector3d::Zero();
    for (size_t k = 0; k < idx.size(); ++k) {
      const Sample& s = trial.at(f, idx[k]);
      if (!s.valid()) continue;
      pts.push_back(s.position_m);
      if (std::abs(along[k]) > std::abs(best_along)) best_along = along[k], best_p = s.position_m;
    }
    Vector3d centre, dir, trunk_dir;
    if (axis_known) {
      if (!top_now.ok[f]) continue;
      const Vector3d& t_now = top_now.p[f];
      const Vector3d& b_now = bottom_now.p[f];
      centre = 0.5 * (t_now + b_now);
      dir = (t_now - b_now).normalized();
      trunk_dir = (top_frame.p[f] - bottom_frame.p[f]).normalized();
      axis_now[f] = {top_frame.p[f], bottom_frame.p[f]};
    } else {
      if (!FitLine(pts, &centre, &dir)) continue;
      if ((best_p - centre).dot(dir) * best_along < 0) dir = -dir;
      trunk_dir = dir;
    }
    line.dir.p[f] = trunk_dir;
    line.dir.ok[f] = 1;
    for (size_t g = 0; g < gaps.size(); ++g) {
      const Track& point = tracks.at(gaps[g].first.landmark);
      if (!point.ok[f]) continue;
      gaps[g].second.values[f] = DistanceToLine(point.p[f], centre, dir) - gap_ref[g];
      gaps[g].second.valid[f] = 1;
    }
  }
  for (auto& [g, s] : gaps) m->series.push_back(std::move(s));
  tracks["DOWEL_TOP"] = Track(n);
  tracks["DOWEL_BOTTOM"] = Track(n);
  for (int f = 0; f < n; ++f) {
    if (axis_known) {
      tracks["DOWEL_TOP"].p[f] = axis_now[f].first;
      tracks["DOWEL_BOTTOM"].p[f] = axis_now[f].second;
      tracks["DOWEL_TOP"].ok[f] = tracks["DOWEL_BOTTOM"].ok[f] = line.dir.ok[f];
      continue;
    }
    const Sample& t = trial.at(f, idx[top]);
    const Sample& b = trial.at(f, idx[bottom]);
    tracks["DOWEL_TOP"].p[f] = t.position_m, tracks["DOWEL_TOP"].ok[f] = t.valid();
    tracks["DOWEL_BOTTOM"].p[f] = b.position_m, tracks["DOWEL_BOTTOM"].ok[f] = b.valid();
  }
  return line;
}

TrunkLine ThoraxTrunk(const Trajectories& trial, const std::vector<int>& thorax_idx,
                      const Pose& ref, const SubjectFrame& frame, const LandmarkTracks& lm) {
  const int n = trial.num_frames();
  const Vector3d& fwd = frame.forward;
  const Vector3d& up = frame.up;
  const auto& ref_point = lm.ref_point;
  const Track& sacrum = lm.tracks.at("SACRUM");
  const Track& thorax = lm.tracks.at("THORAX");
  // The sacrum -> thorax plate line leans by a fixed amount from the
  // trunk's axis (the plate sits proud of the spine): standing tall in the
  // reference is upright, so that lean, forward and sideways, is taken off.
  const Vector3d line_ref = (ref_point.at("THORAX") - ref_point.at("SACRUM")).normalized();
  const double lean_fwd = std::atan2(line_ref.dot(fwd), line_ref.dot(up));
  const double lean_side = std::atan2(line_ref.dot(frame.left), line_ref.dot(up));
  const Matrix3d upright =
      (Eigen::AngleAxisd(lean_side, fwd) * Eigen::AngleAxisd(-lean_fwd, frame.left))
          .toRotationMatrix();
  TrunkLine trunk;
  trunk.dir = Track(n);
  trunk.ref = (upright * line_ref).normalized();
  // The trunk's axis is the thorax's own orientation where the plate shows
  // it (three markers off one line turned from the reference, where the
  // trunk stood upright): the line to the sacrum bends with the lumbar spine
  // (10+ deg in a flexed-back rep). The line stands in where the chest
  // markers face the floor.
  std::vector<Vector3d> r_pts, cur;
  for (int f = 0; f < n; ++f) {
    landmarks::SeenMarkers(trial, f, thorax_idx, ref, &r_pts, &cur);
    if (r_pts.size() >= 3 && OffOneLine(r_pts)) {
      trunk.dir.p[f] = (RigidRotation(r_pts, cur) * trunk.ref).normalized();
      trunk.dir.ok[f] = 1;
    } else if (sacrum.ok[f] && thorax.ok[f]) {
      trunk.dir.p[f] = (upright * (thorax.p[f] - sacrum.p[f])).normalized();
      trunk.dir.ok[f] = 1;
    }
  }
  return trunk;
}

}  // namespace hl::measure_steps
