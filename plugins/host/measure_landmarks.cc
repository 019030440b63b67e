#include <Eigen/Geometry>
#include <algorithm>

#include "core/error.h"
#include "plugins/host/measure_steps.h"

namespace hl {
namespace {

constexpr std::pair<const char*, const char*> kSegmentLandmarks[] = {
    {"pelvis", "SACRUM"},    {"knee_left", "KNEE_L"}, {"knee_right", "KNEE_R"},
    {"thorax", "THORAX"},    {"head", "HEAD"},        {"bar", "BAR"},
    {"foot_left", "FOOT_L"}, {"foot_right", "FOOT_R"}};

}  // namespace

const char* SegmentLandmark(std::string_view segment) {
  for (const auto& [s, landmark] : kSegmentLandmarks) {
    if (segment == s) return landmark;
  }
  return nullptr;
}

namespace measure_steps {

using Eigen::Matrix3d;
using Eigen::Vector3d;
using landmarks::CarryPoint;
using landmarks::CarryPointHeld;
using landmarks::CentreTrack;
using landmarks::MeanOfLabel;
using landmarks::MostSeenSubset;
using landmarks::PoseCentre;
using landmarks::StartOf;

LandmarkTracks TrackLandmarks(const Trajectories& trial, const SegmentLabels& segments,
                              const Trajectories* static_trial, const SegmentIndex& seg,
                              const Pose& ref, Measures* m) {
  const int n = trial.num_frames();
  LandmarkTracks lm;
  auto& tracks = lm.tracks;
  auto& ref_point = lm.ref_point;
  std::map<std::string, std::string> centre_notes;  // landmark -> note, unless replaced below
  for (const auto& [segment, landmark] : kSegmentLandmarks) {
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
        track.ok[f] =
            hold_turn
                ? CarryPointHeld(trial, f, idx, ref, point_ref, &held, &have_held, &track.p[f])
                : CarryPoint(trial, f, idx, ref, point_ref, need, false, &track.p[f]);
      }
      tracks[landmark] = std::move(track);
      centre_notes.erase(landmark);
      ref_point[landmark] = point_ref;
      m->anatomical_landmarks.push_back(landmark);
    }
  }
  for (const auto& [landmark, note] : centre_notes) m->notes.push_back(note);
  return lm;
}

SubjectFrame FindSubjectFrame(const LandmarkTracks& lm, int num_frames) {
  const int n = num_frames;
  const Track& sacrum = lm.tracks.at("SACRUM");
  const auto& ref_point = lm.ref_point;
  SubjectFrame frame;
  frame.up = Vector3d::UnitZ();
  auto horizontal = [&](const Vector3d& v) { return Vector3d(v - v.dot(frame.up) * frame.up); };
  auto set_left = [&](const char* l, const char* r, const char* from) {
    if (!ref_point.count(l) || !ref_point.count(r)) return false;
    const Vector3d left = horizontal(ref_point.at(l) - ref_point.at(r));
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
      throw Error("recording",
                  "cannot tell which way the subject faces: track both knees or both "
                  "feet, or hinge so the hips travel back");
    }
    frame.forward = -away.normalized();
    frame.left = frame.up.cross(frame.forward);
    frame.forward_from = "sacrum motion";
  }
  return frame;
}

}  // namespace measure_steps
}  // namespace hl
