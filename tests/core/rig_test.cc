#include "core/rig.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <random>
#include <string>

#include <opencv2/core/persistence.hpp>

#include "core/error.h"
#include "core/file_util.h"

namespace hl {
namespace {

namespace fs = std::filesystem;

// Awkward doubles on purpose: nothing rounds to a short decimal.
Rig MakeRig() {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Rig rig;
  rig.adjusted = true;
  rig.error_px = 0.31234567890123456;
  const std::vector<std::vector<double>> dists = {{},
                                                  {-0.1, 0.05, 0.001, 0.002},
                                                  {-0.3, 0.1, 1e-4, -2e-4, 0.01},
                                                  {2.1, 0.9, 8e-4, -5e-4, 0.04, 2.4, 1.5, 0.2}};
  for (size_t i = 0; i < dists.size(); ++i) {
    Camera c;
    c.name = "cam" + std::to_string(i);
    c.width = 1920;
    c.height = 1080 + static_cast<int>(i);
    c.fx = 1000.0 + u(rng) / 3.0;
    c.fy = 1001.0 + u(rng) / 7.0;
    c.cx = 959.5 + u(rng) / 11.0;
    c.cy = 539.5 + u(rng) / 13.0;
    for (double d : dists[i]) c.dist.push_back(d + u(rng) * 1e-7);
    // Rotations from near zero to near pi.
    const Eigen::Vector3d axis = Eigen::Vector3d(u(rng), u(rng), u(rng)).normalized();
    const double angle = std::vector<double>{1e-9, 0.7, 2.5, 3.14159265}[i];
    c.cam_from_world = Rigid3d::FromRvecTvec(axis * angle, {u(rng), u(rng), 3.0 + u(rng)});
    c.rms_px = i == 0 ? -1.0 : 0.1 + u(rng) * 0.01;
    rig.cameras.push_back(c);
  }
  rig.cameras[1].name = "side (left)";
  return rig;
}

void ExpectSameRig(const Rig& a, const Rig& b, double tol) {
  ASSERT_EQ(a.cameras.size(), b.cameras.size());
  EXPECT_EQ(a.adjusted, b.adjusted);
  EXPECT_EQ(a.error_px, b.error_px);
  for (size_t i = 0; i < a.cameras.size(); ++i) {
    const Camera& x = a.cameras[i];
    const Camera& y = b.cameras[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.width, y.width);
    EXPECT_EQ(x.height, y.height);
    EXPECT_EQ(x.fx, y.fx);
    EXPECT_EQ(x.fy, y.fy);
    EXPECT_EQ(x.cx, y.cx);
    EXPECT_EQ(x.cy, y.cy);
    EXPECT_EQ(x.dist, y.dist);
    EXPECT_EQ(x.rms_px, y.rms_px);
    EXPECT_EQ(x.cam_from_world.translation, y.cam_from_world.translation);
    // rvec <-> quaternion is the only lossy step.
    EXPECT_LT(x.cam_from_world.rotation.angularDistance(y.cam_from_world.rotation), tol) << x.name;
    EXPECT_LT((x.cam_from_world.Rvec() - y.cam_from_world.Rvec()).norm(), tol) << x.name;
  }
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(RigTest, YamlRoundTripIsExact) {
  const Rig rig = MakeRig();
  const std::string text = SerializeRigYaml(rig);
  EXPECT_NE(text.find("format: hingelab-rig-1"), std::string::npos);
  EXPECT_NE(text.find("!!opencv-matrix"), std::string::npos);
  const Rig once = ParseRigYaml(text, "mem.yml");
  ExpectSameRig(rig, once, 1e-15);
  // Twice through: only the rotation may move, by an ulp.
  ExpectSameRig(rig, ParseRigYaml(SerializeRigYaml(once), "mem.yml"), 1e-15);
}

TEST(RigTest, TomlRoundTripIsExact) {
  Rig rig = MakeRig();
  const std::string text = SerializeRigToml(rig);
  EXPECT_NE(text.find("[cam_0]"), std::string::npos);
  EXPECT_NE(text.find("size = [ 1920.0, 1080.0,]"), std::string::npos) << text;
  EXPECT_NE(text.find("[metadata]\nadjusted = true\n"), std::string::npos);
  const Rig back = ParseRigToml(text, "mem.toml");
  // TOML always carries 5 coefficients for an ideal lens, as anipose does.
  EXPECT_EQ(back.cameras[0].dist, std::vector<double>(5, 0.0));
  rig.cameras[0].dist = std::vector<double>(5, 0.0);
  ExpectSameRig(rig, back, 1e-15);
  ExpectSameRig(rig, ParseRigToml(SerializeRigToml(back), "mem.toml"), 1e-15);
}

TEST(RigTest, ReadWriteByExtension) {
  const fs::path dir = fs::path(HL_BINARY_DIR) / "rig_test_tmp";
  fs::create_directories(dir);
  const Rig rig = MakeRig();
  for (const char* file : {"a.yml", "b.YAML", "c.toml"}) {
    WriteRig(dir / file, rig);
    const Rig back = ReadRig(dir / file);
    EXPECT_EQ(back.cameras.size(), rig.cameras.size()) << file;
    EXPECT_EQ(back.cameras[3].dist, rig.cameras[3].dist) << file;
  }
  const std::string text = ReadFileText(dir / "c.toml");
  EXPECT_NE(text.find("name = \"cam0\""), std::string::npos);
  const std::string e1 = ErrorOf([&] { WriteRig(dir / "rig.json", rig); });
  EXPECT_NE(e1.find("rig.json"), std::string::npos) << e1;
  EXPECT_NE(e1.find(".yml, .yaml or .toml"), std::string::npos) << e1;
  const std::string e2 = ErrorOf([&] { ReadRig(dir / "rig.txt"); });
  EXPECT_NE(e2.find("unknown rig file extension '.txt'"), std::string::npos) << e2;
  const std::string e3 = ErrorOf([&] { ReadRig(dir / "missing.yml"); });
  EXPECT_NE(e3.find("missing.yml"), std::string::npos) << e3;
  fs::remove_all(dir);
}

// A file written by cv::FileStorage itself, with the shapes other OpenCV code
// produces (5x1 distortion, 1x3 vectors, float matrices, comments).
TEST(RigTest, ReadsWhatFileStorageWrites) {
  cv::FileStorage fs(
      ".yml", cv::FileStorage::WRITE | cv::FileStorage::MEMORY | cv::FileStorage::FORMAT_YAML);
  fs << "format"
     << "hingelab-rig-1";
  fs << "cameras"
     << "[";
  fs << "{"
     << "name"
     << "cam:0";
  fs << "image_size" << std::vector<int>{1280, 1024};
  fs << "camera_matrix" << (cv::Mat_<float>(3, 3) << 800.5f, 0, 640, 0, 801.25f, 512, 0, 0, 1);
  fs << "dist_coeffs" << (cv::Mat_<double>(5, 1) << -0.2, 0.05, 0, 0, 0);
  fs << "rvec_cam_from_world" << (cv::Mat_<double>(1, 3) << 0.1, 0.2, 0.3);
  fs << "tvec_cam_from_world" << (cv::Mat_<double>(3, 1) << 1, 2, 3);
  fs << "rms_px" << 0.25 << "}";
  fs << "]";
  fs.writeComment("written by cv::FileStorage");
  const std::string text = fs.releaseAndGetString();
  const Rig rig = ParseRigYaml(text, "fs.yml");
  ASSERT_EQ(rig.cameras.size(), 1u);
  const Camera& c = rig.cameras[0];
  EXPECT_EQ(c.name, "cam:0");
  EXPECT_EQ(c.width, 1280);
  EXPECT_EQ(c.fx, 800.5);
  EXPECT_EQ(c.fy, 801.25);
  EXPECT_EQ(c.dist, (std::vector<double>{-0.2, 0.05, 0, 0, 0}));
  EXPECT_LT((c.cam_from_world.Rvec() - Eigen::Vector3d(0.1, 0.2, 0.3)).norm(), 1e-15);
  EXPECT_EQ(c.cam_from_world.translation, Eigen::Vector3d(1, 2, 3));
  EXPECT_EQ(c.rms_px, 0.25);
  EXPECT_FALSE(rig.adjusted);
  EXPECT_EQ(rig.error_px, -1.0);
}

// What anipose's CameraGroup.dump writes (python `toml`: arrays as
// "[ a, b,]"), plus Pose2Sim's extra `fisheye = false` key.
constexpr const char* kAniposeToml = R"([cam_0]
name = "A"
size = [ 1280.0, 1024.0,]
matrix = [ [ 1187.4352427591, 0.0, 639.5,], [ 0.0, 1187.4352427591, 511.5,], [ 0.0, 0.0, 1.0,],]
distortions = [ -0.2207683470, 0.0, 0.0, 0.0, 0.0,]
rotation = [ 1.8263488427417014, 0.2925127316620398, -0.6105428815834736,]
translation = [ 0.3528014738950727, 0.9127431395891532, 2.6052357618624345,]

[cam_1]
name = "B"
size = [ 1280.0, 1024.0,]
matrix = [ [ 1194.2, 0.0, 639.5,], [ 0.0, 1194.2, 511.5,], [ 0.0, 0.0, 1.0,],]
distortions = [ -0.21, 0.03, 0.0012, -0.0004,]
rotation = [ 1.5, -0.25, 0.125,]
translation = [ -0.5, 0.875, 2.75,]
fisheye = false

[metadata]
adjusted = false
error = 0.4791093206
)";

TEST(RigTest, ReadsAniposeAndPose2SimToml) {
  const Rig rig = ParseRigToml(kAniposeToml, "calibration.toml");
  ASSERT_EQ(rig.cameras.size(), 2u);
  const Camera& a = rig.cameras[0];
  EXPECT_EQ(a.name, "A");
  EXPECT_EQ(a.width, 1280);
  EXPECT_EQ(a.height, 1024);
  EXPECT_EQ(a.fx, 1187.4352427591);
  EXPECT_EQ(a.fy, 1187.4352427591);
  EXPECT_EQ(a.cx, 639.5);
  EXPECT_EQ(a.cy, 511.5);
  EXPECT_EQ(a.dist, (std::vector<double>{-0.2207683470, 0, 0, 0, 0}));
  EXPECT_LT((a.cam_from_world.Rvec() -
             Eigen::Vector3d(1.8263488427417014, 0.2925127316620398, -0.6105428815834736))
                .norm(),
            1e-15);
  EXPECT_EQ(a.cam_from_world.translation,
            Eigen::Vector3d(0.3528014738950727, 0.9127431395891532, 2.6052357618624345));
  EXPECT_EQ(rig.cameras[1].dist.size(), 4u);
  EXPECT_EQ(rig.cameras[1].dist[2], 0.0012);
  EXPECT_FALSE(rig.adjusted);
  EXPECT_EQ(rig.error_px, 0.4791093206);
  EXPECT_EQ(rig.Require("B").fy, 1194.2);
  EXPECT_EQ(rig.Find("C"), nullptr);
  const std::string e = ErrorOf([&] { rig.Require("C"); });
  EXPECT_NE(e.find("C: no such camera"), std::string::npos) << e;
  EXPECT_NE(e.find("A, B"), std::string::npos) << e;
}

// Each edit breaks one thing; the error must name the file, the camera (when
// there is one) and the problem.
struct BadCase {
  const char* from;
  const char* to;
  const char* expect;
};

TEST(RigTest, YamlValidationNamesFileCameraAndProblem) {
  const std::string good = SerializeRigYaml(MakeRig());
  const BadCase cases[] = {
      {"format: hingelab-rig-1", "format: other", "expected 'format: hingelab-rig-1'"},
      {"name: cam2", "name: cam0", "camera 'cam0' appears twice"},
      {"name: cam2", "name: \"\"", "empty name"},
      {"name: cam2", "nome: cam2", "missing 'name'"},
      {"image_size: [ 1920, 1082 ]", "image_size: [ 1920, 0 ]", "camera 'cam2': image size 1920x0"},
      {"image_size: [ 1920, 1082 ]", "image_size: [ 1920 ]", "camera 'cam2': image_size must be"},
      {"image_size: [ 1920, 1082 ]", "image_size: [ 1920, 10.5 ]", "whole number"},
      {"rvec_cam_from_world", "rvec_cam_from_wrld", "camera 'cam0': missing 'rvec_cam_from_world'"},
      {"rows: 3\n         cols: 3", "rows: 2\n         cols: 3", "is 2x3 but has 9 numbers"},
      {"rows: 1\n         cols: 5", "rows: 1\n         cols: 6", "has 5 numbers"},
      {"rms_px: -1.", "rms_px: .Nan", "must be a finite number"},
      {"rms_px: -1.", "rms_px: [1, 2]", "camera 'cam0': rms_px must be a number"},
      {"cameras:", "cams:", "needs a 'cameras' list"},
      {"   -\n      name: cam0", "   -\n\tname: cam0", "tab"},
      {"image_size: [ 1920, 1082 ]", "image_size: [ 1920, 1082", "expected ',' or ']'"},
  };
  for (const BadCase& c : cases) {
    std::string text = good;
    const size_t at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, std::string(c.from).size(), c.to);
    const std::string e = ErrorOf([&] { ParseRigYaml(text, "studio.yml"); });
    EXPECT_EQ(e.rfind("studio.yml: ", 0), 0u) << e;
    EXPECT_NE(e.find(c.expect), std::string::npos) << "edit '" << c.to << "' gave: " << e;
  }
}

TEST(RigTest, YamlRejectsBadNumbersInTheMatrix) {
  Rig rig = MakeRig();
  std::string text = SerializeRigYaml(rig);
  const std::string fx = "data: [ ";
  const size_t at = text.find(fx);
  ASSERT_NE(at, std::string::npos);
  std::string negative = text;
  negative.insert(at + fx.size(), "-");
  EXPECT_NE(ErrorOf([&] { ParseRigYaml(negative, "r.yml"); }).find("camera 'cam0': focal lengths"),
            std::string::npos);
  std::string skew = text;
  skew.replace(skew.find(", 0., ", at), 6, ", 2., ");
  EXPECT_NE(ErrorOf([&] { ParseRigYaml(skew, "r.yml"); }).find("no skew"), std::string::npos);
}

TEST(RigTest, TomlValidation) {
  const BadCase cases[] = {
      {"fisheye = false", "fisheye = true", "camera 'B': fisheye = true"},
      {"name = \"B\"", "name = \"A\"", "camera 'A' appears twice"},
      {"distortions = [ -0.21, 0.03, 0.0012, -0.0004,]", "distortions = [ -0.21, 0.03, 0.0012,]",
       "camera 'B': 3 distortion coefficients"},
      {"size = [ 1280.0, 1024.0,]\nmatrix = [ [ 1194.2",
       "size = [ 1280.0, -1.0,]\nmatrix = [ [ 1194.2", "camera 'B': image size 1280x-1"},
      {"[ 0.0, 1194.2,", "[ 0.0, -1194.2,", "camera 'B': focal lengths"},
      {"translation = [ -0.5, 0.875, 2.75,]", "translation = [ -0.5, 0.875,]",
       "camera 'B': translation must be 3 numbers"},
      {"rotation = [ 1.5,", "rotation = [ inf,", "inf and nan are not accepted"},
      {"rotation = [ 1.5, -0.25, 0.125,]", "", "camera 'B': missing 'rotation'"},
      {"name = \"B\"", "name = B", "expected a value"},
      {"error = 0.4791093206", "error = 0.4791093206\nerror = 1.0", "key 'error' appears twice"},
      {"[cam_1]", "[cam_0]", "table [cam_0] appears twice"},
      {"[metadata]", "[[metadata]]", "arrays of tables"},
  };
  for (const BadCase& c : cases) {
    std::string text = kAniposeToml;
    const size_t at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, std::string(c.from).size(), c.to);
    const std::string e = ErrorOf([&] { ParseRigToml(text, "calib.toml"); });
    EXPECT_EQ(e.rfind("calib.toml: line ", 0), 0u) << e;
    EXPECT_NE(e.find(c.expect), std::string::npos) << "edit '" << c.to << "' gave: " << e;
  }
  EXPECT_NE(ErrorOf([] {
              ParseRigToml("[metadata]\nadjusted = true\n", "x.toml");
            }).find("no camera tables"),
            std::string::npos);
}

TEST(RigTest, WriterRefusesInvalidRigs) {
  Rig rig = MakeRig();
  rig.cameras[2].dist.resize(6, 0.0);
  const std::string e = ErrorOf([&] { SerializeRigToml(rig); });
  EXPECT_NE(e.find("camera 'cam2': 6 distortion coefficients"), std::string::npos) << e;
  rig = MakeRig();
  rig.cameras[1].name = "bad\"name";
  EXPECT_NE(ErrorOf([&] { SerializeRigYaml(rig); }).find("the name may use only"),
            std::string::npos);
  rig = MakeRig();
  rig.cameras[0].fx = std::nan("");
  EXPECT_NE(ErrorOf([&] { SerializeRigYaml(rig); }).find("focal lengths"), std::string::npos);
}

}  // namespace
}  // namespace hl
