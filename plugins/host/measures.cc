#include "plugins/host/measures.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/marker_set.h"
#include "plugins/hingelab_plugin.h"
#include "plugins/host/landmark_geometry.h"

namespace hl {
namespace {

using Eigen::Matrix3d;
using Eigen::Vector3d;
using landmarks::AngleBetween;
using landmarks::CarryPoint;
using landmarks::CarryPointHeld;
using landmarks::CentreTrack;
using landmarks::DistanceToLine;
using landmarks::FitLine;
using landmarks::MeanOfLabel;
using landmarks::MeanPose;
using landmarks::MostSeenSubset;
using landmarks::OffOneLine;
using landmarks::Pose;
using landmarks::PoseCentre;
using landmarks::RigidRotation;
using landmarks::RobustSmooth;
using landmarks::StartOf;
using landmarks::Track;
constexpr double kPi = 3.14159265358979323846;

// Usable labels of each present segment, as trial label indices.
struct SegmentIndex {
  std::map<std::string, std::vector<int>> labels;
  bool has(const std::string& s) const { return labels.count(s) > 0; }
};

SegmentIndex IndexSegments(const Trajectories& trial, const SegmentLabels& segments,
                           const MeasureOptions& options) {
  SegmentIndex index;
  const int min_valid =
      std::max(1, static_cast<int>(std::ceil(options.min_valid_fraction * trial.num_frames())));
  for (const auto& [segment, labels] : segments) {
    std::vector<int> usable;
    for (const auto& label : labels) {
      const int l = trial.LabelIndex(label);
      if (l >= 0 && trial.CountValid(l) >= min_valid) usable.push_back(l);
    }
    const size_t needed = segment == "dowel" ? 2 : 1;
    if (usable.size() >= needed) index.labels[segment] = std::move(usable);
  }
  return index;
}

struct Window {
  int begin = 0, end = 0;
  double motion_m = 0.0;  // largest distance of a marker from its mean in the window
};

// The first window in which every marker is seen and stays still, else the stillest.
Window FindQuietWindow(const Trajectories& t, const std::vector<int>& labels,
                       const MeasureOptions& options) {
  const int n = t.num_frames();
  const int w = std::max(2, static_cast<int>(std::lround(options.quiet_window_s * t.rate_hz())));
  if (n < w) {
    throw Error("recording", "is shorter than the " + std::to_string(options.quiet_window_s) +
                                 " s needed to stand in for a static trial; give --static");
  }
  const int step = std::max(1, w / 10);
  int best_start = -1;
  double best_motion = std::numeric_limits<double>::infinity();
  for (int s = 0; s + w <= n; s += step) {
    double motion = 0.0;
    bool all_seen = true;
    for (int l : labels) {
      Vector3d mean = Vector3d::Zero();
      for (int f = s; f < s + w && all_seen; ++f) {
        all_seen = t.at(f, l).valid();
        mean += t.at(f, l).position_m;
      }
      if (!all_seen) break;
      mean /= w;
      for (int f = s; f < s + w; ++f) motion = std::max(motion, (t.at(f, l).position_m - mean).norm());
    }
    if (!all_seen) continue;
    if (motion <= options.quiet_max_motion_m) return {s, s + w, motion};
    if (motion < best_motion) best_motion = motion, best_start = s;
  }
  if (best_start < 0) {
    throw Error("recording", "has no second in which every marker is seen, so it cannot stand in "
                             "for a static trial; give --static");
  }
  return {best_start, best_start + w, best_motion};
}

MeasureSeries NewSeries(const char* name, int n) {
  return MeasureSeries{name, std::vector<double>(n, 0.0), std::vector<uint8_t>(n, 0)};
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
  for (const auto& [segment, labels] : IndexSegments(trial, segments, options).labels) {
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
  Measures m;
  m.fps = trial.rate_hz();
  m.num_frames = n;
  SegmentIndex seg = IndexSegments(trial, segments, options);
  for (const auto& [name, labels] : seg.labels) m.segments.push_back(name);
  if (!seg.has("pelvis")) return m;  // every measure hangs off the sacrum

  // Reference posture.
  std::vector<std::string> used_labels;
  std::vector<int> used_idx;
  for (const auto& [name, idx] : seg.labels) {
    for (int l : idx) used_labels.push_back(trial.labels()[l]), used_idx.push_back(l);
  }
  Pose ref;
  if (static_trial != nullptr) {
    // Every marker of the set, also those the trial sees rarely: anatomical
    // points are carried by whichever of them a frame sees.
    std::vector<std::string> all_labels;
    for (const auto& [segment, labels] : segments) {
      for (const auto& label : labels) all_labels.push_back(label);
    }
    ref = MeanPose(*static_trial, 0, static_trial->num_frames(), all_labels);
    m.has_static_trial = true;
    m.reference = "static trial";
  } else {
    const Window w = FindQuietWindow(trial, used_idx, options);
    ref = MeanPose(trial, w.begin, w.end, used_labels);
    const std::string frames =
        "(frames " + std::to_string(w.begin) + "-" + std::to_string(w.end - 1) + ")";
    if (w.motion_m <= options.quiet_max_motion_m) {
      m.reference = "first quiet second of the trial " + frames + "; no static trial given";
    } else {
      m.reference = "stillest second of the trial " + frames + ", where markers still moved " +
                    std::to_string(static_cast<int>(std::lround(w.motion_m * 1000))) +
                    " mm; no static trial given, so measures are approximate";
    }
  }

  // Body landmarks are measured against the reference; the bar and the feet
  // are not (bar height is absolute, feet only orient the subject frame).
  // The dowel is a straight prop: any two of its markers seen in the
  // reference fix its line, so markers the static trial missed are left out.
  if (seg.has("dowel")) {
    std::vector<int> kept;
    for (int l : seg.labels.at("dowel")) {
      if (ref.count(trial.labels()[l])) kept.push_back(l);
    }
    if (kept.size() >= 2) seg.labels["dowel"] = kept;
  }
  // A body marker the static trial never sees (the hand holding a dowel
  // behind the neck hides the thorax plate's upper marker) is placed in its
  // segment's reference layout from the take: in frames where three of the
  // segment's markers off one line that the reference has are seen with it,
  // their rigid motion from the reference carries it back.
  if (static_trial != nullptr) {
    for (const auto& [segment, idx] : seg.labels) {
      if (segment == "bar" || segment == "dowel" || segment == "foot_left" ||
          segment == "foot_right") {
        continue;
      }
      for (int l : idx) {
        const std::string& label = trial.labels()[l];
        if (ref.count(label)) continue;
        Vector3d sum = Vector3d::Zero();
        int frames = 0;
        for (int f = 0; f < trial.num_frames(); ++f) {
          if (!trial.at(f, l).valid()) continue;
          std::vector<Vector3d> r, c;
          for (int o : idx) {
            if (o == l || !ref.count(trial.labels()[o]) || !trial.at(f, o).valid()) continue;
            r.push_back(ref.at(trial.labels()[o]));
            c.push_back(trial.at(f, o).position_m);
          }
          if (r.size() < 3 || !OffOneLine(r)) continue;
          Vector3d cr = Vector3d::Zero(), cc = Vector3d::Zero();
          for (size_t i = 0; i < r.size(); ++i) cr += r[i], cc += c[i];
          cr /= static_cast<double>(r.size());
          cc /= static_cast<double>(c.size());
          sum += cr + RigidRotation(r, c).transpose() * (trial.at(f, l).position_m - cc);
          ++frames;
        }
        // A few frames average out the markers' noise; fewer leave it out.
        if (frames < 10) continue;
        ref[label] = sum / frames;
        m.notes.push_back("marker " + label + " (" + segment + ") is never seen in the " +
                          "static trial; its place on the segment comes from " +
                          std::to_string(frames) + " frames of the take");
      }
    }
  }
  // A body marker the reference never saw has no place in its segment's
  // layout (a reconstructed position needs two cameras): its segment goes on
  // with the others, and the output says so. Only a segment left with none fails.
  // Only a segment left with none is lost (and the pelvis, which every
  // measure hangs off, fails the take).
  const std::string ref_name = m.has_static_trial ? "static trial" : "reference window";
  for (auto it = seg.labels.begin(); it != seg.labels.end();) {
    const std::string& segment = it->first;
    if (segment == "bar" || segment == "foot_left" || segment == "foot_right") {
      ++it;
      continue;
    }
    std::vector<int> kept;
    std::string dropped, used;
    for (int l : it->second) {
      const std::string& label = trial.labels()[l];
      const bool seen = ref.count(label) > 0;
      std::string& list = seen ? used : dropped;
      list += (list.empty() ? "" : ", ") + label;
      if (seen) kept.push_back(l);
    }
    if (dropped.empty()) {
      ++it;
      continue;
    }
    if (kept.empty() && segment == "pelvis") {
      throw Error(ref_name, "no pelvis marker (" + dropped + ") is seen there, and every measure "
                            "needs the sacrum; re-record it with the pelvis plate in view");
    }
    if (kept.empty()) {
      m.notes.push_back("segment " + segment + " left out: its markers (" + dropped +
                        ") are never seen in the " + ref_name);
      m.segments.erase(std::find(m.segments.begin(), m.segments.end(), segment));
      it = seg.labels.erase(it);
      continue;
    }
    m.notes.push_back("marker(s) " + dropped + " (" + segment + ") never seen in the " + ref_name +
                      ", so the " + segment + " is carried by " + used + " alone");
    it->second = std::move(kept);
    ++it;
  }

  // Landmark tracks.
  std::map<std::string, Track> tracks;
  const std::pair<const char*, const char*> centres[] = {
      {"pelvis", "SACRUM"},  {"knee_left", "KNEE_L"}, {"knee_right", "KNEE_R"},
      {"thorax", "THORAX"},  {"head", "HEAD"},        {"bar", "BAR"},
      {"foot_left", "FOOT_L"}, {"foot_right", "FOOT_R"}};
  std::map<std::string, Vector3d> ref_point;
  std::map<std::string, std::string> centre_notes;  // landmark -> note, unless replaced below
  for (const auto& [segment, landmark] : centres) {
    if (!seg.has(segment)) continue;
    const std::vector<int> all = seg.labels.at(segment);
    const std::vector<int> core = MostSeenSubset(trial, all);
    if (core.size() < all.size()) {
      std::string used, left_out;
      for (int l : all) {
        std::string& list = std::count(core.begin(), core.end(), l) ? used : left_out;
        list += (list.empty() ? "" : ", ") + trial.labels()[l];
      }
      centre_notes[landmark] = std::string(landmark) + " is the centre of " + used + " (" +
                               left_out + " hidden too often in this take to be part of it)";
    }
    tracks[landmark] = CentreTrack(trial, core);
    bool in_reference = true;
    for (int l : core) in_reference = in_reference && ref.count(trial.labels()[l]);
    if (in_reference) ref_point[landmark] = PoseCentre(ref, trial, core);
  }
  // Anatomical landmarks located in the static trial (labels SACRUM, KNEE_L,
  // KNEE_R there: digitised, or joint centres from a lab's calibration) ride
  // on their segment's markers. A knee plate sits above the joint and turns
  // with the thigh, so its centre travels less than the joint centre does.
  if (static_trial != nullptr) {
    const std::pair<const char*, const char*> anatomical[] = {
        {"pelvis", "SACRUM"}, {"knee_left", "KNEE_L"}, {"knee_right", "KNEE_R"}};
    for (const auto& [segment, landmark] : anatomical) {
      Vector3d point_ref;
      if (!seg.has(segment) || !MeanOfLabel(*static_trial, landmark, &point_ref)) continue;
      // Every marker of the segment the reference saw, also those the trial
      // sees too rarely to stand alone; three fix a pose, so a plate of more
      // does without the others. A pelvis seen through only two markers (a
      // line) hides a turn about that line: no value then.
      std::vector<int> idx;
      for (const auto& label : segments.at(segment)) {
        const int l = trial.LabelIndex(label);
        if (l >= 0 && ref.count(label)) idx.push_back(l);
      }
      Track track(n);
      const size_t need = std::min<size_t>(3, idx.size());
      // A knee plate's third marker sits a row up, where a hanging bar or
      // the hands hide it for a while; the turn about the lower row's line
      // then changes little, so it is held from the last frame that saw it.
      const bool hold_turn = need >= 3 && segment != std::string("pelvis");
      Matrix3d held = Matrix3d::Identity();
      bool have_held = false;
      // Frames before the first that sees three hold the turn of that one.
      Vector3d unused;
      for (int f = 0; hold_turn && f < n && !have_held; ++f) {
        CarryPointHeld(trial, f, idx, ref, point_ref, &held, &have_held, &unused);
      }
      for (int f = 0; f < n; ++f) {
        track.ok[f] = hold_turn ? CarryPointHeld(trial, f, idx, ref, point_ref, &held, &have_held,
                                                 &track.p[f])
                                : CarryPoint(trial, f, idx, ref, point_ref, need, false,
                                             &track.p[f]);
      }
      tracks[landmark] = std::move(track);
      centre_notes.erase(landmark);
      ref_point[landmark] = point_ref;
      m.anatomical_landmarks.push_back(landmark);
    }
  }
  for (const auto& [landmark, note] : centre_notes) m.notes.push_back(note);
  const Track& sacrum = tracks.at("SACRUM");

  // Subject frame.
  SubjectFrame& frame = m.frame;
  frame.up = Vector3d::UnitZ();
  auto horizontal = [&](const Vector3d& v) { return Vector3d(v - v.dot(frame.up) * frame.up); };
  auto set_left = [&](const char* l, const char* r, const char* from) {
    if (!ref_point.count(l) || !ref_point.count(r)) return false;
    const Vector3d left = horizontal(ref_point[l] - ref_point[r]);
    if (left.norm() < 0.05) return false;  // sides closer than 5 cm: not a left-right pair
    frame.left = left.normalized();
    frame.forward = frame.left.cross(frame.up);
    frame.forward_from = from;
    return true;
  };
  if (!set_left("KNEE_L", "KNEE_R", "knees") && !set_left("FOOT_L", "FOOT_R", "feet")) {
    Vector3d start;
    double best = 0.0;
    Vector3d away = Vector3d::Zero();
    if (StartOf(sacrum, 1, &start)) {
      for (int f = 0; f < n; ++f) {
        const Vector3d d = horizontal(sacrum.p[f] - start);
        if (sacrum.ok[f] && d.norm() > best) best = d.norm(), away = d;
      }
    }
    if (best < 0.03) {
      throw Error("recording", "cannot tell which way the subject faces: track both knees or both "
                               "feet, or hinge so the hips travel back");
    }
    frame.forward = -away.normalized();
    frame.left = frame.up.cross(frame.forward);
    frame.forward_from = "sacrum motion";
  }
  const Vector3d& fwd = frame.forward;
  const Vector3d& up = frame.up;

  // Hip travel from the start.
  const int start_window = std::max(1, static_cast<int>(std::lround(options.start_window_s * m.fps)));
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
    for (auto* s : {&back, &down, &rise, &disp}) m.series.push_back(std::move(*s));
  }

  // Knee travel (forward) and rise from the start.
  if (tracks.count("KNEE_L") && tracks.count("KNEE_R")) {
    auto travel = NewSeries(HL_MEASURE_KNEE_TRAVEL, n);
    auto height = NewSeries(HL_MEASURE_KNEE_HEIGHT, n);
    const std::tuple<const char*, const char*, const char*> sides[] = {
        {"KNEE_L", HL_MEASURE_KNEE_TRAVEL_LEFT, HL_MEASURE_KNEE_RISE_LEFT},
        {"KNEE_R", HL_MEASURE_KNEE_TRAVEL_RIGHT, HL_MEASURE_KNEE_RISE_RIGHT}};
    std::vector<MeasureSeries> side_series;
    for (const auto& [landmark, travel_name, rise_name] : sides) {
      const Track& knee = tracks.at(landmark);
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
    const Track& kl = tracks.at("KNEE_L");
    const Track& kr = tracks.at("KNEE_R");
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
    for (auto& s : side_series) m.series.push_back(std::move(s));
    m.series.push_back(std::move(travel));
    m.series.push_back(std::move(height));
  }

  // Bar height above the floor (world z = 0 is the floor).
  if (tracks.count("BAR")) {
    auto bar = NewSeries(HL_MEASURE_BAR_HEIGHT, n);
    for (int f = 0; f < n; ++f) {
      if (tracks.at("BAR").ok[f]) bar.values[f] = tracks.at("BAR").p[f].dot(up), bar.valid[f] = 1;
    }
    m.series.push_back(std::move(bar));
  }

  // Trunk line: the dowel when there is one, else sacrum -> thorax.
  Track trunk(n);  // unit direction, pointing up the back
  Vector3d trunk_ref = Vector3d::Zero();
  bool have_trunk = false;
  if (seg.has("dowel")) {
    const auto& idx = seg.labels.at("dowel");
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
      m.anatomical_landmarks.push_back("DOWEL_TOP");
      m.anatomical_landmarks.push_back("DOWEL_BOTTOM");
    }
    trunk_ref = ref_dir;
    have_trunk = true;
    // Each marker's signed position along the dowel orients the line in any frame.
    std::vector<double> along;
    for (const auto& p : ref_pts) along.push_back((p - ref_centre).dot(ref_dir));
    const int top = static_cast<int>(std::max_element(along.begin(), along.end()) - along.begin());
    const int bottom = static_cast<int>(std::min_element(along.begin(), along.end()) - along.begin());

    struct GapSpec { const char* landmark; const char* name; };
    std::vector<std::pair<GapSpec, MeasureSeries>> gaps;
    for (GapSpec g : {GapSpec{"SACRUM", HL_MEASURE_DOWEL_GAP}, GapSpec{"HEAD", HL_MEASURE_DOWEL_GAP_HEAD},
                      GapSpec{"THORAX", HL_MEASURE_DOWEL_GAP_THORAX}}) {
      if (tracks.count(g.landmark)) gaps.emplace_back(g, NewSeries(g.name, n));
    }
    std::vector<double> gap_ref;
    for (auto& [g, s] : gaps) gap_ref.push_back(DistanceToLine(ref_point[g.landmark], ref_centre, ref_dir));

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
      trunk.p[f] = trunk_dir;
      trunk.ok[f] = 1;
      for (size_t g = 0; g < gaps.size(); ++g) {
        const Track& lm = tracks.at(gaps[g].first.landmark);
        if (!lm.ok[f]) continue;
        gaps[g].second.values[f] = DistanceToLine(lm.p[f], centre, dir) - gap_ref[g];
        gaps[g].second.valid[f] = 1;
      }
    }
    for (auto& [g, s] : gaps) m.series.push_back(std::move(s));
    tracks["DOWEL_TOP"] = Track(n);
    tracks["DOWEL_BOTTOM"] = Track(n);
    for (int f = 0; f < n; ++f) {
      if (axis_known) {
        tracks["DOWEL_TOP"].p[f] = axis_now[f].first;
        tracks["DOWEL_BOTTOM"].p[f] = axis_now[f].second;
        tracks["DOWEL_TOP"].ok[f] = tracks["DOWEL_BOTTOM"].ok[f] = trunk.ok[f];
        continue;
      }
      const Sample& t = trial.at(f, idx[top]);
      const Sample& b = trial.at(f, idx[bottom]);
      tracks["DOWEL_TOP"].p[f] = t.position_m, tracks["DOWEL_TOP"].ok[f] = t.valid();
      tracks["DOWEL_BOTTOM"].p[f] = b.position_m, tracks["DOWEL_BOTTOM"].ok[f] = b.valid();
    }
  } else if (tracks.count("THORAX") && ref_point.count("THORAX")) {
    // The sacrum -> thorax plate line leans by a fixed amount from the
    // trunk's axis (the plate sits proud of the spine): standing tall in the
    // reference is upright, so that lean, forward and sideways, is taken off.
    const Vector3d line_ref = (ref_point["THORAX"] - ref_point["SACRUM"]).normalized();
    const double lean_fwd = std::atan2(line_ref.dot(fwd), line_ref.dot(up));
    const double lean_side = std::atan2(line_ref.dot(frame.left), line_ref.dot(up));
    const Matrix3d upright = (Eigen::AngleAxisd(lean_side, fwd) *
                              Eigen::AngleAxisd(-lean_fwd, frame.left)).toRotationMatrix();
    trunk_ref = (upright * line_ref).normalized();
    have_trunk = true;
    // The trunk's axis is the thorax's own orientation where the plate shows
    // it (three markers off one line turned from the reference, where the
    // trunk stood upright): the line to the sacrum bends with the lumbar spine
    // (10+ deg in a flexed-back rep). The line stands in where the chest
    // markers face the floor.
    std::vector<int> thorax_idx;
    std::vector<Vector3d> thorax_ref;
    for (int l : seg.labels.at("thorax")) {
      thorax_idx.push_back(l);
      thorax_ref.push_back(ref.at(trial.labels()[l]));
    }
    for (int f = 0; f < n; ++f) {
      std::vector<Vector3d> r_pts, cur;
      for (size_t k = 0; k < thorax_idx.size(); ++k) {
        const Sample& s = trial.at(f, thorax_idx[k]);
        if (s.valid()) r_pts.push_back(thorax_ref[k]), cur.push_back(s.position_m);
      }
      if (r_pts.size() >= 3 && OffOneLine(r_pts)) {
        trunk.p[f] = (RigidRotation(r_pts, cur) * trunk_ref).normalized();
        trunk.ok[f] = 1;
      } else if (sacrum.ok[f] && tracks["THORAX"].ok[f]) {
        trunk.p[f] = (upright * (tracks["THORAX"].p[f] - sacrum.p[f])).normalized();
        trunk.ok[f] = 1;
      }
    }
  }

