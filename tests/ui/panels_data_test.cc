// The camera and calibration panels' data without a window: media found in a
// take, a frame read, markers detected and the 3D markers reprojected through
// the rig; per-camera calibration numbers from the rig and its report.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <opencv2/aruco.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "tests/ui/hinge_scene.h"
#include "tests/ui/temp_dir.h"
#include "ui/calibration_info.h"
#include "ui/camera_view.h"

namespace hl {
namespace {

namespace fs = std::filesystem;

using test::TempDir;

// A white image with marker `id` (kSide px, white quiet zone) centred on `centre`.
cv::Mat ImageWithMarker(const Camera& cam, int id, const Eigen::Vector2d& centre) {
  constexpr int kSide = 64;
  cv::Mat image(cam.height, cam.width, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::Mat marker;
  cv::aruco::drawMarker(cv::aruco::getPredefinedDictionary(cv::aruco::DICT_4X4_50), id, kSide,
                        marker, 1);
  cv::Mat bgr;
  cv::cvtColor(marker, bgr, cv::COLOR_GRAY2BGR);
  // Pixel i covers [i - 0.5, i + 0.5]: a kSide square starting at x0 - 0.5 is centred on x0 +
  // kSide/2 - 0.5.
  const int x0 = static_cast<int>(std::lround(centre.x() - kSide / 2.0 + 0.5));
  const int y0 = static_cast<int>(std::lround(centre.y() - kSide / 2.0 + 0.5));
  bgr.copyTo(image(cv::Rect(x0, y0, kSide, kSide)));
  return image;
}

TEST(CameraViewTest, DetectsMarkersAndReprojectsTheRecordingThroughTheRig) {
  const fs::path take = TempDir("camera_view_take");
  const Rig rig = test::HingeRig();
  const Camera& cam = rig.cameras[0];
  // Frames 0 and 1 of cam_front; pelvis marker M10 drawn where the rig projects it.
  fs::create_directories(take / cam.name);
  Eigen::Vector2d m10_px[2];
  for (int f = 0; f < 2; ++f) {
    ASSERT_TRUE(cam.Project(test::PoseAt(f).sacrum + Eigen::Vector3d(0, 0.06, 0), &m10_px[f]));
    cv::imwrite((take / cam.name / ("00000" + std::to_string(f) + ".png")).string(),
                ImageWithMarker(cam, 10, m10_px[f]));
  }
  WriteRecording(take / "recording.c3d", test::HingeRecording());
  // take_dir comes from Open(): a folder holding a recording.
  ViewerState opened;
  ASSERT_TRUE(opened.Open(take)) << opened.last_error();
  opened.SetRig(rig);
  ASSERT_TRUE(opened.SetMarkerSet(ParseMarkerSet(test::HingeMarkerSetYaml(), "set"), "set"));
  ASSERT_EQ(opened.take_dir(), take);

  CameraView view;
  const std::vector<std::string> cameras = view.CamerasWithMedia(opened);
  ASSERT_EQ(cameras, std::vector<std::string>{"cam_front"});  // cam_back has no media
  ASSERT_TRUE(view.Update(opened, "cam_front", 1));
  const CameraOverlay& o = view.overlay();
  EXPECT_TRUE(o.error.empty()) << o.error;
  ASSERT_FALSE(o.image.empty());
  EXPECT_EQ(o.image.cols, cam.width);
  ASSERT_EQ(o.detections.size(), 1u);
  EXPECT_EQ(o.detections[0].id, 10);
  // Every marker in the image is reprojected where the camera model puts it.
  bool found_m10 = false;
  for (const auto& [label, px] : o.reprojections) {
    Eigen::Vector2d want;
    ASSERT_TRUE(cam.Project(opened.points().at(1, label).position_m, &want));
    EXPECT_LT((px - want).norm(), 1e-9);
    found_m10 |= opened.points().labels()[label] == "M10";
  }
  EXPECT_TRUE(found_m10);
  // Detected and reprojected M10 agree: the calibration is right.
  ASSERT_EQ(o.reprojection_error_px.size(), 1u);
  EXPECT_LT(o.reprojection_error_px[0], 1.0);
  EXPECT_FALSE(view.Update(opened, "cam_front", 1));  // cached

  // A wrong rig shows as a reprojection error.
  Rig moved = rig;
  moved.cameras[0].cx += 15;
  opened.SetRig(moved);
  CameraView view2;
  ASSERT_TRUE(view2.Update(opened, "cam_front", 1));
  ASSERT_EQ(view2.overlay().reprojection_error_px.size(), 1u);
  EXPECT_NEAR(view2.overlay().reprojection_error_px[0], 15.0, 1.0);

  // Frames past the media, and a camera without media, are messages, not crashes.
  ASSERT_TRUE(view.Update(opened, "cam_front", 5));
  EXPECT_NE(view.overlay().error.find("past the camera's 2 images"), std::string::npos);
  EXPECT_TRUE(view.overlay().image.empty());
  ASSERT_TRUE(view.Update(opened, "cam_back", 0));
  EXPECT_NE(view.overlay().error.find("no media"), std::string::npos);
  ASSERT_TRUE(view.Update(opened, "cam_nope", 0));
  EXPECT_NE(view.overlay().error.find("not in the rig"), std::string::npos);
}

TEST(CalibrationInfoTest, RigNumbersAndTheCalibratorsReport) {
  const fs::path dir = TempDir("calibration_info");
  Rig rig = test::HingeRig();
  rig.cameras[0].rms_px = 0.2;
  rig.cameras[1].rms_px = -1;  // unknown
  rig.error_px = 0.25;
  rig.adjusted = true;
  const Eigen::Vector3d centre(0, 0, 0.9);
  CalibrationInfo info = MakeCalibrationInfo(rig, dir / "rig.yml", centre);
  ASSERT_EQ(info.cameras.size(), 2u);
  EXPECT_EQ(info.cameras[0].name, "cam_front");
  EXPECT_EQ(info.cameras[0].rms_px, 0.2);
  // No report: the error at the markers' distance, d * rms / f.
  const double d = (rig.cameras[0].cam_from_world * centre).z();
  EXPECT_NEAR(info.cameras[0].world_error_mm, 0.2 * d / 900 * 1e3, 1e-9);
  EXPECT_TRUE(info.cameras[0].world_error_estimated);
  EXPECT_EQ(info.cameras[0].views_used, -1);
  EXPECT_LT(info.cameras[1].world_error_mm, 0);
  EXPECT_TRUE(info.report.empty());
  EXPECT_EQ(info.rig_error_px, 0.25);

  // The report `hingelab calibrate --json` printed, saved as rig.json.
  {
    std::ofstream(dir / "rig.json")
        << R"({"cameras": [{"name": "cam_back", "rms_px": 0.3, "world_error_mm": 0.42, )"
        << R"("views_used": 17},)"
        << R"( {"name": "cam_front", "world_error_mm": 0.31, "views_used": 23}], "rms_px": 0.25})";
  }
  info = MakeCalibrationInfo(rig, dir / "rig.yml", centre);
  EXPECT_EQ(info.report, (dir / "rig.json").string());
  EXPECT_EQ(info.cameras[0].views_used, 23);
  EXPECT_EQ(info.cameras[0].world_error_mm, 0.31);
  EXPECT_FALSE(info.cameras[0].world_error_estimated);
  EXPECT_EQ(info.cameras[1].views_used, 17);

  // A broken report is said, and the rig's own numbers stay.
  { std::ofstream(dir / "rig.json") << R"({"cameras": [{"name": )"; }
  info = MakeCalibrationInfo(rig, dir / "rig.yml", centre);
  EXPECT_FALSE(info.report_error.empty());
  EXPECT_EQ(info.cameras[0].rms_px, 0.2);
  EXPECT_TRUE(info.cameras[0].world_error_estimated);
}

}  // namespace
}  // namespace hl
