#include "ui/viewer_state.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <Eigen/Eigenvalues>

#include "capture/session.h"
#include "core/error.h"
#include "plugins/hingelab_plugin.h"
#include "plugins/host/reps.h"

namespace hl {
namespace {

namespace fs = std::filesystem;

// Take folder of a session to open first: a drill take, else any take.
std::optional<fs::path> FirstTake(const fs::path& session_dir) {
  const std::vector<std::string> takes = ListTakes(session_dir);
  for (const std::string& t : takes) {
    try {
      if (ReadTake(session_dir / t).kind == "drill") return session_dir / t;
    } catch (const Error&) {
    }
  }
  if (!takes.empty()) return session_dir / takes.front();
  return std::nullopt;
}

// The recording of a take: the reconstructed one when processed, else the simulator's truth.
std::optional<fs::path> TakeRecording(const fs::path& take_dir) {
  for (const char* name : {"recording.c3d", "recording.trc", "recording.csv", "truth/markers.csv"}) {
    if (fs::exists(take_dir / name)) return take_dir / name;
  }
  return std::nullopt;
}

// Marker id of a label "M<id>", -1 otherwise.
int MarkerIdOfLabel(const std::string& label) {
  if (label.size() < 2 || label[0] != 'M') return -1;
  int id = 0;
  for (size_t i = 1; i < label.size(); ++i) {
    if (label[i] < '0' || label[i] > '9' || id > 100000) return -1;
    id = id * 10 + (label[i] - '0');
  }
  return id;
}

}  // namespace

void ViewerState::AddMessage(ViewerMessage::Level level, std::string text) {
  messages_.push_back({level, std::move(text)});
}

std::string ViewerState::last_error() const {
  for (auto it = messages_.rbegin(); it != messages_.rend(); ++it) {
    if (it->level == ViewerMessage::kError) return it->text;
  }
  return {};
}

bool ViewerState::Open(const fs::path& path) {
  take_dir_.clear();
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    AddMessage(ViewerMessage::kError, path.string() + ": does not exist; give a recording, take or session");
    return false;
  }
  if (!fs::is_directory(path, ec)) return LoadRecording(path);

  fs::path take_dir = path;
  fs::path session_dir = path.parent_path();
  if (IsSessionFolder(path) && !fs::exists(path / "take.yml")) {
    const auto take = FirstTake(path);
    if (!take) {
      AddMessage(ViewerMessage::kError, path.string() + ": session has no takes; record or simulate one");
      return false;
    }
    take_dir = *take;
    session_dir = path;
  }
  try {
    if (fs::exists(take_dir / "take.yml")) drill_ = ReadTake(take_dir).drill;
  } catch (const Error& e) {
    AddMessage(ViewerMessage::kError, e.what());
  }
  const auto rec = TakeRecording(take_dir);
  if (!rec) {
    AddMessage(ViewerMessage::kError,
               take_dir.string() + ": no recording.c3d (or truth/markers.csv); run "
                                   "'hingelab reconstruct' on the take first");
    return false;
  }
  if (!LoadRecording(*rec)) return false;
  take_dir_ = take_dir;
  // Rig and marker set: the session's, else the simulator's truth rig.
  std::string rig_file = "rig.yml", markers_file = "markers.yml";
  if (IsSessionFolder(session_dir)) {
    try {
      const SessionInfo info = ReadSession(session_dir);
      rig_file = info.rig_file;
      markers_file = info.markers_file;
    } catch (const Error& e) {
      AddMessage(ViewerMessage::kError, e.what());
    }
  }
  if (fs::exists(session_dir / rig_file)) {
    LoadRig(session_dir / rig_file);
  } else if (fs::exists(take_dir / "truth/rig.toml")) {
    LoadRig(take_dir / "truth/rig.toml");
  }
  if (!has_marker_set_ && fs::exists(session_dir / markers_file)) LoadMarkerSet(session_dir / markers_file);
  if (!has_rig()) {
    AddMessage(ViewerMessage::kNote, "no rig beside " + path.string() + ": cameras are not drawn (give --rig RIG)");
  }
  return true;
}

bool ViewerState::LoadRecording(const fs::path& path) {
  try {
    SetRecording(ReadRecording(path), path.string());
    return true;
  } catch (const Error& e) {
    AddMessage(ViewerMessage::kError, e.what());
    return false;
  }
}

