#pragma once
// The viewer's data, apart from any window or GL (Tracy's Worker/View split):
// the loaded recording, rig and marker set, the measures and repetitions
// derived from them, playback, selection and the persistent settings.
//
// Loading never throws for bad input: a corrupt file, a recording without a
// rig or a marker set that does not match the recording's ids leaves a
// message in messages() and the viewer usable with whatever did load.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/marker_set.h"
#include "core/recording.h"
#include "core/rig.h"
#include "plugins/host/drill_score.h"
#include "plugins/host/measures.h"

namespace hl {

// Persistent view settings: a plain struct the panels edit directly.
struct ViewerSettings {
  // Contact at the sacrum is lost above this gap (drills.md default).
  double contact_threshold_m = 0.025;
  // Playback speed multiplier (1 = real time).
  double speed = 1.0;
  // Wrap to the start at the end (or to the rep's start when loop_rep).
  bool loop = true;
  // Loop inside the selected repetition instead of the whole recording.
  bool loop_rep = false;
  bool show_grid = true;
  bool show_axes = true;
  bool show_frusta = true;
  bool show_camera_names = true;
  bool show_trails = true;
  bool show_pelvis_frame = true;
  bool show_forward_arrow = true;
  // Marker dot diameter on screen (px).
  float marker_size_px = 10.0f;
  // Radius of the drawn dowel (m).
  float dowel_radius_m = 0.015f;
  // Plots span the selected rep instead of the whole recording.
  bool plots_follow_rep = false;
};

// One repetition as the viewer lists it.
struct ViewerRep {
  int index = 0;  // 1-based
  int start_frame = 0;
  int end_frame = 0;  // inclusive
  int grade = -1;     // -1: not scored
  double score = -1.0;
  std::vector<std::string> faults;
  std::vector<std::string> cues;
  std::vector<std::pair<std::string, double>> metrics;
};

// A message about loading, kept for the UI instead of thrown.
struct ViewerMessage {
  enum Level { kNote, kError };
  Level level = kNote;
  std::string text;
};

// A number no other object or earlier version of the same object holds:
// fresh on construction, copy, move and Bump(), so a cache keyed on it can
// never mistake one object's data for another's.
class DataGeneration {
 public:
  DataGeneration() : value_(Next()) {}
  DataGeneration(const DataGeneration&) : value_(Next()) {}
  DataGeneration& operator=(const DataGeneration&) {
    value_ = Next();
    return *this;
  }
  void Bump() { value_ = Next(); }
  uint64_t value() const { return value_; }

 private:
  static uint64_t Next();
  uint64_t value_;
};

class ViewerState {
 public:
  // Scores the loaded trial (usually ScoreTrial with a plugin); may throw hl::Error.
  using Scorer = std::function<DrillScore(const Trajectories& trial, const SegmentLabels& segments)>;

  // --- loading (returns false and records an error message on bad input) ---
  // A recording file (C3D/TRC/CSV), a take folder or a session folder (its
  // first drill take). Rig and marker set are taken from beside it when found.
  bool Open(const std::filesystem::path& path);
  bool LoadRecording(const std::filesystem::path& path);
  bool LoadRig(const std::filesystem::path& path);
  bool LoadMarkerSet(const std::filesystem::path& path);
  void SetRecording(Recording recording, const std::string& name);
  void SetRig(Rig rig);
  // Applies a marker set; one that names none of the recording's M<id> labels is refused.
  bool SetMarkerSet(MarkerSet set, const std::string& name);
  // Messages from loading and scoring, oldest first.
  const std::vector<ViewerMessage>& messages() const { return messages_; }
  // The most recent error, empty when none.
  std::string last_error() const;
  void ClearMessages() { messages_.clear(); }