  if (have_trunk) {
    auto incl = NewSeries(HL_MEASURE_TRUNK_INCLINATION, n);
    for (int f = 0; f < n; ++f) {
      if (trunk.ok[f]) incl.values[f] = AngleBetween(trunk.p[f], up), incl.valid[f] = 1;
    }
    m.series.push_back(std::move(incl));
  }

  // Hip flexion: trunk against the sacrum -> mid-knee line, relative to the reference.
  if (have_trunk && tracks.count("KNEE_L") && tracks.count("KNEE_R")) {
    auto raw = [&](const Vector3d& trunk_dir, const Vector3d& s, const Vector3d& kl,
                   const Vector3d& kr) { return kPi - AngleBetween(trunk_dir, 0.5 * (kl + kr) - s); };
    const double ref_raw = raw(trunk_ref, ref_point["SACRUM"], ref_point["KNEE_L"], ref_point["KNEE_R"]);
    auto hip = NewSeries(HL_MEASURE_HIP_FLEXION, n);
    const Track& kl = tracks.at("KNEE_L");
    const Track& kr = tracks.at("KNEE_R");
    for (int f = 0; f < n; ++f) {
      if (!trunk.ok[f] || !sacrum.ok[f] || !kl.ok[f] || !kr.ok[f]) continue;
      hip.values[f] = raw(trunk.p[f], sacrum.p[f], kl.p[f], kr.p[f]) - ref_raw;
      hip.valid[f] = 1;
    }
    m.series.push_back(std::move(hip));
  }