bool ViewerState::LoadRig(const fs::path& path) {
  try {
    SetRig(ReadRig(path));
    rig_path_ = path;
    return true;
  } catch (const Error& e) {
    AddMessage(ViewerMessage::kError, e.what());
    return false;
  }
}

bool ViewerState::LoadMarkerSet(const fs::path& path) {
  try {
    return SetMarkerSet(ReadMarkerSet(path), path.string());
  } catch (const Error& e) {
    AddMessage(ViewerMessage::kError, e.what());
    return false;
  }
}

void ViewerState::SetRecording(Recording recording, const std::string& name) {
  recording_ = std::move(recording);
  recording_name_ = name;
  frame_ = 0;
  position_frames_ = 0.0;
  playing_ = false;
  selected_rep_ = -1;
  selected_label_ = -1;
  score_.reset();
  if (recording_.points.num_frames() == 0) {
    AddMessage(ViewerMessage::kError, name + ": holds no frames; nothing to show");
  }
  if (!recording_.marker_set_yaml.empty()) {
    try {
      SetMarkerSet(ParseMarkerSet(recording_.marker_set_yaml, name + " (marker set)"), name);
      return;  // SetMarkerSet recomputed
    } catch (const Error& e) {
      AddMessage(ViewerMessage::kError, e.what());
    }
  }
  Recompute();
}

void ViewerState::SetRig(Rig rig) { rig_ = std::move(rig); }

bool ViewerState::SetMarkerSet(MarkerSet set, const std::string& name) {
  if (has_recording()) {
    int matched = 0;
    for (const MarkerSpec& m : set.markers) {
      if (points().LabelIndex("M" + std::to_string(m.id)) >= 0) ++matched;
    }
    if (matched == 0) {
      AddMessage(ViewerMessage::kError,
                 name + ": none of its marker ids is in " + recording_name_ +
                     " (labels M<id>); give the marker set the recording was made with");
      return false;
    }
  }
  marker_set_ = std::move(set);
  has_marker_set_ = true;
  Recompute();
  return true;
}

std::string ViewerState::SegmentOfLabel(int label) const {
  if (label < 0 || label >= static_cast<int>(label_segment_.size())) return {};
  return label_segment_[label];
}

uint64_t DataGeneration::Next() {
  static std::atomic<uint64_t> next{1};
  return next++;
}

void ViewerState::Recompute() {
  label_segment_.assign(points().num_labels(), std::string());
  measures_.reset();
  measures_generation_.Bump();
  reps_.clear();
  if (!has_recording() || !has_marker_set_) return;
  int unknown = 0;
  for (int l = 0; l < points().num_labels(); ++l) {
    const int id = MarkerIdOfLabel(points().labels()[l]);
    if (id < 0) continue;
    if (const MarkerSpec* spec = marker_set_.Find(id)) {
      label_segment_[l] = spec->segment;
    } else {
      ++unknown;
    }
  }
  if (unknown > 0) {
    AddMessage(ViewerMessage::kNote,
               std::to_string(unknown) + " marker label(s) not in the marker set are drawn grey");
  }
  try {
    measures_ = ComputeMeasures(points(), SegmentLabelsFromMarkerSet(marker_set_), nullptr);
  } catch (const Error& e) {
    AddMessage(ViewerMessage::kError, std::string(e.what()) + " (measures and reps not shown)");
    return;
  }
  SegmentRepsFromMeasures();
}

void ViewerState::SegmentRepsFromMeasures() {
  // Without a plugin's rep_signal, hip flexion (the hinge's own motion) or the
  // trunk's inclination segments the reps.
  const MeasureSeries* signal = measures_->Find(HL_MEASURE_HIP_FLEXION);
  if (!signal) signal = measures_->Find(HL_MEASURE_TRUNK_INCLINATION);
  if (!signal) return;
  const RepSegmentation seg = SegmentReps(signal->values, signal->valid, fps());
  for (size_t i = 0; i < seg.reps.size(); ++i) {
    ViewerRep r;
    r.index = static_cast<int>(i) + 1;
    r.start_frame = seg.reps[i].start_frame;
    r.end_frame = seg.reps[i].end_frame;
    reps_.push_back(r);
  }
}

double ViewerState::fps() const {
  const double r = points().rate_hz();
  return r > 0 ? r : 1.0;
}

