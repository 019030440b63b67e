// Renders the synthetic hinge trial offscreen and checks pixels where the
// geometry must land. Needs an X display: run under
//   xvfb-run -a -s "-screen 0 1920x1080x24 -noreset" ctest -L gui
#include "ui/screenshot.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "core/error.h"
#include "tests/ui/hinge_scene.h"

namespace hl {
namespace {

namespace fs = std::filesystem;

bool HaveDisplay() {
  const char* d = std::getenv("DISPLAY");
  return d && *d;
}

cv::Vec3b PixelAt(const Screenshot& shot, const Eigen::Vector3d& point_in_world) {
  Eigen::Vector2f px;
  EXPECT_TRUE(ProjectToPixel(shot.clip_from_world, shot.image.cols, shot.image.rows, point_in_world, &px));
  const int x = static_cast<int>(px.x()), y = static_cast<int>(px.y());
  EXPECT_TRUE(x >= 0 && y >= 0 && x < shot.image.cols && y < shot.image.rows)
      << "point projects outside the image at " << px.transpose();
  if (x < 0 || y < 0 || x >= shot.image.cols || y >= shot.image.rows) return {};
  return shot.image.at<cv::Vec3b>(y, x);
}

// BGR pixel close to an RGBA colour.
::testing::AssertionResult IsColour(const cv::Vec3b& bgr, const Eigen::Vector4f& rgba, int tolerance) {
  for (int c = 0; c < 3; ++c) {
    const int want = static_cast<int>(std::lround(rgba[2 - c] * 255));
    if (std::abs(int(bgr[c]) - want) > tolerance) {
      return ::testing::AssertionFailure() << "pixel BGR (" << int(bgr[0]) << ", " << int(bgr[1]) << ", "
                                           << int(bgr[2]) << ") is not RGB (" << rgba.head<3>().transpose()
                                           << ") * 255";
    }
  }
  return ::testing::AssertionSuccess();
}

bool IsGreen(const cv::Vec3b& p) { return p[1] > 120 && p[1] > 2 * p[2] && p[1] > 2 * p[0]; }
bool IsRed(const cv::Vec3b& p) { return p[2] > 120 && p[2] > 2 * p[1] && p[2] > 2 * p[0]; }

class ScreenshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveDisplay()) GTEST_SKIP() << "no DISPLAY; run under xvfb-run";
    state_.SetRecording(test::HingeRecording(), "hinge");
    ASSERT_TRUE(state_.SetMarkerSet(ParseMarkerSet(test::HingeMarkerSetYaml(), "set"), "set"));
    state_.SetRig(test::HingeRig());
  }

  Screenshot Shoot(int frame) {
    state_.Seek(frame);
    Screenshot shot = RenderScreenshot(state_, options_);
    const fs::path dir = fs::path(HL_BINARY_DIR) / "test_tmp" / "ui";
    fs::create_directories(dir);
    cv::imwrite((dir / ("screenshot_" + std::to_string(frame) + ".png")).string(), shot.image);
    return shot;
  }

  ViewerState state_;
  ScreenshotOptions options_;
};

TEST_F(ScreenshotTest, RodIsGreenInContactAndRedWhenContactIsLost) {
  const Screenshot in_contact = Shoot(test::kContactFrame);
  const Screenshot lost = Shoot(test::kLostFrame);
  ASSERT_EQ(in_contact.image.cols, 1280);
  ASSERT_EQ(in_contact.image.rows, 720);
  // Half-way between dowel markers 0 and 1 and between 1 and 2: rod, no marker on top.
  for (int k = 0; k < 2; ++k) {
    const Eigen::Vector3d mid_contact =
        0.5 * (test::DowelMarker(test::kContactFrame, k) + test::DowelMarker(test::kContactFrame, k + 1));
    const Eigen::Vector3d mid_lost =
        0.5 * (test::DowelMarker(test::kLostFrame, k) + test::DowelMarker(test::kLostFrame, k + 1));
    const cv::Vec3b a = PixelAt(in_contact, mid_contact);
    const cv::Vec3b b = PixelAt(lost, mid_lost);
    EXPECT_TRUE(IsGreen(a)) << "in contact, rod pixel BGR " << a;
    EXPECT_TRUE(IsRed(b)) << "contact lost, rod pixel BGR " << b;
  }
}

