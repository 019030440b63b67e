#include "plugins/host/measures.h"

#include <Eigen/Eigenvalues>
#include <Eigen/Geometry>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/marker_set.h"
#include "plugins/hingelab_plugin.h"

namespace hl {
namespace {

using Eigen::Matrix3d;
using Eigen::Vector3d;
constexpr double kPi = 3.14159265358979323846;

// A landmark's position per frame.
struct Track {
  std::vector<Vector3d> p;
  std::vector<uint8_t> ok;
  explicit Track(int n = 0) : p(n, Vector3d::Zero()), ok(n, 0) {}
  bool empty() const { return p.empty(); }
};

using Pose = std::map<std::string, Vector3d>;  // label -> reference position

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

// Centre of the markers `idx`; valid only when all of them are seen.
Track CentreTrack(const Trajectories& t, const std::vector<int>& idx) {
  Track track(t.num_frames());
  for (int f = 0; f < t.num_frames(); ++f) {
    Vector3d sum = Vector3d::Zero();
    bool all = true;
    for (int l : idx) {
      const Sample& s = t.at(f, l);
      all = all && s.valid();
      sum += s.position_m;
    }
    if (all && !idx.empty()) {
      track.p[f] = sum / static_cast<double>(idx.size());
      track.ok[f] = 1;
    }
  }
  return track;
}

Vector3d PoseCentre(const Pose& pose, const Trajectories& t, const std::vector<int>& idx) {
  Vector3d sum = Vector3d::Zero();
  for (int l : idx) sum += pose.at(t.labels()[l]);
  return sum / static_cast<double>(idx.size());
}

// Least-squares line through points: centre and unit direction.
bool FitLine(const std::vector<Vector3d>& pts, Vector3d* centre, Vector3d* dir) {
  if (pts.size() < 2) return false;
  Vector3d c = Vector3d::Zero();
  for (const auto& p : pts) c += p;
  c /= static_cast<double>(pts.size());
  Matrix3d scatter = Matrix3d::Zero();
  for (const auto& p : pts) scatter += (p - c) * (p - c).transpose();
  Eigen::SelfAdjointEigenSolver<Matrix3d> eig(scatter);
  if (eig.eigenvalues()(2) < 1e-8) return false;  // points coincide (< 0.1 mm apart)
  *centre = c;
  *dir = eig.eigenvectors().col(2).normalized();
  return true;
}

double DistanceToLine(const Vector3d& p, const Vector3d& centre, const Vector3d& dir) {
  const Vector3d d = p - centre;
  return (d - d.dot(dir) * dir).norm();
}

double AngleBetween(const Vector3d& a, const Vector3d& b) {
  return std::atan2(a.cross(b).norm(), a.dot(b));
}

// Rotation taking the reference marker layout onto the current one (Kabsch);
// with two markers (or collinear ones) only the minimal rotation is observable.
Matrix3d RigidRotation(const std::vector<Vector3d>& ref, const std::vector<Vector3d>& cur) {
  if (ref.size() < 2) return Matrix3d::Identity();  // one marker carries position only
  Vector3d cr = Vector3d::Zero(), cc = Vector3d::Zero();
  for (size_t i = 0; i < ref.size(); ++i) {
    cr += ref[i];
    cc += cur[i];
  }
  cr /= static_cast<double>(ref.size());
  cc /= static_cast<double>(cur.size());
  Matrix3d h = Matrix3d::Zero();
  for (size_t i = 0; i < ref.size(); ++i) h += (ref[i] - cr) * (cur[i] - cc).transpose();
  Eigen::JacobiSVD<Matrix3d> svd(h, Eigen::ComputeFullU | Eigen::ComputeFullV);
  const Eigen::Vector3d s = svd.singularValues();
  if (ref.size() >= 3 && s(1) > 1e-3 * s(0)) {
    Matrix3d d = Matrix3d::Identity();
    d(2, 2) = (svd.matrixV() * svd.matrixU().transpose()).determinant() < 0 ? -1.0 : 1.0;
    return svd.matrixV() * d * svd.matrixU().transpose();
  }
  // The two markers furthest apart define an axis.
  size_t a = 0, b = 1;
  double best = -1;
  for (size_t i = 0; i < ref.size(); ++i) {
    for (size_t j = i + 1; j < ref.size(); ++j) {
      if ((ref[i] - ref[j]).norm() > best) best = (ref[i] - ref[j]).norm(), a = i, b = j;
    }
  }
  return Eigen::Quaterniond::FromTwoVectors(ref[b] - ref[a], cur[b] - cur[a]).toRotationMatrix();
}

// Where a point fixed to a segment (given in the reference posture) is in
// frame f: the segment's markers seen there are matched to their reference
// positions. Needs at least `min_markers` of them (and all when `all`).
bool CarryPoint(const Trajectories& t, int f, const std::vector<int>& idx, const Pose& ref,
                const Vector3d& point_ref, size_t min_markers, bool all, Vector3d* out) {
  std::vector<Vector3d> r, c;
  for (int l : idx) {
    const Sample& s = t.at(f, l);
    if (!s.valid()) {
      if (all) return false;
      continue;
    }
    r.push_back(ref.at(t.labels()[l]));
    c.push_back(s.position_m);
  }
  if (r.size() < std::max<size_t>(1, min_markers)) return false;
  Vector3d cr = Vector3d::Zero(), cc = Vector3d::Zero();
  for (size_t i = 0; i < r.size(); ++i) cr += r[i], cc += c[i];
  cr /= static_cast<double>(r.size());
  cc /= static_cast<double>(c.size());
  *out = cc + RigidRotation(r, c) * (point_ref - cr);
  return true;
}

// Mean of one label over a trial; false when it has no valid sample.
bool MeanOfLabel(const Trajectories& t, const char* label, Vector3d* out) {
  const int l = t.LabelIndex(label);
  if (l < 0) return false;
  Vector3d sum = Vector3d::Zero();
  int n = 0;
  for (int f = 0; f < t.num_frames(); ++f) {
    if (t.at(f, l).valid()) sum += t.at(f, l).position_m, ++n;
  }
  if (n == 0) return false;
  *out = sum / n;
  return true;
}

// Mean position of each label over the frames [begin, end) where it is seen;
// labels never seen there are left out.
Pose MeanPose(const Trajectories& t, int begin, int end, const std::vector<std::string>& labels) {
  Pose pose;
  for (const auto& label : labels) {
    const int l = t.LabelIndex(label);
    Vector3d sum = Vector3d::Zero();
    int n = 0;
    for (int f = begin; l >= 0 && f < end; ++f) {
      if (t.at(f, l).valid()) sum += t.at(f, l).position_m, ++n;
    }
    if (n > 0) pose[label] = sum / n;
  }
  return pose;
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

// Average of the first valid samples within `window` frames of the first one.
bool StartOf(const Track& t, int window, Vector3d* out) {
  int first = -1;
  for (size_t f = 0; f < t.ok.size() && first < 0; ++f) first = t.ok[f] ? static_cast<int>(f) : -1;
  if (first < 0) return false;
  Vector3d sum = Vector3d::Zero();
  int n = 0;
  for (int f = first; f < first + window && f < static_cast<int>(t.ok.size()); ++f) {
    if (t.ok[f]) sum += t.p[f], ++n;
  }
  *out = sum / n;
  return true;
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
  for (const auto& [segment, idx] : seg.labels) {
    if (segment == "bar" || segment == "foot_left" || segment == "foot_right") continue;
    for (int l : idx) {
      if (!ref.count(trial.labels()[l])) {
        throw Error("static trial", "marker " + trial.labels()[l] + " (" + segment +
                                        ") is never seen there; re-record the static trial with "
                                        "every body marker in view");
      }
    }
  }

  // Landmark tracks.
  std::map<std::string, Track> tracks;
  const std::pair<const char*, const char*> centres[] = {
      {"pelvis", "SACRUM"},  {"knee_left", "KNEE_L"}, {"knee_right", "KNEE_R"},
      {"thorax", "THORAX"},  {"head", "HEAD"},        {"bar", "BAR"},
      {"foot_left", "FOOT_L"}, {"foot_right", "FOOT_R"}};
  std::map<std::string, Vector3d> ref_point;
  for (const auto& [segment, landmark] : centres) {
    if (!seg.has(segment)) continue;
    tracks[landmark] = CentreTrack(trial, seg.labels.at(segment));
    bool in_reference = true;
    for (int l : seg.labels.at(segment)) in_reference = in_reference && ref.count(trial.labels()[l]);
    if (in_reference) ref_point[landmark] = PoseCentre(ref, trial, seg.labels.at(segment));
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
      // does without the others. A plate of three or more seen through only
      // two markers (a line) hides a turn about that line: no value then.
      std::vector<int> idx;
      for (const auto& label : segments.at(segment)) {
        const int l = trial.LabelIndex(label);
        if (l >= 0 && ref.count(label)) idx.push_back(l);
      }
      Track track(n);
      const size_t need = std::min<size_t>(3, idx.size());
      for (int f = 0; f < n; ++f) {
        track.ok[f] = CarryPoint(trial, f, idx, ref, point_ref, need, false, &track.p[f]);
      }
      tracks[landmark] = std::move(track);
      ref_point[landmark] = point_ref;
      m.anatomical_landmarks.push_back(landmark);
    }
  }
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
      Vector3d centre, dir;
      if (axis_known) {
        Vector3d t_now, b_now;
        if (!CarryPoint(trial, f, idx, ref, axis_top, 2, false, &t_now) ||
            !CarryPoint(trial, f, idx, ref, axis_bottom, 2, false, &b_now)) {
          continue;
        }
        centre = 0.5 * (t_now + b_now);
        dir = (t_now - b_now).normalized();
        axis_now[f] = {t_now, b_now};
      } else {
        if (!FitLine(pts, &centre, &dir)) continue;
        if ((best_p - centre).dot(dir) * best_along < 0) dir = -dir;
      }
      trunk.p[f] = dir;
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
  } else if (tracks.count("THORAX")) {
    trunk_ref = (ref_point["THORAX"] - ref_point["SACRUM"]).normalized();
    have_trunk = true;
    for (int f = 0; f < n; ++f) {
      if (!sacrum.ok[f] || !tracks["THORAX"].ok[f]) continue;
      trunk.p[f] = (tracks["THORAX"].p[f] - sacrum.p[f]).normalized();
      trunk.ok[f] = 1;
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
    std::vector<Vector3d> cur(pelvis_idx.size());
    for (int f = 0; f < n; ++f) {
      if (!sacrum.ok[f]) continue;  // all pelvis markers seen
      for (size_t k = 0; k < pelvis_idx.size(); ++k) cur[k] = trial.at(f, pelvis_idx[k]).position_m;
      const Matrix3d r = RigidRotation(ref_pts, cur);
      const Matrix3d rs = subject.transpose() * r * subject;
      tilt.values[f] = std::atan2(rs(0, 2), rs(2, 2));
      rot.values[f] = std::atan2(rs(1, 0), rs(0, 0));
      drop.values[f] = std::asin(std::clamp(rs(2, 1), -1.0, 1.0));
      tilt.valid[f] = rot.valid[f] = drop.valid[f] = 1;
      if (have_trunk && trunk.ok[f]) {
        const Vector3d axis = (r * frame.left).normalized();
        Vector3d a = r * trunk_ref, b = trunk.p[f];
        a -= a.dot(axis) * axis;
        b -= b.dot(axis) * axis;
        flex.values[f] = std::atan2(a.cross(b).dot(axis), a.dot(b));
        flex.valid[f] = 1;
      }
    }
    for (auto* s : {&tilt, &drop, &rot}) m.series.push_back(std::move(*s));
    if (have_trunk) m.series.push_back(std::move(flex));
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
