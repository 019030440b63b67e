#pragma once

// Geometry of landmarks carried by markers, for the measures host
// (plugins/host/measures.cc): centres, lines, rigid rotations between a
// reference marker layout and a frame, and start positions.

#include <Eigen/Core>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/trajectory.h"

namespace hl::landmarks {

// A landmark's position per frame.
struct Track {
  std::vector<Eigen::Vector3d> p;
  std::vector<uint8_t> ok;
  explicit Track(int n = 0) : p(n, Eigen::Vector3d::Zero()), ok(n, 0) {}
  bool empty() const { return p.empty(); }
};

using Pose = std::map<std::string, Eigen::Vector3d>;  // label -> reference position

// Centre of the markers `idx` (trajectory label indices); valid only when all
// of them are seen, so a dropout never shifts it.
Track CentreTrack(const Trajectories& t, const std::vector<int>& idx);

// The markers whose centre stands for a segment's landmark: all of them,
// unless a smaller set is seen together clearly more often (a plate that
// turns away at the bottom of a hinge hides some markers): the largest set
// seen in at least 95 % of the frames the best set is seen.
std::vector<int> MostSeenSubset(const Trajectories& t, const std::vector<int>& idx);

// Centre of the markers `idx` in a reference pose (all must be in it).
Eigen::Vector3d PoseCentre(const Pose& pose, const Trajectories& t, const std::vector<int>& idx);

// Least-squares line through points: centre and unit direction; false when
// fewer than two or they coincide (< 0.1 mm apart).
bool FitLine(const std::vector<Eigen::Vector3d>& pts, Eigen::Vector3d* centre,
             Eigen::Vector3d* dir);

double DistanceToLine(const Eigen::Vector3d& p, const Eigen::Vector3d& centre,
                      const Eigen::Vector3d& dir);

double AngleBetween(const Eigen::Vector3d& a, const Eigen::Vector3d& b);

// True when the points span a plane (not all within ~1 cm rms of one line):
// only then does a marker layout fix a rotation about every axis.
bool OffOneLine(const std::vector<Eigen::Vector3d>& pts);

// Rotation taking the reference marker layout onto the current one (Kabsch);
// with two markers (or collinear ones) only the minimal rotation is observable.
Eigen::Matrix3d RigidRotation(const std::vector<Eigen::Vector3d>& ref,
                              const std::vector<Eigen::Vector3d>& cur);

// Mean of points (zero when there are none).
Eigen::Vector3d Centroid(const std::vector<Eigen::Vector3d>& pts);

// A segment's rigid motion from its reference marker layout to a frame: the
// two layouts' centroids and the rotation between them (RigidRotation).
struct RigidMotion {
  Eigen::Vector3d ref_centre = Eigen::Vector3d::Zero();
  Eigen::Vector3d cur_centre = Eigen::Vector3d::Zero();
  Eigen::Matrix3d rotation = Eigen::Matrix3d::Identity();
  // A point given in the reference posture, where it is in the frame.
  Eigen::Vector3d ToFrame(const Eigen::Vector3d& point_ref) const {
    return cur_centre + rotation * (point_ref - ref_centre);
  }
  // A point seen in the frame, where it sits in the reference posture.
  Eigen::Vector3d ToReference(const Eigen::Vector3d& point_cur) const {
    return ref_centre + rotation.transpose() * (point_cur - cur_centre);
  }
};
RigidMotion FitRigidMotion(const std::vector<Eigen::Vector3d>& ref,
                           const std::vector<Eigen::Vector3d>& cur);

// The markers `idx` seen in frame f that the reference has: their reference
// positions in `*ref_pts` and frame positions in `*cur_pts`, in matching order.
void SeenMarkers(const Trajectories& t, int f, const std::vector<int>& idx, const Pose& ref,
                 std::vector<Eigen::Vector3d>* ref_pts, std::vector<Eigen::Vector3d>* cur_pts);

// Where a point fixed to a segment (given in the reference posture) is in
// frame f: the segment's markers seen there are matched to their reference
// positions. Needs at least `min_markers` of them (and all when `all`); with
// three or more needed, they must lie off one line.
bool CarryPoint(const Trajectories& t, int f, const std::vector<int>& idx, const Pose& ref,
                const Eigen::Vector3d& point_ref, size_t min_markers, bool all,
                Eigen::Vector3d* out);

// CarryPoint along a take for a plate of three or more markers (off one
// line) that is sometimes seen through two only: where three off one line
// are seen the segment's full rotation is taken and kept in `*rotation`
// (`*have_rotation` says whether there is one yet); where two are seen the
// line between them fixes all but the turn about it, which is kept from the
// last full rotation (the minimal turn from it), or, before the first,
// assumed zero from the reference. Call it for f = 0, 1, ... in order.
bool CarryPointHeld(const Trajectories& t, int f, const std::vector<int>& idx, const Pose& ref,
                    const Eigen::Vector3d& point_ref, Eigen::Matrix3d* rotation,
                    bool* have_rotation, Eigen::Vector3d* out);

// Mean of one label over a trial; false when it has no valid sample.
bool MeanOfLabel(const Trajectories& t, const char* label, Eigen::Vector3d* out);

// Mean position of each label over the frames [begin, end) where it is seen;
// labels never seen there are left out.
Pose MeanPose(const Trajectories& t, int begin, int end, const std::vector<std::string>& labels);

// Position at the first valid sample: a quadratic fitted over the valid
// samples within `window` frames of it, evaluated there. A mean over the
// window would lag by half of it when the subject is already moving (8 mm of
// hip travel in a take that starts mid-motion); the fit averages noise
// without that bias. Too few samples (< 6) for the fit: their mean.
bool StartOf(const Track& t, int window, Eigen::Vector3d* out);

// Options of RobustSmooth.
struct SmoothOptions {
  // Frames either side of each frame in its local fit (3: 0.1 s at 60 fps).
  int half_window = 3;
  // Huber scale (m): a sample further than this from the local curve (as if
  // left out of the fit) counts linearly, so a one-frame jump of a few
  // millimetres barely moves it; the last round drops samples beyond 3 scales.
  double huber_m = 0.001;
  // Reweighting rounds of the Huber fit (0: plain least squares).
  int iterations = 5;
  // Fewest valid samples in a window for a fit; below it the sample is kept.
  int min_samples = 5;
};

// A point of a rigid prop, smoothed over time: at each valid frame a
// quadratic in time is fitted to the valid samples within `half_window`
// frames (a window of 2 half_window + 1 frames, shifted at the ends) with a
// Huber loss and evaluated there. Why: the reconstruction fits
// the dowel frame by frame, and where its lower markers are seen by one
// camera each the whole stick tilts by a few millimetres at one end for a
// single frame, consistently for every marker (so no marker stands out in
// that frame's own fit), while its neighbours agree with each other.
Track RobustSmooth(const Track& t, const SmoothOptions& options = {});

}  // namespace hl::landmarks
