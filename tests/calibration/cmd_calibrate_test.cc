// `hingelab calibrate` as a user runs it: the real tutorial images, the JSON
// contract, and the bad-input errors (exit 1 with the camera named).

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "calibration/board.h"
#include "calibration/intrinsics.h"
#include "core/json.h"

namespace hl {
namespace {

namespace fs = std::filesystem;

const std::string kBinary = std::string(HL_BINARY_DIR) + "/bin/hingelab";
const std::string kImages = std::string(HL_SHARED_DIR) + "/data/real/aruco/img_%02d.jpg";
const std::string kBoard = "charuco:5x7:0.04:0.02:DICT_6X6_250";

struct RunResult {
  int status = -1;
  std::string out;  // stdout; stderr is folded in with fold_stderr
};

RunResult Hingelab(const std::string& args, bool fold_stderr = false) {
  const std::string cmd = kBinary + " " + args + (fold_stderr ? " 2>&1" : " 2>/dev/null");
  RunResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

fs::path TempDir(const std::string& name) {
  const fs::path dir = fs::path(HL_BINARY_DIR) / "tmp" / ("cmd_calibrate_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(CmdCalibrateTest, RealImagesJsonContract) {
  ASSERT_TRUE(fs::exists(kBinary)) << "build the hingelab target first";
  const fs::path dir = TempDir("json");
  const RunResult r = Hingelab("calibrate --board " + kBoard + " --images cam0=" + kImages +
                               " -o " + (dir / "rig.toml").string() + " --json");
  ASSERT_EQ(r.status, 0) << r.out;
  const Json j = Json::Parse(r.out, "stdout");  // exactly one JSON object
  ASSERT_EQ(j.at("cameras").size(), 1u);
  const Json& cam = j.at("cameras").array()[0];
  EXPECT_EQ(cam.at("name").str(), "cam0");
  EXPECT_EQ(cam.at("image_size").array()[0].number(), 640);
  EXPECT_EQ(cam.at("image_size").array()[1].number(), 480);
  // The command gives the library's calibration of the same images; how
  // close that is to OpenCV's published file is intrinsics_test's business.
  const Board board(ParseBoardSpec(kBoard));
  std::vector<BoardView> views;
  for (int i = 0; i < 4; ++i) {
    char path[512];
    std::snprintf(path, sizeof(path), kImages.c_str(), i);
    views.push_back(board.Detect(cv::imread(path), BoardDetectionOptions()));
  }
  const IntrinsicsResult lib =
      CalibrateIntrinsics(board, views, cv::Size(640, 480), IntrinsicsOptions(), "cam0");
  EXPECT_NEAR(cam.at("fx").number(), lib.camera.fx, 1e-3);
  EXPECT_NEAR(cam.at("fy").number(), lib.camera.fy, 1e-3);
  EXPECT_NEAR(cam.at("cx").number(), lib.camera.cx, 1e-3);
  EXPECT_NEAR(cam.at("cy").number(), lib.camera.cy, 1e-3);
  EXPECT_EQ(cam.at("dist").size(), 5u);
  EXPECT_LE(cam.at("rms_px").number(), 0.20);
  EXPECT_GT(cam.at("world_error_mm").number(), 0.0);
  EXPECT_EQ(cam.at("views_used").number(), 4);
  EXPECT_EQ(cam.at("rvec_cam_from_world").size(), 3u);
  EXPECT_EQ(cam.at("tvec_cam_from_world").size(), 3u);
  EXPECT_LE(j.at("rms_px").number(), 0.20);
  EXPECT_TRUE(j.at("rejected_views").is_array());
  EXPECT_NE(j.at("world_frame").str().find("cam0"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir / "rig.toml"));
  // The .yml form as well.
  EXPECT_EQ(Hingelab("calibrate --board " + kBoard + " --images cam0=" + kImages + " -o " +
                     (dir / "rig.yml").string())
                .status,
            0);
  EXPECT_TRUE(fs::exists(dir / "rig.yml"));
}

TEST(CmdCalibrateTest, BadInputExitsOneNamingTheCamera) {
  ASSERT_TRUE(fs::exists(kBinary)) << "build the hingelab target first";
  const fs::path dir = TempDir("errors");
  const std::string out = " -o " + (dir / "rig.yml").string();

  // Wrong dictionary: no board found, cause named.
  RunResult r = Hingelab(
      "calibrate --board charuco:5x7:0.04:0.02:DICT_4X4_50 --images left=" + kImages + out, true);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out.rfind("error: left: ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("dictionary"), std::string::npos) << r.out;

  // The right dictionary with rows and columns swapped still finds corners and
  // used to write a rig with RMS 44 px and cx -402; now exit 1 and no file.
  r = Hingelab("calibrate --board charuco:7x5:0.04:0.02:DICT_6X6_250 --images left=" + kImages +
                   out,
               true);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("check --board"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir / "rig.yml"));

  // A bad SPEC is a usage error.
  r = Hingelab("calibrate --board charuco:5x7:0.04 --images left=" + kImages + out, true);
  EXPECT_EQ(r.status, 2) << r.out;

  // Mixed image sizes in one camera.
  const cv::Mat img = cv::imread(std::string(HL_SHARED_DIR) + "/data/real/aruco/img_00.jpg");
  ASSERT_FALSE(img.empty());
  fs::create_directories(dir / "mixed");
  cv::imwrite((dir / "mixed/a.png").string(), img);
  cv::Mat small;
  cv::resize(img, small, cv::Size(320, 240));
  cv::imwrite((dir / "mixed/b.png").string(), small);
  r = Hingelab("calibrate --board " + kBoard + " --images cam0=" + (dir / "mixed").string() + out,
               true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("cam0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("one size"), std::string::npos) << r.out;

  // An unreadable image.
  fs::create_directories(dir / "broken");
  cv::imwrite((dir / "broken/a.png").string(), img);
  std::ofstream((dir / "broken/b.png").string()) << "not a png";
  r = Hingelab("calibrate --board " + kBoard + " --images cam0=" + (dir / "broken").string() + out,
               true);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_EQ(r.out.rfind("error: cam0", 0), 0u) << r.out;

  // Two cameras that never see the board at the same moment: cam0 sees it in
  // frames 0-3, cam1 in frames 4-7.
  const cv::Mat blank(480, 640, CV_8UC3, cv::Scalar(180, 180, 180));
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  for (int i = 0; i < 4; ++i) {
    const cv::Mat board = cv::imread(std::string(HL_SHARED_DIR) + "/data/real/aruco/img_0" +
                                     std::to_string(i) + ".jpg");
    cv::imwrite((dir / ("a/" + std::to_string(i) + ".png")).string(), board);
    cv::imwrite((dir / ("a/" + std::to_string(i + 4) + ".png")).string(), blank);
    cv::imwrite((dir / ("b/" + std::to_string(i) + ".png")).string(), blank);
    cv::imwrite((dir / ("b/" + std::to_string(i + 4) + ".png")).string(), board);
  }
  r = Hingelab("calibrate --board " + kBoard + " --images cam0=" + (dir / "a").string() +
                   " cam1=" + (dir / "b").string() + out,
               true);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("cam1 never see the board at the same moment as cam0"), std::string::npos)
      << r.out;
  EXPECT_FALSE(fs::exists(dir / "rig.yml"));
}

}  // namespace
}  // namespace hl
