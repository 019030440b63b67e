#include "capture/sim/rig_presets.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace hl::sim {
namespace {

bool Sees(const Camera& camera, const Eigen::Vector3d& point, double margin_px) {
  Eigen::Vector2d p;
  if (!camera.Project(point, &p)) return false;
  return p.x() >= margin_px && p.y() >= margin_px && p.x() <= camera.width - 1 - margin_px &&
         p.y() <= camera.height - 1 - margin_px;
}

struct PresetCase {
  const char* name;
  size_t cameras;
  int min_views;  // of every point of the body box
};

class RigPresetTest : public ::testing::TestWithParam<PresetCase> {};

TEST_P(RigPresetTest, CamerasSeeTheVolumeAndTheBodyBoxFromSeveralSides) {
  const PresetCase c = GetParam();
  ASSERT_TRUE(IsRigPreset(c.name));
  EXPECT_EQ(PresetFps(c.name), 60.0);
  const Rig rig = MakeRigPreset(c.name);
  ASSERT_EQ(rig.cameras.size(), c.cameras);
  const Eigen::Vector3d volume_center(0, 0, 0.9);
  for (size_t i = 0; i < rig.cameras.size(); ++i) {
    const Camera& camera = rig.cameras[i];
    EXPECT_EQ(camera.name, "cam" + std::to_string(i));
    EXPECT_EQ(camera.width, 1920);
    EXPECT_EQ(camera.height, 1080);
    EXPECT_NEAR(camera.fx, 1400, 50);
    ASSERT_EQ(camera.dist.size(), 5u);
    EXPECT_LT(camera.dist[0], 0);  // barrel, as a real wide lens
    // The volume centre is near the image centre, and up is up.
    Eigen::Vector2d p, above;
    ASSERT_TRUE(camera.Project(volume_center, &p));
    EXPECT_NEAR(p.x(), camera.cx, 1.0);
    EXPECT_NEAR(p.y(), camera.cy, 1.0);
    ASSERT_TRUE(camera.Project(volume_center + Eigen::Vector3d(0, 0, 0.5), &above));
    EXPECT_LT(above.y(), p.y() - 100);
    const Eigen::Vector3d center = camera.CenterInWorld();
    EXPECT_GE(center.z(), 1.15);
    EXPECT_LE(center.z(), 2.0);
    // Outside the 3 x 3 m volume.
    EXPECT_GT(std::max(std::abs(center.x()), std::abs(center.y())), 1.5);
  }
  // A standing subject's box: 1 x 1 m around the centre, floor to 1.8 m.
  int worst = 1 << 30;
  for (int ix = 0; ix <= 4; ++ix) {
    for (int iy = 0; iy <= 4; ++iy) {
      for (int iz = 0; iz <= 9; ++iz) {
        const Eigen::Vector3d point(-0.5 + 0.25 * ix, -0.5 + 0.25 * iy, 0.2 * iz);
        int views = 0;
        for (const Camera& camera : rig.cameras) views += Sees(camera, point, 10.0) ? 1 : 0;
        worst = std::min(worst, views);
        EXPECT_GE(views, c.min_views) << c.name << " point " << point.transpose();
      }
    }
  }
  std::printf("%s: every body-box point is seen by >= %d of %zu cameras\n", c.name, worst,
              rig.cameras.size());
}

INSTANTIATE_TEST_SUITE_P(Presets, RigPresetTest,
                         ::testing::Values(PresetCase{"studio4", 4, 3}, PresetCase{"studio8", 8, 2},
                                           PresetCase{"lab2", 2, 2}),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(RigPresetsTest, Lab2CamerasAre60To70DegreesApartOnTheFrontSide) {
  const Rig rig = MakeRigPreset("lab2");
  Eigen::Vector3d d[2];
  for (int i = 0; i < 2; ++i) {
    d[i] = rig.cameras[i].CenterInWorld();
    d[i].z() = 0;
    d[i].normalize();
    EXPECT_GE(d[i].x(), 0.0);  // the subject faces +X: in front or to the side
  }
  const double angle = std::acos(d[0].dot(d[1])) * 180 / M_PI;
  EXPECT_GE(angle, 60.0);
  EXPECT_LE(angle, 70.0);
}

TEST(RigPresetsTest, UnknownNamesAreErrors) {
  EXPECT_FALSE(IsRigPreset("studio5"));
  EXPECT_THROW(MakeRigPreset("studio5"), Error);
  EXPECT_THROW(PresetFps(""), Error);
  EXPECT_EQ(LoadRigOrPreset("lab2").cameras.size(), 2u);
  try {
    LoadRigOrPreset("/nonexistent/rig.yml");
    FAIL() << "expected hl::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where(), "/nonexistent/rig.yml");
    EXPECT_NE(e.message().find("preset"), std::string::npos);
  }
}

TEST(RigPresetsTest, LookAtPointsTheOpticalAxisAtTheTarget) {
  const Eigen::Vector3d center(2, -1, 1.7), target(0.1, 0.2, 0.9);
  const Rigid3d cam_from_world = LookAt(center, target);
  const Eigen::Vector3d in_cam = cam_from_world * target;
  EXPECT_NEAR(in_cam.x(), 0, 1e-12);
  EXPECT_NEAR(in_cam.y(), 0, 1e-12);
  EXPECT_NEAR(in_cam.z(), (target - center).norm(), 1e-12);
  EXPECT_NEAR((cam_from_world * center).norm(), 0, 1e-12);
  // Looking straight down still gives a valid rotation.
  const Rigid3d down = LookAt({0, 0, 3}, {0, 0, 0});
  EXPECT_NEAR((down * Eigen::Vector3d(0, 0, 0)).z(), 3, 1e-12);
}

}  // namespace
}  // namespace hl::sim
