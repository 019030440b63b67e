#include "plugins/host/measures.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <optional>
#include <tuple>

#include "core/error.h"
#include "core/lowpass.h"
#include "core/marker_set.h"
#include "plugins/hingelab_plugin.h"
#include "plugins/host/landmark_geometry.h"
#include "plugins/host/measure_steps.h"

namespace hl {

namespace measure_steps {

MeasureSeries NewSeries(const char* name, int n) {
  return MeasureSeries{name, std::vector<double>(n, 0.0), std::vector<uint8_t>(n, 0)};
}

}  // namespace measure_steps

namespace {

using Eigen::Matrix3d;
using Eigen::Vector3d;
using landmarks::AngleBetween;
using landmarks::OffOneLine;
using landmarks::RigidRotation;
using landmarks::StartOf;
using landmarks::Track;
using measure_steps::LandmarkTracks;
using measure_steps::NewSeries;
using measure_steps::TrunkLine;
constexpr double kPi = 3.14159265358979323846;

// Hip travel (back, down, up, displacement) and knee travel and rise from the
// take's start; bar height above the floor (world z = 0).
void AddTravel(const LandmarkTracks& lm, const SubjectFrame& frame, int n,
               const MeasureOptions& options, Measures* m) {
  const Vector3d& fwd = frame.forward;
  const Vector3d& up = frame.up;
  const Track& sacrum = lm.tracks.at("SACRUM");
  const int start_window =
      std::max(1, static_cast<int>(std::lround(options.start_window_s * m->fps)));
  Vector3d sacrum_start;
  if (StartOf(sacrum, start_window, &sacrum_start)) {
    auto back = NewSeries(HL_MEASURE_HIP_BACK, n), down = NewSeries(HL_MEASURE_HIP_DOWN, n);
    auto rise = NewSeries(HL_MEASURE_HIP_UP, n), disp = NewSeries(HL_MEASURE_HIP_DISPLACEMENT, n);
    for (int f = 0; f < n; ++f) {
      if (!sacrum.ok[f]) continue;
      const Vector3d d = sacrum.p[f] - sacrum_start;
      back.values[f] = -d.dot(fwd);
      down.values[f] = -d.dot(up);
      rise.values[f] = d.dot(up);
      disp.values[f] = std::hypot(back.values[f], down.values[f]);
      back.valid[f] = down.valid[f] = rise.valid[f] = disp.valid[f] = 1;
    }
    for (auto* s : {&back, &down, &rise, &disp}) m->series.push_back(std::move(*s));
  }

  if (lm.tracks.count("KNEE_L") && lm.tracks.count("KNEE_R")) {
    auto travel = NewSeries(HL_MEASURE_KNEE_TRAVEL, n);
    auto height = NewSeries(HL_MEASURE_KNEE_HEIGHT, n);
    const std::tuple<const char*, const char*, const char*> sides[] = {
        {"KNEE_L", HL_MEASURE_KNEE_TRAVEL_LEFT, HL_MEASURE_KNEE_RISE_LEFT},
        {"KNEE_R", HL_MEASURE_KNEE_TRAVEL_RIGHT, HL_MEASURE_KNEE_RISE_RIGHT}};
    std::vector<MeasureSeries> side_series;
    for (const auto& [landmark, travel_name, rise_name] : sides) {
      const Track& knee = lm.tracks.at(landmark);
      Vector3d start;
      auto t = NewSeries(travel_name, n), r = NewSeries(rise_name, n);
      if (StartOf(knee, start_window, &start)) {
        for (int f = 0; f < n; ++f) {
          if (!knee.ok[f]) continue;
          t.values[f] = (knee.p[f] - start).dot(fwd);
          r.values[f] = (knee.p[f] - start).dot(up);
          t.valid[f] = r.valid[f] = 1;
        }
      }
      side_series.push_back(std::move(t));
      side_series.push_back(std::move(r));
    }
    const Track& kl = lm.tracks.at("KNEE_L");
    const Track& kr = lm.tracks.at("KNEE_R");
    for (int f = 0; f < n; ++f) {
      if (side_series[0].valid[f] && side_series[2].valid[f]) {
        travel.values[f] = std::max(side_series[0].values[f], side_series[2].values[f]);
        travel.valid[f] = 1;
      }
      if (kl.ok[f] && kr.ok[f]) {
        height.values[f] = 0.5 * (kl.p[f] + kr.p[f]).dot(up);
        height.valid[f] = 1;
      }
    }
    for (auto& s : side_series) m->series.push_back(std::move(s));
    m->series.push_back(std::move(travel));
    m->series.push_back(std::move(height));
  }

  if (lm.tracks.count("BAR")) {
    const Track& bar_track = lm.tracks.at("BAR");
    auto bar = NewSeries(HL_MEASURE_BAR_HEIGHT, n);
    for (int f = 0; f < n; ++f) {
      if (bar_track.ok[f]) bar.values[f] = bar_track.p[f].dot(up), bar.valid[f] = 1;
    }
    m->series.push_back(std::move(bar));
  }
}

// Trunk inclination, and hip flexion: the trunk against the sacrum ->
// mid-knee line, relative to the reference.
void AddTrunkAngles(const TrunkLine& trunk, const LandmarkTracks& lm, const SubjectFrame& frame,
                    int n, Measures* m) {
  auto incl = NewSeries(HL_MEASURE_TRUNK_INCLINATION, n);
  for (int f = 0; f < n; ++f) {
    if (trunk.dir.ok[f]) incl.values[f] = AngleBetween(trunk.dir.p[f], frame.up), incl.valid[f] = 1;
  }
  m->series.push_back(std::move(incl));

  if (!lm.tracks.count("KNEE_L") || !lm.tracks.count("KNEE_R")) return;
  auto raw = [&](const Vector3d& trunk_dir, const Vector3d& s, const Vector3d& kl,
                 const Vector3d& kr) { return kPi - AngleBetween(trunk_dir, 0.5 * (kl + kr) - s); };
  const auto& ref_point = lm.ref_point;
  const double ref_raw =
      raw(trunk.ref, ref_point.at("SACRUM"), ref_point.at("KNEE_L"), ref_point.at("KNEE_R"));
  auto hip = NewSeries(HL_MEASURE_HIP_FLEXION, n);
  const Track& sacrum = lm.tracks.at("SACRUM");
  const Track& kl = lm.tracks.at("KNEE_L");
  const Track& kr = lm.tracks.at("KNEE_R");
  for (int f = 0; f < n; ++f) {
    if (!trunk.dir.ok[f] || !sacrum.ok[f] || !kl.ok[f] || !kr.ok[f]) continue;
    hip.values[f] = raw(trunk.dir.p[f], sacrum.p[f], kl.p[f], kr.p[f]) - ref_raw;
    hip.valid[f] = 1;
  }
  m->series.push_back(std::move(hip));
}

// Pelvis tilt, drop and rotation relative to the reference, and back flexion
// (the trunk relative to the pelvis) when there is a trunk line; without one
// (a bridge: the thorax lies on the floor) hip flexion is the thigh (sacrum ->
// mid-knee) against the pelvis plate.
void AddPelvisAngles(const Trajectories& trial, const std::vector<int>& pelvis_idx,
                     const landmarks::Pose& ref, const TrunkLine* trunk, const LandmarkTracks& lm,
                     const SubjectFrame& frame, Measures* m) {
  if (pelvis_idx.size() < 2) return;
  const int n = trial.num_frames();
  const Track& sacrum = lm.tracks.at("SACRUM");
  Matrix3d subject;
  subject << frame.forward, frame.left, frame.up;
  auto tilt = NewSeries(HL_MEASURE_PELVIS_TILT, n), drop = NewSeries(HL_MEASURE_PELVIS_DROP, n);
  auto rot = NewSeries(HL_MEASURE_PELVIS_ROTATION, n);
  auto flex = NewSeries(HL_MEASURE_BACK_FLEXION, n);
  const bool thigh_from_pelvis =
      trunk == nullptr && lm.tracks.count("KNEE_L") && lm.tracks.count("KNEE_R");
  auto hip = NewSeries(HL_MEASURE_HIP_FLEXION, n);
  const Track no_knee(n);
  const Track& kl = thigh_from_pelvis ? lm.tracks.at("KNEE_L") : no_knee;
  const Track& kr = thigh_from_pelvis ? lm.tracks.at("KNEE_R") : no_knee;
  const Vector3d thigh_ref =
      thigh_from_pelvis ? Vector3d(0.5 * (lm.ref_point.at("KNEE_L") + lm.ref_point.at("KNEE_R")) -
                                   lm.ref_point.at("SACRUM"))
                        : Vector3d::Zero();
  std::vector<Vector3d> r_pts, cur;
  for (int f = 0; f < n; ++f) {
    // The markers this frame sees; two on one line hide a turn about it, so
    // the plate's orientation needs three off one line (or all when fewer).
    landmarks::SeenMarkers(trial, f, pelvis_idx, ref, &r_pts, &cur);
    if (cur.size() < std::min<size_t>(3, pelvis_idx.size()) || !sacrum.ok[f]) continue;
    if (pelvis_idx.size() >= 3 && !OffOneLine(r_pts)) continue;
    const Matrix3d r = RigidRotation(r_pts, cur);
    const Matrix3d rs = subject.transpose() * r * subject;
    // rs = Ry(tilt) Rz(rotation) Rx(-drop): the rotation about the pelvis's
    // own long axis and the drop about its own forward axis, after the tilt,
    // so both stay well conditioned at the bottom of a single-leg RDL where
    // the pelvis is tilted ~80 deg (world angles would mix them there).
    tilt.values[f] = std::atan2(-rs(2, 0), rs(0, 0));
    rot.values[f] = std::asin(std::clamp(rs(1, 0), -1.0, 1.0));
    drop.values[f] = -std::atan2(rs(1, 2), rs(1, 1));
    tilt.valid[f] = rot.valid[f] = drop.valid[f] = 1;
    if (trunk != nullptr && trunk->dir.ok[f]) {
      const Vector3d axis = (r * frame.left).normalized();
      Vector3d a = r * trunk->ref, b = trunk->dir.p[f];
      a -= a.dot(axis) * axis;
      b -= b.dot(axis) * axis;
      flex.values[f] = std::atan2(a.cross(b).dot(axis), a.dot(b));
      flex.valid[f] = 1;
    }
    if (thigh_from_pelvis && kl.ok[f] && kr.ok[f]) {
      // The thigh swinging forward turns it negatively about the pelvis's left axis.
      const Vector3d axis = (r * frame.left).normalized();
      Vector3d a = r * thigh_ref, b = 0.5 * (kl.p[f] + kr.p[f]) - sacrum.p[f];
      a -= a.dot(axis) * axis;
      b -= b.dot(axis) * axis;
      hip.values[f] = -std::atan2(a.cross(b).dot(axis), a.dot(b));
      hip.valid[f] = 1;
    }
  }
  for (auto* s : {&tilt, &drop, &rot}) m->series.push_back(std::move(*s));
  if (trunk != nullptr) m->series.push_back(std::move(flex));
  if (thigh_from_pelvis) m->series.push_back(std::move(hip));
}

// Landmarks as trajectories, for the viewer and the report.
Trajectories LandmarkTrajectories(const std::map<std::string, Track>& tracks,
                                  const Trajectories& trial) {
  Trajectories out;
  const int n = trial.num_frames();
  for (const auto& [name, track] : tracks) out.AddLabel(name);
  out.Resize(n);
  out.set_rate_hz(trial.rate_hz());
  out.set_first_frame(trial.first_frame());
  for (const auto& [name, track] : tracks) {
    const int l = out.LabelIndex(name);
    for (int f = 0; f < n; ++f) {
      if (!track.ok[f]) continue;
      Sample& s = out.at(f, l);
      s.position_m = track.p[f];
      s.residual_px = 0.0f;
    }
  }
  return out;
}

}  // namespace

const MeasureSeries* Measures::Find(std::string_view name) const {
  for (const auto& s : series) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

SegmentLabels SegmentLabelsFromMarkerSet(const MarkerSet& set) {
  SegmentLabels out;
  for (const auto& m : set.markers) out[m.segment].push_back("M" + std::to_string(m.id));
  return out;
}

std::vector<std::string> PresentSegments(const Trajectories& trial, const SegmentLabels& segments,
                                         const MeasureOptions& options) {
  std::vector<std::string> out;
  for (const auto& [segment, labels] :
       measure_steps::IndexSegments(trial, segments, options).labels) {
    out.push_back(segment);
  }
  return out;
}

Measures ComputeMeasures(const Trajectories& trial, const SegmentLabels& segments,
                         const Trajectories* static_trial, const MeasureOptions& options) {
  const int n = trial.num_frames();
  if (n == 0 || !(trial.rate_hz() > 0)) {
    throw Error("recording", "has no frames or no frame rate; it cannot be scored");
  }
  const bool filter = options.lowpass_hz > 0 && options.lowpass_hz < 0.5 * trial.rate_hz();
  Measures m;
  m.fps = trial.rate_hz();
  m.num_frames = n;
  measure_steps::SegmentIndex seg = measure_steps::IndexSegments(trial, segments, options);
  for (const auto& [name, labels] : seg.labels) m.segments.push_back(name);
  if (!seg.has("pelvis")) return m;  // every measure hangs off the sacrum

  const landmarks::Pose ref =
      measure_steps::ReferencePosture(trial, segments, static_trial, options, &seg, &m);
  LandmarkTracks lm = measure_steps::TrackLandmarks(trial, segments, static_trial, seg, ref, &m);
  if (filter) {
    // The landmark tracks, not the markers: the dowel's line is fitted to the
    // raw markers (MeasureOptions::lowpass_hz says why).
    for (auto& [name, track] : lm.tracks) {
      Trajectories one({name}, n, trial.rate_hz());
      for (int f = 0; f < n; ++f) {
        if (!track.ok[f]) continue;
        one.at(f, 0).position_m = track.p[f];
        one.at(f, 0).residual_px = 0.0f;
      }
      LowPassFilter(options.lowpass_hz, &one);
      for (int f = 0; f < n; ++f) {
        if (track.ok[f]) track.p[f] = one.at(f, 0).position_m;
      }
    }
  }
  m.frame = measure_steps::FindSubjectFrame(lm, n);
  AddTravel(lm, m.frame, n, options, &m);

  // Trunk line: the dowel when there is one, else the thorax.
  std::optional<TrunkLine> trunk;
  if (seg.has("dowel")) {
    trunk = measure_steps::DowelTrunk(trial, static_trial, seg.labels.at("dowel"), ref, m.frame,
                                      &lm, &m);
  } else if (lm.tracks.count("THORAX") && lm.ref_point.count("THORAX")) {
    trunk = measure_steps::ThoraxTrunk(trial, seg.labels.at("thorax"), ref, m.frame, lm);
  }
  if (trunk) AddTrunkAngles(*trunk, lm, m.frame, n, &m);
  AddPelvisAngles(trial, seg.labels.at("pelvis"), ref, trunk ? &*trunk : nullptr, lm, m.frame, &m);
  m.landmarks = LandmarkTrajectories(lm.tracks, trial);
  return m;
}

}  // namespace hl
