#pragma once

// The measures every drill shares (drills.md "Measures"), computed from marker
// trajectories in the subject's own frame.
//
// Landmarks: SACRUM is the centre of the pelvis plate's markers; the DOWEL line
// is fitted through the dowel markers seen in a frame (any two fix it);
// KNEE_L/KNEE_R, THORAX, HEAD, BAR, FOOT_L/FOOT_R are their markers' centres.
// A landmark made of several markers is valid only in frames where all its
// markers are seen, so a dropout never shifts it; those markers are the
// segment's, or the largest set of them seen together almost as often as the
// best set (a thorax plate's chest markers face the floor at the bottom of an
// RDL). A body marker the reference never sees is left out of its segment
// (a segment left with none is dropped; the pelvis then fails), and
// Measures::notes says so.
// A static trial that also carries SACRUM, KNEE_L, KNEE_R (anatomical points,
// e.g. the knee joint centres of a lab's static calibration) or DOWEL_TOP and
// DOWEL_BOTTOM (the dowel's axis ends) replaces those: each point is located
// in its segment's marker frame there and carried by the markers (Kabsch; a
// two-marker plate gives the minimal rotation, one marker translation only).
//
// Reference posture: the static trial when there is one (each marker's mean
// position over the frames it is seen), else the first quiet second of the
// trial itself. Gap, hip flexion, back flexion and pelvis angles are changes
// from that posture; hip and knee travel are changes from the trial's start.
//
// Orientations (pelvis tilt/drop/rotation, the thorax) need three markers off
// one line in the frame: two on a line hide a turn about it.
// Trunk line: the dowel's axis; else the thorax plate's rotation applied to
// upright (the reference stands tall), or, in frames where the plate shows
// only a line, the sacrum -> thorax line with its lean in the reference taken
// off. Hip flexion: trunk against the sacrum -> mid-knee line; with neither
// dowel nor thorax (a bridge: the thorax lies on the floor) that thigh line
// against the pelvis plate.
//
// Subject frame: up is the world Z (the floor board sets it); left points from
// the right knee to the left knee (or foot to foot) in the reference posture;
// forward = left x up. With neither knees nor feet, forward is opposite to the
// way the sacrum travels most during the trial (hips go back in every drill).

#include <Eigen/Core>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/trajectory.h"

namespace hl {

struct MarkerSet;

struct MeasureSeries {
  std::string name;  // an HL_MEASURE_* name
  std::vector<double> values;
  std::vector<uint8_t> valid;  // 1 where values[i] counts
};

// Segment name -> trajectory labels of its markers ("M10", ...).
using SegmentLabels = std::map<std::string, std::vector<std::string>>;

// Labels M<id> per segment of a marker set.
SegmentLabels SegmentLabelsFromMarkerSet(const MarkerSet& set);

// The landmark a segment's markers carry (pelvis: SACRUM, knee_left: KNEE_L,
// thorax: THORAX, ...); nullptr for the dowel, whose measures use its line, and
// for a name that is no segment.
const char* SegmentLandmark(std::string_view segment);

struct MeasureOptions {
  // A marker counts as tracked when it is valid in at least this fraction of frames.
  double min_valid_fraction = 0.2;
  // Length of the quiet window that stands in for a missing static trial.
  double quiet_window_s = 1.0;
  // A window is quiet when no marker strays further than this from its mean.
  double quiet_max_motion_m = 0.01;
  // Start positions (hip and knee travel): a quadratic fitted to the valid samples within this
  // time of the first one, taken at the first (a plain mean lags when the take starts moving).
  double start_window_s = 0.2;
  // Zero-lag low-pass (core/lowpass.h) of the landmark tracks (hip, knee,
  // dowel, ... points, each a run of valid samples) before any measure, as
  // motion-analysis software filters marker data before it computes
  // kinematics; 0: off, and off when the frame rate is below twice this.
  // 10 Hz keeps the drills' motion (below ~3 Hz) and removes the frame-to-frame
  // noise of reconstructed markers, which a plate's small marker spread turns
  // into knee-point noise. The markers themselves stay raw: the dowel's line
  // is fitted to them with a robust smoothing that drops a one-frame outlier,
  // which a linear filter would first spread over its neighbours.
  double lowpass_hz = 10.0;
};

struct SubjectFrame {
  Eigen::Vector3d forward = Eigen::Vector3d::UnitX();
  Eigen::Vector3d left = Eigen::Vector3d::UnitY();
  Eigen::Vector3d up = Eigen::Vector3d::UnitZ();
  std::string forward_from;  // "knees", "feet" or "sacrum motion"
};

struct Measures {
  double fps = 0.0;
  int num_frames = 0;
  SubjectFrame frame;
  bool has_static_trial = false;
  // Where the reference posture came from, for the output ("static trial", or
  // "first quiet second of the trial (frames A-B); no static trial given").
  std::string reference;
  // Landmarks the static trial located (SACRUM, KNEE_L, KNEE_R, DOWEL_TOP,
  // DOWEL_BOTTOM): carried by their segment's markers instead of being the
  // markers' centre (or, for the dowel, the line through its markers).
  std::vector<std::string> anatomical_landmarks;
  // What the output should say about how the measures were made (markers left
  // out of a segment, ...).
  std::vector<std::string> notes;
  // Segments with enough tracked markers (dowel needs two).
  std::vector<std::string> segments;
  std::vector<MeasureSeries> series;
  // SACRUM, DOWEL_TOP, DOWEL_BOTTOM, KNEE_L, KNEE_R, ... per frame (metres, world).
  Trajectories landmarks;

  // nullptr when absent.
  const MeasureSeries* Find(std::string_view name) const;
};

// The segments of `segments` whose markers are tracked well enough in `trial`.
std::vector<std::string> PresentSegments(const Trajectories& trial, const SegmentLabels& segments,
                                         const MeasureOptions& options = {});

// Throws hl::Error("static trial" or "recording", why) when the reference
// posture or the subject's facing cannot be found.
Measures ComputeMeasures(const Trajectories& trial, const SegmentLabels& segments,
                         const Trajectories* static_trial, const MeasureOptions& options = {});

}  // namespace hl