double ViewerState::time_s() const { return frame_ / fps(); }

void ViewerState::Play() {
  if (!has_recording()) return;
  // Play from the end restarts, as every media player does.
  if (frame_ >= LoopEnd()) Seek(LoopStart());
  playing_ = true;
}

void ViewerState::Step(int delta_frames) {
  playing_ = false;
  Seek(frame_ + delta_frames);
}

void ViewerState::Seek(int frame) {
  frame_ = std::clamp(frame, 0, std::max(0, num_frames() - 1));
  position_frames_ = frame_;
}

void ViewerState::SeekTime(double time_s) {
  if (!std::isfinite(time_s)) return;
  Seek(static_cast<int>(std::lround(time_s * fps())));
}

int ViewerState::LoopStart() const {
  if (settings.loop_rep && selected_rep_ >= 0) return reps_[selected_rep_].start_frame;
  return 0;
}

int ViewerState::LoopEnd() const {
  if (settings.loop_rep && selected_rep_ >= 0) return reps_[selected_rep_].end_frame;
  return std::max(0, num_frames() - 1);
}

void ViewerState::Advance(double dt_s) {
  if (!playing_ || !has_recording() || !(dt_s > 0) || !std::isfinite(dt_s)) return;
  position_frames_ += dt_s * std::max(0.0, settings.speed) * fps();
  const int start = LoopStart(), end = LoopEnd();
  if (position_frames_ > end + 1e-9) {
    if (settings.loop && end > start) {
      const double span = end - start + 1;
      position_frames_ = start + std::fmod(position_frames_ - start, span);
      if (position_frames_ > end) position_frames_ = start;
    } else {
      position_frames_ = end;
      playing_ = false;
    }
  }
  frame_ = std::clamp(static_cast<int>(std::floor(position_frames_ + 1e-9)), 0, num_frames() - 1);
}

int ViewerState::RepAt(int frame) const {
  for (size_t i = 0; i < reps_.size(); ++i) {
    if (frame >= reps_[i].start_frame && frame <= reps_[i].end_frame) return static_cast<int>(i);
  }
  return -1;
}

void ViewerState::SelectRep(int index) {
  if (index < 0 || index >= static_cast<int>(reps_.size())) {
    selected_rep_ = -1;
    return;
  }
  selected_rep_ = index;
  Seek(reps_[index].start_frame);
}

bool ViewerState::NextRep() {
  for (size_t i = 0; i < reps_.size(); ++i) {
    if (reps_[i].start_frame > frame_) {
      SelectRep(static_cast<int>(i));
      return true;
    }
  }
  return false;
}

bool ViewerState::PrevRep() {
  // Inside a rep past its start, "previous" first goes back to that rep's start.
  const int current = RepAt(frame_);
  if (current >= 0 && frame_ > reps_[current].start_frame) {
    SelectRep(current);
    return true;
  }
  for (int i = static_cast<int>(reps_.size()) - 1; i >= 0; --i) {
    if (reps_[i].start_frame < frame_) {
      SelectRep(i);
      return true;
    }
  }
  return false;
}

bool ViewerState::Rescore(const Scorer& scorer) {
  if (!has_recording() || !has_marker_set_) {
    AddMessage(ViewerMessage::kError, "cannot score: load a recording and its marker set first");
    return false;
  }
  DrillScore s;
  try {
    s = scorer(points(), SegmentLabelsFromMarkerSet(marker_set_));
  } catch (const Error& e) {
    AddMessage(ViewerMessage::kError, e.what());
    return false;
  }
  const int previous_start = selected_rep_ >= 0 ? reps_[selected_rep_].start_frame : -1;
  reps_.clear();
  for (const ScoredRep& r : s.reps) {
    ViewerRep v;
    v.index = r.index;
    v.start_frame = std::clamp(r.rep.start_frame, 0, std::max(0, num_frames() - 1));
    v.end_frame = std::clamp(r.rep.end_frame, v.start_frame, std::max(0, num_frames() - 1));
    v.grade = r.rep.grade;
    v.score = r.rep.score;
    v.faults = r.rep.faults;
    v.cues = r.rep.cues;
    v.metrics = r.rep.metrics;
    reps_.push_back(std::move(v));
  }
  if (!s.assessable) {
    std::string missing;
    for (const auto& m : s.missing_segments) missing += (missing.empty() ? "" : ", ") + m;
    AddMessage(ViewerMessage::kNote, "drill " + s.drill + " not assessable" +
                                         (missing.empty() ? "" : "; missing segments: " + missing));
  }
  // The selection follows the rep that starts where the old one did (a
  // threshold change rarely moves rep bounds); otherwise it is dropped.
  selected_rep_ = -1;
  for (size_t i = 0; i < reps_.size(); ++i) {
    if (reps_[i].start_frame == previous_start) selected_rep_ = static_cast<int>(i);
  }
  if (!s.drill.empty()) drill_ = s.drill;
  score_ = std::move(s);
  return true;
}

