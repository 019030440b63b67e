#include "capture/sim/mounts.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "capture/sim/textures.h"

namespace hl::sim {
namespace {

using Eigen::Matrix3d;
using Eigen::Vector3d;

constexpr double kDeg = M_PI / 180.0;
// How far the shoe markers face up from straight out.
constexpr double kFootTiltDeg = 10.0;
// How far the chest markers turn outwards from straight ahead.
constexpr double kChestTurnDeg = 25.0;
// How far the upper-back plate's markers face down (towards the feet): at the
// bottom of a hinge the back faces the ceiling, above the cameras.
constexpr double kBackPlateTiltDeg = 20.0;

// A marker on `segment` at `pos` (segment frame) whose printed face looks
// along `normal` with its top edge towards `up`.
MarkerInstance MarkerOn(const Rigid3d& segment, const Vector3d& pos, const Vector3d& normal,
                        const Vector3d& up, int id, double length_m) {
  const Vector3d z = normal.normalized();
  const Vector3d y = (up - up.dot(z) * z).normalized();
  Matrix3d r;
  r.col(0) = y.cross(z);
  r.col(1) = y;
  r.col(2) = z;
  MarkerInstance m;
  m.id = id;
  m.length_m = length_m;
  m.world_from_marker = segment * Rigid3d(Eigen::Quaterniond(r), pos);
  return m;
}

// x of the back surface of a capsule lying along the pelvis's left-right
// axis, at lateral offset y.
double CapsuleBackX(double axis_x, double half_length, double radius, double y) {
  const double dy = std::max(0.0, std::abs(y) - half_length);
  return axis_x - std::sqrt(std::max(0.0, radius * radius - dy * dy));
}

// Half the printed square: the black square plus one quiet cell each side
// (as the renderer prints it, capture/sim/textures.h).
double PrintedHalfSide(int dictionary_id, double length_m) {
  return 0.5 * MarkerQuadSide(dictionary_id, length_m);
}

// Candidate positions along the dowel, clear of the hands.
std::vector<double> DowelSlots(const Anthropometry& body, const MountOptions& o) {
  const auto grips = DowelGrips(body, o);
  std::vector<double> s;
  for (double x = 0.05; x <= o.dowel_length_m - 0.03; x += 0.05) {
    if (std::abs(x - grips[0]) < 0.08 || std::abs(x - grips[1]) < 0.08) continue;
    s.push_back(x);
  }
  return s;
}

}  // namespace

// Closest distance between segments p0-p1 and q0-q1 (Ericson, Real-Time
// Collision Detection, 5.1.9).
double SegmentDistance(const Vector3d& p0, const Vector3d& p1, const Vector3d& q0,
                       const Vector3d& q1) {
  const Vector3d d1 = p1 - p0, d2 = q1 - q0, r = p0 - q0;
  const double a = d1.squaredNorm(), e = d2.squaredNorm(), f = d2.dot(r);
  double s = 0, t = 0;
  if (a < 1e-18 && e < 1e-18) return r.norm();
  if (a < 1e-18) {
    t = std::clamp(f / e, 0.0, 1.0);
  } else {
    const double c = d1.dot(r);
    if (e < 1e-18) {
      s = std::clamp(-c / a, 0.0, 1.0);
    } else {
      const double bb = d1.dot(d2), denom = a * e - bb * bb;
      s = denom > 1e-18 ? std::clamp((bb * f - c * e) / denom, 0.0, 1.0) : 0.0;
      t = (bb * s + f) / e;
      if (t < 0) {
        t = 0;
        s = std::clamp(-c / a, 0.0, 1.0);
      } else if (t > 1) {
        t = 1;
        s = std::clamp((bb - c) / a, 0.0, 1.0);
      }
    }
  }
  return ((p0 + s * d1) - (q0 + t * d2)).norm();
}

bool MarkerSeenBy(const Camera& camera, const MarkerInstance& marker,
                  const std::vector<Capsule>& occluders, double max_angle_rad) {
  const Vector3d centre = camera.CenterInWorld();
  const Vector3d normal = marker.world_from_marker.rotation * Vector3d::UnitZ();
  const Vector3d to_camera = (centre - marker.world_from_marker.translation).normalized();
  if (normal.dot(to_camera) < std::cos(max_angle_rad)) return false;
  for (const Vector3d& corner : MarkerCornersInWorld(marker)) {
    Eigen::Vector2d px;
    if (!camera.Project(corner, &px) || px.x() < 0 || px.y() < 0 || px.x() > camera.width - 1 ||
        px.y() > camera.height - 1) {
      return false;
    }
    const double len = (corner - centre).norm();
    const Vector3d end = centre + (corner - centre) * std::max(0.0, (len - 0.006) / len);
    for (const Capsule& c : occluders) {
      if (SegmentDistance(centre, end, c.a, c.b) < c.radius_m) return false;
    }
  }
  return true;
}

Rigid3d DowelInWorld(const BodyFrames& frames, const Anthropometry& body, const MountOptions& o) {
  const BodyFrames neutral = ForwardKinematics(Pose{}, body);
  const BodyLandmarks l = Landmarks(neutral, body);
  const Vector3d bottom(l.sacrum.x() - o.dowel_side_m / 2.0, 0.0,
                        l.sacrum.z() - o.dowel_below_sacrum_m);
  // Dowel +X points away from the back (-X of the world in the neutral pose).
  const Matrix3d world_from_dowel_rot = RotZ(M_PI);
  const Rigid3d neutral_dowel(Eigen::Quaterniond(world_from_dowel_rot), bottom);
  const Rigid3d thorax_from_dowel = neutral.thorax.Inverse() * neutral_dowel;
  return frames.thorax * thorax_from_dowel;
}

std::array<double, 2> DowelGrips(const Anthropometry& body, const MountOptions& o) {
  const BodyFrames neutral = ForwardKinematics(Pose{}, body);
  const BodyLandmarks l = Landmarks(neutral, body);
  const double bottom = l.sacrum.z() - o.dowel_below_sacrum_m;
  return {neutral.lumbar_upper.translation.z() - bottom, l.c7.z() + 0.02 - bottom};
}

std::vector<MarkerInstance> MountMarkers(const MarkerSet& set, const BodyFrames& f,
                                         const Anthropometry& b, const Props& props,
                                         const MountOptions& o) {
  std::map<std::string, int> slot_of_segment;
  std::vector<MarkerInstance> out;
  const std::vector<double> dowel_slots = DowelSlots(b, o);
  const double back = -b.m(b.spine_back) - b.m(b.back_surface);
  for (const MarkerSpec& spec : set.markers) {
    const int k = slot_of_segment[spec.segment]++;
    const double len = spec.length_m;
    const std::string& seg = spec.segment;
    if (seg == "dowel") {
      if (!props.dowel) continue;
      // Spread the segment's markers over the free slots, faces cycling.
      const int n =
          static_cast<int>(std::count_if(set.markers.begin(), set.markers.end(),
                                         [](const MarkerSpec& m) { return m.segment == "dowel"; }));
      const int slots = static_cast<int>(dowel_slots.size());
      const int idx =
          n <= 1 ? slots / 2 : static_cast<int>(std::lround(1.0 * k * (slots - 1) / (n - 1)));
      const double s = dowel_slots[std::clamp(idx, 0, slots - 1)];
      static const Vector3d kFaces[3] = {{1, 0, 0}, {0, 1, 0}, {0, -1, 0}};
      const Vector3d normal = kFaces[k % 3];
      const Vector3d pos = normal * (o.dowel_side_m / 2.0 + 0.001) + Vector3d(0, 0, s);
      out.push_back(MarkerOn(props.world_from_dowel, pos, normal, {0, 0, 1}, spec.id, len));
    } else if (seg == "pelvis" && k >= 4) {
      // The belt's side plates over the iliac crest, two markers side by
      // side (first in front), facing straight out: hip flexion turns the
      // pelvis about the left-right axis, so they face the side cameras in
      // every drill, lying on the back too, where the sacrum faces the
      // floor. Both plates together are four markers on a rectangle, so
      // tilt stays observable when the sacrum is hidden or foreshortened.
      const int j = k - 4;
      const double half = PrintedHalfSide(set.dictionary_id, len);
      const double side = j % 2 == 0 ? 1.0 : -1.0;
      const double fwd = (j / 2) % 2 == 0 ? 1.0 : -1.0;
      const double row = (half * 2 + 0.01) * (j / 4);
      const double pelvis_x = back + b.m(b.pelvis_radius);
      const double y = side * (0.04 * b.height_m + b.m(b.pelvis_radius) + o.standoff_m);
      const Vector3d pos(pelvis_x + fwd * (half + 0.005), y, b.m(b.sacrum_height) + 0.01 + row);
      out.push_back(MarkerOn(f.pelvis, pos, {0, side, 0}, {0, 0, 1}, spec.id, len));
    } else if (seg == "pelvis") {
      // A 2 x 2 grid over the sacrum either side of the dowel's line, columns
      // far enough out that the dowel (it stands ~3 cm proud of the plate)
      // does not hide a column from the camera on the other side; turned
      // 15 deg outwards: studio4's back cameras stand 45 deg either side of
      // straight back, so both see every marker (a segment's layout is
      // learned from markers two cameras see). Each sits off the curved back
      // so no edge dips in; rows a printed square (plus 1 cm) apart. The
      // hand holding a dowel at the lower back hides the upper row; arms
      // hanging at the sides hide the side plates from the front cameras,
      // so each drill keeps three of them in view.
      const double half = PrintedHalfSide(set.dictionary_id, len);
      const double side = k % 2 == 0 ? 1.0 : -1.0;
      const double y = side * std::max(0.10 * b.height_m / 1.75, half + 0.04);
      const double yaw = side * 15 * kDeg;
      const double z = b.m(b.sacrum_height) + 0.01 + (2 * half + 0.01) * (k / 2);
      const Vector3d normal(-std::cos(yaw), std::sin(yaw), 0);
      const Vector3d along(std::sin(yaw), std::cos(yaw), 0);  // in the face, horizontal
      double x = 1e9;
      for (double t = -half; t <= half + 1e-9; t += half / 8) {
        const double surface = CapsuleBackX(back + b.m(b.pelvis_radius), 0.04 * b.height_m,
                                            b.m(b.pelvis_radius), y + t * along.y());
        x = std::min(x, surface - o.standoff_m - t * along.x());
      }
      out.push_back(MarkerOn(f.pelvis, {x, y, z}, normal, {0, 0, 1}, spec.id, len));
    } else if (seg == "knee_left" || seg == "knee_right") {
      // A plate on the outside of the knee above the joint, the markers side
      // by side (first in front) in a shallow V that hugs the thigh, facing
      // out: a side's front and back cameras stand 45 deg either side of
      // lateral, so both see each marker. A third id goes a row higher over
      // the first (front): two side by side are a line along the thigh's
      // front-back axis, and a turn of the thigh about it would swing the
      // knee landmark; a hanging barbell can hide that row, leaving the line.
      const int s = seg == "knee_left" ? kLeft : kRight;
      const double side = s == kLeft ? 1.0 : -1.0;
      const double fwd = (k % 2 == 0) ? 1.0 : -1.0;
      const double turn = 10 * kDeg;
      const double half = PrintedHalfSide(set.dictionary_id, len);
      const Vector3d normal(fwd * std::sin(turn), side * std::cos(turn), 0);
      const Vector3d along(fwd * std::cos(turn), -side * std::sin(turn), 0);  // away from the V
      const double r = b.m(b.thigh_radius) + o.standoff_m;
      const double z = -b.m(b.thigh_length) + 0.065 + (2 * half + 0.01) * (k / 2);
      const Vector3d pos = Vector3d(0.005 * fwd, side * r, z) + half * along;
      out.push_back(MarkerOn(f.thigh[s], pos, normal, {0, 0, 1}, spec.id, len));
    } else if (seg == "head") {
      const double side = k % 2 == 0 ? 1.0 : -1.0;
      const double hx = -b.m(b.back_surface) + b.m(b.head_radius);
      const double z = b.m(b.occiput_height) + 0.03 + 0.05 * (k / 2);
      out.push_back(MarkerOn(f.head, {hx, side * (b.m(b.head_radius) + o.standoff_m / 2), z},
                             {0, side, 0}, {0, 0, 1}, spec.id, len));
    } else if (seg == "thorax" && (k == 2 || k == 3)) {
      // Upper chest, either side of the sternum, turned outwards with the
      // chest's curve: lying on the back they face the ceiling and the two
      // cameras of their side; standing, the front cameras.
      const int j = k - 2;
      const double side = j % 2 == 0 ? 1.0 : -1.0;
      const double r = b.m(b.thorax_radius) + o.standoff_m;
      const double turn = side * kChestTurnDeg * kDeg;
      const Vector3d normal(std::cos(turn), std::sin(turn), 0);
      const double thorax_x = -b.m(b.back_surface) + b.m(b.thorax_radius);
      const double z = b.m(b.thoracic_contact_height) + 0.01 + 0.12 * (j / 2);
      out.push_back(MarkerOn(f.thorax, Vector3d(thorax_x, 0, z) + r * normal, normal, {0, 0, 1},
                             spec.id, len));
    } else if (seg == "thorax") {
      // Between the shoulder blades, like the sacral row: far enough out
      // that the dowel does not hide one from the back camera on the other
      // side, turned 15 deg outwards, off the round back. The fifth id and
      // on (after the two chest ones) go a row higher, left first: with the
      // chest facing the floor at the bottom of a hinge, the lower row alone
      // is a line, and a turn of the trunk about it is hidden.
      const int i = k < 2 ? k : k - 2;
      const double half = PrintedHalfSide(set.dictionary_id, len);
      const double side = i % 2 == 0 ? 1.0 : -1.0;
      const double y = side * std::max(0.10 * b.height_m / 1.75, half + 0.04);
      const double yaw = side * 15 * kDeg;
      const Vector3d along(std::sin(yaw), std::cos(yaw), 0);
      const Vector3d normal = Eigen::AngleAxisd(-kBackPlateTiltDeg * kDeg, along) *
                              Vector3d(-std::cos(yaw), std::sin(yaw), 0);
      const double r = b.m(b.thorax_radius);
      const double axis_x = -b.m(b.back_surface) + r;
      // The lower edge leans in by half * sin(tilt).
      double x = 1e9;
      for (double t = -half; t <= half + 1e-9; t += half / 8) {
        x = std::min(x, CapsuleBackX(axis_x, 0.0, r, y + t * along.y()) - o.standoff_m -
                            t * along.x() - half * std::sin(kBackPlateTiltDeg * kDeg));
      }
      const double z = b.m(b.thoracic_contact_height) + (2 * half + 0.01) * (i / 2);
      // The upper row's top edge reaches the shoulder girdle, which bulges
      // out of the round back: it stands 5 mm further off.
      if (i >= 2) x -= 0.005;
      out.push_back(MarkerOn(f.thorax, {x, y, z}, normal, {0, 0, 1}, spec.id, len));
    } else if (seg == "foot_left" || seg == "foot_right") {
      const int s = seg == "foot_left" ? kLeft : kRight;
      const double side = s == kLeft ? 1.0 : -1.0;
      const double x = 0.3 * b.m(b.foot_length) - 0.04 * k;
      const double y = side * (b.m(b.foot_radius) + o.standoff_m);
      const Vector3d normal(0, side * std::cos(kFootTiltDeg * kDeg), std::sin(kFootTiltDeg * kDeg));
      out.push_back(
          MarkerOn(f.foot[s], {x, y, -b.m(b.ankle_height) * 0.4}, normal, {1, 0, 0}, spec.id, len));
    } else if (seg == "bar") {
      if (props.bar == Props::Bar::kNone) continue;
      const double side = k % 2 == 0 ? 1.0 : -1.0;
      if (props.bar == Props::Bar::kBarbell) {
        // End caps first, then further ones on the bar's front, inside the plates.
        if (k < 2) {
          // Just past the sleeve's rounded end (the bar capsule's radius),
          // which would otherwise cover the middle of the marker.
          out.push_back(MarkerOn(props.world_from_bar,
                                 {0, side * (o.barbell_length_m / 2 + 0.016), 0}, {0, side, 0},
                                 {0, 0, 1}, spec.id, len));
        } else {
          const double y = side * (0.45 + 0.06 * (k / 2 - 1));
          out.push_back(
              MarkerOn(props.world_from_bar, {0.016, y, 0}, {1, 0, 0}, {0, 0, 1}, spec.id, len));
        }
      } else {
        const double z = -0.12 + 0.05 * (k / 2);
        out.push_back(MarkerOn(props.world_from_bar, {0, side * 0.072, z}, {0, side, 0}, {0, 0, 1},
                               spec.id, len));
      }
    }
    // Segments the body does not carry (none in the default set) have no mount.
  }
  return out;
}

std::vector<Capsule> PropCapsules(const Props& props, const MountOptions& o) {
  std::vector<Capsule> c;
  auto add = [&](const Rigid3d& frame, const Vector3d& a, const Vector3d& bb, double r,
                 uint8_t gray) {
    Capsule cap;
    cap.a = frame * a;
    cap.b = frame * bb;
    cap.radius_m = r;
    cap.gray = gray;
    c.push_back(cap);
  };
  if (props.dowel) {
    // Slightly inside the faces so the dowel never hides its own markers.
    add(props.world_from_dowel, {0, 0, 0}, {0, 0, o.dowel_length_m}, o.dowel_side_m * 0.48, 200);
  }
  if (props.bar == Props::Bar::kBarbell) {
    const double h = o.barbell_length_m / 2.0;
    add(props.world_from_bar, {0, -h, 0}, {0, h, 0}, 0.014, 60);
    for (double side : {1.0, -1.0}) {
      add(props.world_from_bar, {0, side * 0.78, 0}, {0, side * 0.80, 0}, o.plate_radius_m, 30);
    }
  } else if (props.bar == Props::Bar::kDumbbell) {
    add(props.world_from_bar, {0, 0, -0.07}, {0, 0, 0.07}, 0.017, 60);
    add(props.world_from_bar, {0, 0, 0.10}, {0, 0, 0.14}, 0.07, 30);
    add(props.world_from_bar, {0, 0, -0.14}, {0, 0, -0.10}, 0.07, 30);
  }
  return c;
}

}  // namespace hl::sim
