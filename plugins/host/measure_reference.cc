#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "plugins/host/measure_steps.h"

namespace hl::measure_steps {
namespace {

using Eigen::Vector3d;

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
      for (int f = s; f < s + w; ++f)
        motion = std::max(motion, (t.at(f, l).position_m - mean).norm());
    }
    if (!all_seen) continue;
    if (motion <= options.quiet_max_motion_m) return {s, s + w, motion};
    if (motion < best_motion) best_motion = motion, best_start = s;
  }
  if (best_start < 0) {
    throw Error("recording",
                "has no second in which every marker is seen, so it cannot stand in "
                "for a static trial; give --static");
  }
  return {best_start, best_start + w, best_motion};
}

// Where a body marker the static trial never sees (the hand holding a dowel
// behind the neck hides the thorax plate's upper marker) sits in its
// segment's reference layout, from the take: in frames where three of the
// segment's markers off one line that the reference has are seen with it,
// their rigid motion from the reference carries it back. Adds it to `*ref`.
void PlaceUnseenMarkers(const Trajectories& trial, const SegmentIndex& seg, Pose* ref,
                        Measures* m) {
  for (const auto& [segment, idx] : seg.labels) {
    if (segment == "bar" || segment == "dowel" || segment == "foot_left" ||
        segment == "foot_right") {
      continue;
    }
    for (int l : idx) {
      const std::string& label = trial.labels()[l];
      if (ref->count(label)) continue;
      Vector3d sum = Vector3d::Zero();
      int frames = 0;
      std::vector<Vector3d> r, c;
      for (int f = 0; f < trial.num_frames(); ++f) {
        if (!trial.at(f, l).valid()) continue;
        landmarks::SeenMarkers(trial, f, idx, *ref, &r, &c);
        if (r.size() < 3 || !landmarks::OffOneLine(r)) continue;
        sum += landmarks::FitRigidMotion(r, c).ToReference(trial.at(f, l).position_m);
        ++frames;
      }
      // A few frames average out the markers' noise; fewer leave it out.
      if (frames < 10) continue;
      (*ref)[label] = sum / frames;
      m->notes.push_back("marker " + label + " (" + segment + ") is never seen in the " +
                         "static trial; its place on the segment comes from " +
                         std::to_string(frames) + " frames of the take");
    }
  }
}

// A body marker the reference never saw has no place in its segment's layout
// (a reconstructed position needs two cameras): its segment goes on with the
// others, and the output says so. Only a segment left with none is lost (and
// the pelvis, which every measure hangs off, fails the take).
void DropUnseenMarkers(const Trajectories& trial, const Pose& ref, SegmentIndex* seg, Measures* m) {
  const std::string ref_name = m->has_static_trial ? "static trial" : "reference window";
  for (auto it = seg->labels.begin(); it != seg->labels.end();) {
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
      throw Error(ref_name, "no pelvis marker (" + dropped +
                                ") is seen there, and every measure "
                                "needs the sacrum; re-record it with the pelvis plate in view");
    }
    if (kept.empty()) {
      m->notes.push_back("segment " + segment + " left out: its markers (" + dropped +
                         ") are never seen in the " + ref_name);
      m->segments.erase(std::find(m->segments.begin(), m->segments.end(), segment));
      it = seg->labels.erase(it);
      continue;
    }
    m->notes.push_back("marker(s) " + dropped + " (" + segment + ") never seen in the " + ref_name +
                       ", so the " + segment + " is carried by " + used + " alone");
    it->second = std::move(kept);
    ++it;
  }
}

}  // namespace

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

Pose ReferencePosture(const Trajectories& trial, const SegmentLabels& segments,
                      const Trajectories* static_trial, const MeasureOptions& options,
                      SegmentIndex* seg, Measures* m) {
  std::vector<std::string> used_labels;
  std::vector<int> used_idx;
  for (const auto& [name, idx] : seg->labels) {
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
    ref = landmarks::MeanPose(*static_trial, 0, static_trial->num_frames(), all_labels);
    m->has_static_trial = true;
    m->reference = "static trial";
  } else {
    const Window w = FindQuietWindow(trial, used_idx, options);
    ref = landmarks::MeanPose(trial, w.begin, w.end, used_labels);
    const std::string frames =
        "(frames " + std::to_string(w.begin) + "-" + std::to_string(w.end - 1) + ")";
    if (w.motion_m <= options.quiet_max_motion_m) {
      m->reference = "first quiet second of the trial " + frames + "; no static trial given";
    } else {
      m->reference = "stillest second of the trial " + frames + ", where markers still moved " +
                     std::to_string(static_cast<int>(std::lround(w.motion_m * 1000))) +
                     " mm; no static trial given, so measures are approximate";
    }
  }

  // Body landmarks are measured against the reference; the bar and the feet
  // are not (bar height is absolute, feet only orient the subject frame).
  // The dowel is a straight prop: any two of its markers seen in the
  // reference fix its line, so markers the static trial missed are left out.
  if (seg->has("dowel")) {
    std::vector<int> kept;
    for (int l : seg->labels.at("dowel")) {
      if (ref.count(trial.labels()[l])) kept.push_back(l);
    }
    if (kept.size() >= 2) seg->labels["dowel"] = kept;
  }
  if (static_trial != nullptr) PlaceUnseenMarkers(trial, *seg, &ref, m);
  DropUnseenMarkers(trial, ref, seg, m);
  return ref;
}

}  // namespace hl::measure_steps
