#pragma once

// Markers as a lab mounts them, and the props they sit on.
//
// - dowel: a square-section rod held along the spine; markers on its back and
//   both side faces (never the face against the body), spread along its length
//   and kept clear of the two hands, so every camera around sees some.
// - pelvis: a belt. Over the sacrum a plate with a 2 x 2 grid either side
//   of the dowel's line (10 cm out, so the dowel hides no column from the
//   camera on the other side), turned 15 degrees outwards from straight back
//   so the two back cameras of a ring both see each one; on each side, over
//   the iliac crest, a plate of two markers facing straight out, which the
//   side cameras see whatever the hip flexion, lying on the back too.
// - knee_left / knee_right: a plate on the outside of each knee (on the femur,
//   just above the joint), two markers side by side in a shallow V that hugs
//   the thigh, each turned 10 degrees from straight out, and a third above
//   the front one, so the plate is not a line.
// - head: headband markers over each temple; thorax: a plate between the
//   shoulder blades, either side of the dowel, turned a little down, with a
//   fifth id above the left one (not a line when the chest faces the floor),
//   and two markers on the upper chest for lying on the back; foot_left /
//   foot_right: on the outside of each shoe, tilted up; bar: the ends of a
//   barbell or the outer head of a dumbbell held on its end.
// Which ids go where comes from the marker set: the k-th id of a segment (in
// file order) takes that segment's k-th slot.

#include <vector>

#include "capture/sim/body.h"
#include "capture/sim/scene.h"
#include "core/marker_set.h"

namespace hl::sim {

struct MountOptions {
  // Side of the dowel's square section (m); markers sit on its faces.
  double dowel_side_m = 0.045;
  // Dowel length (m).
  double dowel_length_m = 1.2;
  // How far the dowel reaches below the sacrum contact (m).
  double dowel_below_sacrum_m = 0.05;
  // Plates and straps stand this far off the skin (m).
  double standoff_m = 0.012;
  // Barbell length and the radius of its (small, technique) plates (m).
  double barbell_length_m = 2.2;
  double plate_radius_m = 0.15;
};

// What the hands hold; the frames are in the world.
struct Props {
  // Dowel: origin at its bottom end on the axis, +Z to the top end, +X away
  // from the back, +Y to the subject's left.
  bool dowel = false;
  Rigid3d world_from_dowel;
  enum class Bar { kNone, kBarbell, kDumbbell };
  Bar bar = Bar::kNone;
  // Barbell: origin at its middle, +Y along it to the left. Dumbbell (held on
  // its end): origin at the middle of the handle, +Z up along the handle.
  Rigid3d world_from_bar;
};

// The dowel held in contact with the back: rigid with the thorax, placed so
// that in the neutral pose it touches the sacrum, the thoracic contact and the
// occiput (all on one vertical line).
Rigid3d DowelInWorld(const BodyFrames& frames, const Anthropometry& body,
                     const MountOptions& options);

// Where the hands grip the dowel, as distances from its bottom end (m):
// [kLeft] at the lower back, [kRight] behind the neck.
std::array<double, 2> DowelGrips(const Anthropometry& body, const MountOptions& options);

// The markers of `set` on the body and props of this frame. Markers of the
// dowel or bar segments appear only when that prop is held.
std::vector<MarkerInstance> MountMarkers(const MarkerSet& set, const BodyFrames& frames,
                                         const Anthropometry& body, const Props& props,
                                         const MountOptions& options);

// Closest distance between the segments p0-p1 and q0-q1 (m); occlusion tests
// of markers against the body's capsules use it.
double SegmentDistance(const Eigen::Vector3d& p0, const Eigen::Vector3d& p1,
                       const Eigen::Vector3d& q0, const Eigen::Vector3d& q1);

// Whether `camera` sees `marker` whole: its face turned towards the camera
// within `max_angle_rad`, the four corners inside the image and no capsule
// crossing the ray to any corner (the last 6 mm before the corner are not
// tested: a marker sits just off the capsule it is mounted on).
bool MarkerSeenBy(const Camera& camera, const MarkerInstance& marker,
                  const std::vector<Capsule>& occluders, double max_angle_rad);

// Occluders of the props (dowel, barbell with plates, dumbbell).
std::vector<Capsule> PropCapsules(const Props& props, const MountOptions& options);

}  // namespace hl::sim
