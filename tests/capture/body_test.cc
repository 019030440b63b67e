// The body model: forward kinematics, planted feet, the dowel's contacts,
// marker mounts.

#include "capture/sim/body.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "capture/sim/drills.h"
#include "capture/sim/mounts.h"
#include "capture/sim/postures.h"
#include "core/marker_set.h"

namespace hl::sim {
namespace {

using Eigen::Vector3d;
constexpr double kDeg = M_PI / 180.0;

double LineDistance(const Vector3d& p, const Rigid3d& line) {
  const Vector3d d = line.RotationMatrix().col(2);
  const Vector3d v = p - line.translation;
  return (v - v.dot(d) * d).norm();
}

TEST(Body, NeutralPoseHasWintersProportions) {
  const Anthropometry b;
  Pose pose;
  pose.root_m = Vector3d(0, 0, b.m(0.530));
  const BodyFrames f = ForwardKinematics(pose, b);
  const BodyLandmarks l = Landmarks(f, b);
  EXPECT_NEAR(l.knee[kLeft].z(), b.m(0.285), 1e-9);
  EXPECT_NEAR(l.ankle[kRight].z(), b.m(0.039), 1e-9);
  EXPECT_NEAR(l.c7.z(), b.m(0.818), 1e-9);
  EXPECT_GT(l.hip[kLeft].y(), 0.0);                // left is +Y
  EXPECT_GT(l.toe[kLeft].x(), l.heel[kLeft].x());  // facing +X
}

TEST(Body, FlexionBendsForwardAndKeepsLengths) {
  const Anthropometry b;
  Pose pose;
  pose.hip_flexion = {60 * kDeg, 0};
  pose.knee_flexion = {70 * kDeg, 0};
  pose.pelvis_tilt = 30 * kDeg;
  pose.lumbar_flexion = 20 * kDeg;
  const BodyFrames f = ForwardKinematics(pose, b);
  const BodyLandmarks l = Landmarks(f, b);
  EXPECT_NEAR((l.knee[kLeft] - l.hip[kLeft]).norm(), b.m(b.thigh_length), 1e-9);
  EXPECT_NEAR((l.ankle[kLeft] - l.knee[kLeft]).norm(), b.m(b.shank_length), 1e-9);
  // Hip flexion lifts the knee forward; knee flexion takes the ankle back.
  EXPECT_GT(l.knee[kLeft].x(), l.hip[kLeft].x() + 0.1);
  EXPECT_LT(l.ankle[kLeft].x(), l.knee[kLeft].x());
  // Anterior tilt and lumbar flexion bring C7 forward.
  EXPECT_GT(l.c7.x(), 0.2);
}

TEST(Body, HipAnglesForRoundTrips) {
  const Eigen::Matrix3d pelvis = PelvisRotation(0.7, 0.1, -0.2);
  const Eigen::Matrix3d thigh = RotY(0.3) * RotX(0.05) * RotZ(-0.1);
  const auto a = HipAnglesFor(pelvis, thigh);
  const Eigen::Matrix3d back = pelvis * RotY(-a[0]) * RotX(a[1]) * RotZ(a[2]);
  EXPECT_LT((back - thigh).norm(), 1e-12);
}

TEST(Body, DowelTouchesHeadUpperBackAndSacrumInNeutral) {
  const Anthropometry b;
  const MountOptions o;
  const BodyFrames f = ForwardKinematics(Pose{}, b);
  const BodyLandmarks l = Landmarks(f, b);
  const Rigid3d dowel = DowelInWorld(f, b, o);
  const double r = o.dowel_side_m / 2.0;
  EXPECT_NEAR(LineDistance(l.sacrum, dowel), r, 1e-9);
  EXPECT_NEAR(LineDistance(l.thoracic_contact, dowel), r, 1e-9);
  EXPECT_NEAR(LineDistance(l.occiput, dowel), r, 1e-9);
  // Lumbar flexion lifts the dowel off the sacrum but not off the upper back.
  Pose flexed;
  flexed.lumbar_flexion = 20 * kDeg;
  const BodyFrames ff = ForwardKinematics(flexed, b);
  const BodyLandmarks lf = Landmarks(ff, b);
  const Rigid3d dowel_f = DowelInWorld(ff, b, o);
  EXPECT_GT(LineDistance(lf.sacrum, dowel_f) - r, 0.025);
  EXPECT_NEAR(LineDistance(lf.thoracic_contact, dowel_f), r, 1e-9);
}

TEST(Body, StandingDrillsKeepTheFeetPlanted) {
  const MarkerSet set = ReadMarkerSet(HL_SOURCE_DIR "/data/markersets/default.yml");
  for (const char* drill : {"rdl", "seated_squat", "single_leg_rdl"}) {
    DrillMotionOptions o;
    o.drill = drill;
    o.reps = 2;
    o.fps = 20;
    o.rep_faults = {{"knees_forward"}};
    const SimulatedMotion m = SimulateDrill(o, set, Anthropometry{});
    const Trajectories& t = m.truth;
    const int heel_l = t.LabelIndex("HEEL_L"), toe_r = t.LabelIndex("TOE_R");
    ASSERT_GE(heel_l, 0);
    double worst = 0;
    for (int f = 0; f < t.num_frames(); ++f) {
      // single_leg_rdl alternates: rep 1 stands on the left, rep 2 on the right.
      const bool left_planted =
          std::string(drill) != "single_leg_rdl" || f / m.fps < m.reps[0].end_s;
      if (left_planted)
        worst = std::max(worst, (t.at(f, heel_l).position_m - t.at(0, heel_l).position_m).norm());
      if (std::string(drill) != "single_leg_rdl") {
        worst = std::max(worst, (t.at(f, toe_r).position_m - t.at(0, toe_r).position_m).norm());
      }
    }
    EXPECT_LT(worst, 1e-6) << drill;
  }
}

TEST(Body, SingleLegDrillChangesTheStanceLegWithoutAJump) {
  // single_leg_rdl alternates the stance leg between reps; it changes while
  // both feet are down, so no marker may jump there. At 200 fps a smooth
  // motion changes a marker's frame-to-frame step by a fraction of a
  // millimetre (0.85 mm at 100 fps, the free foot lifting; a quarter of that
  // here); a jump of the pose changes it by the jump's size (27 mm at the
  // free toe before the switch was made continuous).
  const MarkerSet set = ReadMarkerSet(HL_SOURCE_DIR "/data/markersets/default.yml");
  DrillMotionOptions o;
  o.drill = "single_leg_rdl";
  o.reps = 2;
  o.fps = 200;
  const SimulatedMotion m = SimulateDrill(o, set, Anthropometry{});
  ASSERT_EQ(m.reps.size(), 2u);
  ASSERT_NE(m.reps[0].stance, m.reps[1].stance);
  const Trajectories& t = m.truth;
  double worst = 0;
  std::string where;
  for (int l = 0; l < t.num_labels(); ++l) {
    for (int f = 1; f + 1 < t.num_frames(); ++f) {
      const Vector3d step_change = t.at(f + 1, l).position_m - 2.0 * t.at(f, l).position_m +
                                   t.at(f - 1, l).position_m;
      if (step_change.norm() > worst) {
        worst = step_change.norm();
        where = t.labels()[l] + " at frame " + std::to_string(f);
      }
    }
  }
  EXPECT_LT(worst, 1e-3) << where;
}

TEST(Body, CentreOfMassStaysOverTheFeetInAGoodHinge) {
  const Anthropometry b;
  for (const char* drill : {"dowel_hinge", "rdl"}) {
    // Good form at the bottom (the drill's key pose, as SimulateDrill uses it).
    KeyPose k;
    k.trunk = std::string(drill) == "rdl" ? 75 : 72;
    k.knee = 25;
    k.ankle = std::string(drill) == "rdl" ? -5 : -4;
    Stage stage;
    stage.held = Held::kDowel;
    const PosedBody p = BuildPose(k, stage, b, MountOptions{});
    const BodyLandmarks l = Landmarks(p.frames, b);
    const Vector3d com = CenterOfMass(p.frames, b);
    EXPECT_GT(com.x(), l.heel[kLeft].x()) << drill;
    EXPECT_LT(com.x(), l.toe[kLeft].x()) << drill;
  }
}

TEST(Mounts, EveryMarkerOfTheDefaultSetIsMountedFacingOutwards) {
  const MarkerSet set = ReadMarkerSet(HL_SOURCE_DIR "/data/markersets/default.yml");
  const Anthropometry b;
  KeyPose k;
  Stage stage;
  stage.held = Held::kBarbell;
  PosedBody barbell = BuildPose(k, stage, b, MountOptions{});
  stage.held = Held::kDowel;
  PosedBody dowel = BuildPose(k, stage, b, MountOptions{});
  const auto with_bar = MountMarkers(set, barbell.frames, b, barbell.props, MountOptions{});
  const auto with_dowel = MountMarkers(set, dowel.frames, b, dowel.props, MountOptions{});
  std::set<int> ids;
  for (const auto& m : with_bar) ids.insert(m.id);
  for (const auto& m : with_dowel) ids.insert(m.id);
  EXPECT_EQ(ids.size(), set.markers.size());
  for (const auto& m : with_dowel) {
    EXPECT_EQ(m.length_m, set.Find(m.id)->length_m);
    // No marker is inside a body or prop capsule.
    const auto corners = MarkerCornersInWorld(m);
    for (const Capsule& c : dowel.capsules) {
      const Vector3d ab = c.b - c.a;
      const double t =
          ab.squaredNorm() > 0
              ? std::clamp((m.world_from_marker.translation - c.a).dot(ab) / ab.squaredNorm(), 0.0,
                           1.0)
              : 0.0;
      EXPECT_GT((m.world_from_marker.translation - (c.a + t * ab)).norm(), c.radius_m - 1e-9)
          << "marker " << m.id;
    }
  }
  // The dowel's markers look back, left and right, never into the body (+X).
  for (const auto& m : with_dowel) {
    if (m.id > 7) continue;
    EXPECT_LT(m.world_from_marker.RotationMatrix().col(2).x(), 0.5) << m.id;
  }
}

}  // namespace
}  // namespace hl::sim