  bool has_recording() const { return points().num_frames() > 0; }
  bool has_rig() const { return !rig_.cameras.empty(); }
  bool has_marker_set() const { return has_marker_set_; }
  const std::string& recording_name() const { return recording_name_; }
  // The take folder Open() found (media for the camera panel); empty otherwise.
  const std::filesystem::path& take_dir() const { return take_dir_; }
  // The rig file loaded last (its calibration report sits beside it); empty otherwise.
  const std::filesystem::path& rig_path() const { return rig_path_; }
  const Trajectories& points() const { return recording_.points; }
  const Recording& recording() const { return recording_; }
  const Rig& rig() const { return rig_; }
  const MarkerSet& marker_set() const { return marker_set_; }
  // Drill id from the take or --drill; empty when unknown.
  const std::string& drill() const { return drill_; }
  void set_drill(const std::string& id) { drill_ = id; }
  // nullptr until measures could be computed (needs a marker set).
  const Measures* measures() const { return measures_ ? &*measures_ : nullptr; }
  // Changes whenever measures() may have (plot caches key on it).
  uint64_t measures_generation() const { return measures_generation_.value(); }

  // Segment of a trajectory label ("M10" -> "pelvis"); empty when unknown.
  std::string SegmentOfLabel(int label) const;

  // --- playback ---
  int num_frames() const { return points().num_frames(); }
  double fps() const;
  int frame() const { return frame_; }
  double time_s() const;
  bool playing() const { return playing_; }
  void Play();
  void Pause() { playing_ = false; }
  void TogglePlay() { playing_ ? Pause() : Play(); }
  // Moves by whole frames (pauses playback); clamps at the ends.
  void Step(int delta_frames);
  // Jumps to a frame (clamped); playback continues from there.
  void Seek(int frame);
  void SeekTime(double time_s);
  // Advances playback by wall-clock dt (seconds) times the speed setting.
  void Advance(double dt_s);

  // --- repetitions ---
  const std::vector<ViewerRep>& reps() const { return reps_; }
  // Index into reps() of the rep holding `frame`, -1 when none.
  int RepAt(int frame) const;
  // The selected rep (-1 none); selecting one seeks to its start.
  int selected_rep() const { return selected_rep_; }
  void SelectRep(int index);
  // Next/previous rep relative to the current frame; false when there is none.
  bool NextRep();
  bool PrevRep();
  // Re-runs scoring: replaces reps and per-rep scores, keeps the frame, and
  // keeps the selection when that rep still exists. On failure the old reps
  // stay and the error is a message. Returns success.
  bool Rescore(const Scorer& scorer);
  const std::optional<DrillScore>& score() const { return score_; }

  // --- selection ---
  int selected_label() const { return selected_label_; }
  void SelectLabel(int label) { selected_label_ = (label >= -1 && label < points().num_labels()) ? label : -1; }

  // --- per-frame geometry for drawing (world frame, metres) ---
  // Sacrum-to-dowel gap (measure, relative to the reference posture) at a frame.
  std::optional<double> ContactGapAt(int frame) const;
  // True when the gap at `frame` is known and above the threshold.
  bool ContactLostAt(int frame) const;
  // The dowel's axis through its markers seen at `frame`, extended past the
  // outer markers; false with fewer than two dowel markers.
  bool DowelAxisAt(int frame, Eigen::Vector3d* bottom, Eigen::Vector3d* top) const;
  // A landmark (SACRUM, KNEE_L, ...) from the measures; false when absent or invalid.
  bool LandmarkAt(const std::string& name, int frame, Eigen::Vector3d* point) const;
  // Centre and bounding radius of the markers over the recording (and the
  // rig's cameras when include_cameras), for framing the view.
  void SceneBounds(bool include_cameras, Eigen::Vector3d* centre, double* radius) const;

  ViewerSettings settings;

 private:
  void AddMessage(ViewerMessage::Level level, std::string text);
  void Recompute();
  void SegmentRepsFromMeasures();
  int LoopStart() const;
  int LoopEnd() const;

  Recording recording_;
  std::string recording_name_;
  std::filesystem::path take_dir_;
  std::filesystem::path rig_path_;
  Rig rig_;
  MarkerSet marker_set_;
  bool has_marker_set_ = false;
  std::string drill_;
  std::vector<std::string> label_segment_;
  std::optional<Measures> measures_;
  DataGeneration measures_generation_;
  std::optional<DrillScore> score_;
  std::vector<ViewerRep> reps_;
  std::vector<ViewerMessage> messages_;
  int frame_ = 0;
  double position_frames_ = 0.0;  // fractional playback position
  bool playing_ = false;
  int selected_rep_ = -1;
  int selected_label_ = -1;
};

}  // namespace hl