  // Pelvis orientation relative to the reference, and the trunk relative to it.
  const auto& pelvis_idx = seg.labels.at("pelvis");
  if (pelvis_idx.size() >= 2) {
    std::vector<Vector3d> ref_pts;
    for (int l : pelvis_idx) ref_pts.push_back(ref.at(trial.labels()[l]));
    Matrix3d subject;
    subject << frame.forward, frame.left, frame.up;
    auto tilt = NewSeries(HL_MEASURE_PELVIS_TILT, n), drop = NewSeries(HL_MEASURE_PELVIS_DROP, n);
    auto rot = NewSeries(HL_MEASURE_PELVIS_ROTATION, n);
    auto flex = NewSeries(HL_MEASURE_BACK_FLEXION, n);
    // Without a trunk line (a bridge: the thorax lies on the floor) hip
    // flexion is the thigh (sacrum -> mid-knee) against the pelvis plate.
    const bool thigh_from_pelvis = !have_trunk && tracks.count("KNEE_L") && tracks.count("KNEE_R");
    auto hip = NewSeries(HL_MEASURE_HIP_FLEXION, n);
    const Track no_knee(n);
    const Track& kl = thigh_from_pelvis ? tracks.at("KNEE_L") : no_knee;
    const Track& kr = thigh_from_pelvis ? tracks.at("KNEE_R") : no_knee;
    const Vector3d thigh_ref =
        thigh_from_pelvis
            ? Vector3d(0.5 * (ref_point["KNEE_L"] + ref_point["KNEE_R"]) - ref_point["SACRUM"])
            : Vector3d::Zero();
    for (int f = 0; f < n; ++f) {
      // The markers this frame sees; two on one line hide a turn about it, so
      // the plate's orientation needs three off one line (or all when fewer).
      std::vector<Vector3d> r_pts, cur;
      for (size_t k = 0; k < pelvis_idx.size(); ++k) {
        const Sample& s = trial.at(f, pelvis_idx[k]);
        if (s.valid()) r_pts.push_back(ref_pts[k]), cur.push_back(s.position_m);
      }
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
      if (have_trunk && trunk.ok[f]) {
        const Vector3d axis = (r * frame.left).normalized();
        Vector3d a = r * trunk_ref, b = trunk.p[f];
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
    for (auto* s : {&tilt, &drop, &rot}) m.series.push_back(std::move(*s));
    if (have_trunk) m.series.push_back(std::move(flex));
    if (thigh_from_pelvis) m.series.push_back(std::move(hip));
  }

  // Landmarks as trajectories, for the viewer and the report.
  for (const auto& [name, track] : tracks) m.landmarks.AddLabel(name);
  m.landmarks.Resize(n);
  m.landmarks.set_rate_hz(trial.rate_hz());
  m.landmarks.set_first_frame(trial.first_frame());
  for (const auto& [name, track] : tracks) {
    const int l = m.landmarks.LabelIndex(name);
    for (int f = 0; f < n; ++f) {
      if (!track.ok[f]) continue;
      Sample& s = m.landmarks.at(f, l);
      s.position_m = track.p[f];
      s.residual_px = 0.0f;
    }
  }
  return m;
}

}  // namespace hl
