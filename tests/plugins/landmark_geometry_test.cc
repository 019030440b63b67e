// CarryPointHeld: a plate of three markers seen through two of them keeps
// the turn about their line from the last frame that saw all three (before
// the first, from the reference), where a two-marker fit assumes no turn.

#include "plugins/host/landmark_geometry.h"

#include <gtest/gtest.h>

#include <Eigen/Geometry>
#include <cmath>

namespace hl::landmarks {
namespace {

using Eigen::Matrix3d;
using Eigen::Vector3d;

TEST(CarryPointHeld, KeepsTheTurnAboutTheLineFromTheLastFullFrame) {
  // A knee-like plate: A and B side by side along x, C above A; the point
  // (a joint centre) lies 8 cm in and 10 cm below, off the A-B line.
  const Pose ref = {{"A", {0.05, 0, 0}}, {"B", {-0.05, 0, 0}}, {"C", {0.05, 0, 0.12}}};
  const Vector3d point_ref(0, -0.08, -0.10);
  // The plate turned 20 deg about the A-B line (x) and moved.
  const Matrix3d turn = Eigen::AngleAxisd(20 * M_PI / 180, Vector3d::UnitX()).toRotationMatrix();
  const Vector3d shift(0.3, 0.1, 0.5);
  Trajectories t({"A", "B", "C"}, 3, 100);
  for (int f = 0; f < 3; ++f) {
    int l = 0;
    for (const char* name : {"A", "B", "C"}) {
      Sample& s = t.at(f, l++);
      s.position_m = turn * ref.at(name) + shift;
      s.residual_px = 0.1f;
    }
  }
  t.at(0, 2) = Sample::Invalid();  // C hidden before and after the frame that sees it
  t.at(2, 2) = Sample::Invalid();
  const Vector3d truth = turn * point_ref + shift;
  const std::vector<int> idx = {0, 1, 2};

  // Two markers alone: the turn about their line is taken as none.
  Vector3d two;
  ASSERT_TRUE(CarryPoint(t, 2, idx, ref, point_ref, 2, false, &two));
  EXPECT_GT((two - truth).norm(), 0.03);

  Matrix3d held = Matrix3d::Identity();
  bool have_held = false;
  Vector3d p;
  ASSERT_TRUE(CarryPointHeld(t, 0, idx, ref, point_ref, &held, &have_held, &p));
  EXPECT_FALSE(have_held);
  EXPECT_GT((p - truth).norm(), 0.03);  // nothing to hold yet
  ASSERT_TRUE(CarryPointHeld(t, 1, idx, ref, point_ref, &held, &have_held, &p));
  EXPECT_TRUE(have_held);
  EXPECT_LT((p - truth).norm(), 1e-9);
  ASSERT_TRUE(CarryPointHeld(t, 2, idx, ref, point_ref, &held, &have_held, &p));
  EXPECT_LT((p - truth).norm(), 1e-9);

  // One marker: no pose.
  t.at(2, 1) = Sample::Invalid();
  EXPECT_FALSE(CarryPointHeld(t, 2, idx, ref, point_ref, &held, &have_held, &p));
}

}  // namespace
}  // namespace hl::landmarks