std::optional<double> ViewerState::ContactGapAt(int frame) const {
  if (!measures_ || frame < 0 || frame >= num_frames()) return std::nullopt;
  const MeasureSeries* gap = measures_->Find(HL_MEASURE_DOWEL_GAP);
  if (!gap || frame >= static_cast<int>(gap->values.size()) || !gap->valid[frame]) return std::nullopt;
  return gap->values[frame];
}

bool ViewerState::ContactLostAt(int frame) const {
  const auto gap = ContactGapAt(frame);
  return gap && *gap > settings.contact_threshold_m;
}

bool ViewerState::DowelAxisAt(int frame, Eigen::Vector3d* bottom, Eigen::Vector3d* top) const {
  if (frame < 0 || frame >= num_frames()) return false;
  std::vector<Eigen::Vector3d> pts;
  for (int l = 0; l < points().num_labels(); ++l) {
    const Sample& s = points().at(frame, l);
    if (s.valid() && label_segment_[l] == "dowel") pts.push_back(s.position_m);
  }
  if (pts.size() < 2) return false;
  Eigen::Vector3d mean = Eigen::Vector3d::Zero();
  for (const auto& p : pts) mean += p;
  mean /= static_cast<double>(pts.size());
  Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
  for (const auto& p : pts) cov += (p - mean) * (p - mean).transpose();
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig(cov);
  Eigen::Vector3d dir = eig.eigenvectors().col(2);
  if (dir.z() < 0) dir = -dir;
  double lo = 0, hi = 0;
  for (const auto& p : pts) {
    const double t = (p - mean).dot(dir);
    lo = std::min(lo, t);
    hi = std::max(hi, t);
  }
  // The rod runs past its outer markers (they sit inside its ends).
  constexpr double kOverhang = 0.08;
  *bottom = mean + (lo - kOverhang) * dir;
  *top = mean + (hi + kOverhang) * dir;
  return true;
}

bool ViewerState::LandmarkAt(const std::string& name, int frame, Eigen::Vector3d* point) const {
  if (!measures_ || frame < 0 || frame >= measures_->landmarks.num_frames()) return false;
  const int l = measures_->landmarks.LabelIndex(name);
  if (l < 0) return false;
  const Sample& s = measures_->landmarks.at(frame, l);
  if (!s.valid()) return false;
  *point = s.position_m;
  return true;
}

void ViewerState::SceneBounds(bool include_cameras, Eigen::Vector3d* centre, double* radius) const {
  Eigen::Vector3d lo = Eigen::Vector3d::Constant(1e300), hi = -lo;
  bool any = false;
  const int step = std::max(1, num_frames() / 200);  // a sparse pass is enough for framing
  for (int f = 0; f < num_frames(); f += step) {
    for (int l = 0; l < points().num_labels(); ++l) {
      const Sample& s = points().at(f, l);
      if (!s.valid() || !s.position_m.allFinite()) continue;
      lo = lo.cwiseMin(s.position_m);
      hi = hi.cwiseMax(s.position_m);
      any = true;
    }
  }
  for (const Camera& c : rig_.cameras) {
    const Eigen::Vector3d p = c.CenterInWorld();
    if (!include_cameras || !p.allFinite()) continue;
    lo = lo.cwiseMin(p);
    hi = hi.cwiseMax(p);
    any = true;
  }
  if (!any) {
    *centre = Eigen::Vector3d(0, 0, 1);
    *radius = 2.0;
    return;
  }
  *centre = 0.5 * (lo + hi);
  *radius = std::max(0.5, 0.5 * (hi - lo).norm());
}

}  // namespace hl