TEST_F(ScreenshotTest, MarkersFrustaAndBackgroundAreWhereTheyProject) {
  const Screenshot shot = Shoot(test::kLostFrame);
  const int f = test::kLostFrame;
  // Markers are drawn on top in their segment's colour.
  EXPECT_TRUE(IsColour(PixelAt(shot, test::DowelMarker(f, 2)), SegmentColour("dowel"), 3));
  const test::HingePose pose = test::PoseAt(f);
  // Left and right pelvis (and knee) markers overlap in this side view; the right one is drawn last.
  EXPECT_TRUE(IsColour(PixelAt(shot, pose.sacrum + Eigen::Vector3d(0, -0.06, 0)), SegmentColour("pelvis"), 3));
  const cv::Vec3b knee = PixelAt(shot, Eigen::Vector3d(0.1, -0.1, 0.5));
  EXPECT_TRUE(IsColour(knee, SegmentColour("knee_right"), 3));
  // Every camera's frustum apex.
  for (const Camera& cam : state_.rig().cameras) {
    EXPECT_TRUE(IsColour(PixelAt(shot, cam.CenterInWorld()), Eigen::Vector4f(0.95f, 0.85f, 0.30f, 1), 3))
        << cam.name;
  }
  // The top-left corner is sky: nothing drawn there.
  EXPECT_TRUE(IsColour(shot.image.at<cv::Vec3b>(3, 3), BackgroundColour(), 2));
  // With the dowel gone from the state, the rod's pixels become background.
  Screenshot no_rod;
  {
    state_.settings.dowel_radius_m = 0.0f;
    no_rod = Shoot(f);
    state_.settings.dowel_radius_m = 0.015f;
  }
  const Eigen::Vector3d mid = 0.5 * (test::DowelMarker(f, 1) + test::DowelMarker(f, 2));
  EXPECT_TRUE(IsRed(PixelAt(shot, mid)));
  EXPECT_FALSE(IsRed(PixelAt(no_rod, mid)));
}

TEST_F(ScreenshotTest, SizeIsHonouredAndBadSizesAreRefused) {
  options_.width = 320;
  options_.height = 200;
  const Screenshot shot = Shoot(0);
  EXPECT_EQ(shot.image.cols, 320);
  EXPECT_EQ(shot.image.rows, 200);
  options_.width = 4;
  EXPECT_THROW(RenderScreenshot(state_, options_), Error);
}

// Pixels of the panels' error text colour, ImVec4(1, 0.4, 0.4) = RGB (255, 102, 102).
int ErrorTextPixels(const cv::Mat& bgr) {
  int n = 0;
  for (int y = 0; y < bgr.rows; ++y) {
    for (int x = 0; x < bgr.cols; ++x) {
      const cv::Vec3b p = bgr.at<cv::Vec3b>(y, x);
      n += p[2] >= 250 && std::abs(p[1] - 102) <= 4 && std::abs(p[0] - 102) <= 4;
    }
  }
  return n;
}

// Acceptance 4: a corrupt file and a marker set that does not match show a
// message in the window, and the viewer goes on drawing what it has.
TEST(ScreenshotPanelsTest, LoadErrorsShowInTheWindowAndTheViewerStaysUsable) {
  if (!HaveDisplay()) GTEST_SKIP() << "no DISPLAY; run under xvfb-run";
  const fs::path dir = fs::path(HL_BINARY_DIR) / "test_tmp" / "ui" / "screenshot_errors";
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    std::ofstream(dir / "corrupt.c3d") << "this is not a c3d file";
  }
  ViewerState state;
  EXPECT_FALSE(state.Open(dir / "corrupt.c3d"));
  ViewerPanels panels;
  ScreenshotOptions options;
  options.panels = &panels;
  const Screenshot corrupt = RenderScreenshot(state, options);
  cv::imwrite((dir / "corrupt.png").string(), corrupt.image);
  EXPECT_GT(ErrorTextPixels(corrupt.image), 100) << "the load error is not shown";
  state.ClearMessages();
  EXPECT_EQ(ErrorTextPixels(RenderScreenshot(state, options).image), 0);

  // Usable: the same state then loads a good recording, and a marker set that
  // names none of its markers is refused with a message while the view still draws.
  state.SetRecording(test::HingeRecording(), "hinge");
  ASSERT_TRUE(state.SetMarkerSet(ParseMarkerSet(test::HingeMarkerSetYaml(), "set"), "set"));
  state.SetRig(test::HingeRig());
  const MarkerSet wrong = ParseMarkerSet(
      "dictionary: DICT_4X4_50\nmarker_length_m: 0.04\nmarkers:\n  - {id: 40, segment: dowel}\n",
      "wrong");
  EXPECT_FALSE(state.SetMarkerSet(wrong, "wrong.yml"));
  state.Seek(test::kLostFrame);
  const Screenshot mismatch = RenderScreenshot(state, options);
  cv::imwrite((dir / "mismatch.png").string(), mismatch.image);
  EXPECT_GT(ErrorTextPixels(mismatch.image), 100) << "the marker set message is not shown";
  ScreenshotOptions plain;
  const Screenshot view = RenderScreenshot(state, plain);
  const Eigen::Vector3d mid =
      0.5 * (test::DowelMarker(test::kLostFrame, 1) + test::DowelMarker(test::kLostFrame, 2));
  EXPECT_TRUE(IsRed(PixelAt(view, mid)));
}

}  // namespace
}  // namespace hl
