// `hingelab reconstruct` end to end on a small simulated take (studio4, 1080p).

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "capture/sim/simulate.h"
#include "core/file_util.h"
#include "core/json.h"
#include "core/recording.h"
#include "core/rig.h"

namespace hl {
namespace {

namespace fs = std::filesystem;

const fs::path kBinary = fs::path(HL_BINARY_DIR) / "bin" / "hingelab";
const fs::path kRoot = fs::path(HL_BINARY_DIR) / "test_tmp" / "reconstruct_cli";
constexpr int kFrames = 14;

struct Result {
  int status = -1;
  std::string out, err;
};

Result RunCli(const std::string& args) {
  const fs::path out = kRoot / "stdout.txt", err = kRoot / "stderr.txt";
  const std::string cmd = kBinary.string() + " reconstruct " + args + " >" + out.string() + " 2>" + err.string();
  const int raw = std::system(cmd.c_str());
  Result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = ReadFileText(out);
  r.err = ReadFileText(err);
  return r;
}

class ReconstructCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(kBinary)) return;
    fs::remove_all(kRoot);
    fs::create_directories(kRoot);
    sim::SimulateOptions o;
    o.drill = "dowel_hinge";
    o.reps = 1;
    o.frames = kFrames;
    o.markers_path = fs::path(HL_SOURCE_DIR) / "data" / "markersets" / "default.yml";
    o.output_dir = kRoot / "session";
    o.take = "hinge";
    sim::SimulateTake(o);
  }
  void SetUp() override {
    if (!fs::exists(kBinary)) GTEST_SKIP() << kBinary << " is not built";
  }
  fs::path take() const { return kRoot / "session" / "hinge"; }
  std::string CameraArgs(int n) const {
    std::string s;
    for (int c = 0; c < n; ++c) {
      s += " --camera cam" + std::to_string(c) + "=" + (take() / ("cam" + std::to_string(c))).string();
    }
    return s;
  }
  std::string Common() const {
    return " --rig " + (kRoot / "session" / "rig.yml").string() + " --markers " +
           (kRoot / "session" / "markers.yml").string() + " --fps 60";
  }
};

TEST_F(ReconstructCliTest, TakeFolderMatchesTruth) {
  const Result r = RunCli(take().string() + " --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const Json j = Json::Parse(r.out, "stdout");
  for (const char* key : {"frames", "labels", "reconstructed_fraction", "median_residual_px",
                          "unknown_marker_ids", "duplicate_detections", "fps_processed"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j.at("frames").number(), kFrames);
  EXPECT_GT(j.at("labels").array().size(), 10u);
  // Over every label ever seen x frames: markers seen in a few frames only
  // (feet, head at the edge of view) count as missing elsewhere. Measured 0.42.
  EXPECT_GT(j.at("reconstructed_fraction").number(), 0.35);
  EXPECT_LT(j.at("median_residual_px").number(), 0.5);
  EXPECT_EQ(j.at("duplicate_detections").number(), 0);

  const Recording rec = ReadRecording(take() / "recording.c3d");
  EXPECT_FALSE(rec.marker_set_yaml.empty());
  EXPECT_EQ(rec.points.num_frames(), kFrames);
  const Recording truth = ReadRecording(take() / "truth" / "markers.csv");
  int compared = 0;
  double sum_sq = 0;
  for (int l = 0; l < rec.points.num_labels(); ++l) {
    const int tl = truth.points.LabelIndex(rec.points.labels()[l]);
    ASSERT_GE(tl, 0) << rec.points.labels()[l];
    for (int f = 0; f < kFrames; ++f) {
      const Sample& s = rec.points.at(f, l);
      if (!s.valid() || !truth.points.at(f, tl).valid()) continue;
      sum_sq += (s.position_m - truth.points.at(f, tl).position_m).squaredNorm();
      ++compared;
    }
  }
  ASSERT_GT(compared, 100);
  // C3D stores float millimetres; the reconstruction itself is sub-millimetre.
  EXPECT_LT(std::sqrt(sum_sq / compared), 1.0e-3);
}

TEST_F(ReconstructCliTest, CameraNotInRigIsLeftOutAndTheRestReconstructed) {
  const fs::path out = kRoot / "extra.c3d";
  const Result r = RunCli(Common() + CameraArgs(4) + " --camera camX=" + (take() / "cam0").string() +
                       " -o " + out.string() + " --csv " + (kRoot / "extra.csv").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("warning: camX: not in the rig"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(out));
  EXPECT_EQ(ReadRecording(kRoot / "extra.csv").points.num_frames(), kFrames);
}

TEST_F(ReconstructCliTest, ShorterCameraAndWrongSizeAreReported) {
  // cam3 with fewer frames; cam2 calibrated at another size in a copy of the rig.
  const fs::path short_dir = kRoot / "cam3_short";
  fs::create_directories(short_dir);
  for (int f = 0; f < 9; ++f) {
    char name[32];
    std::snprintf(name, sizeof(name), "%06d.png", f);
    fs::copy_file(take() / "cam3" / name, short_dir / name, fs::copy_options::overwrite_existing);
  }
  Rig rig = ReadRig(kRoot / "session" / "rig.yml");
  rig.cameras[2].width = 1280;
  rig.cameras[2].height = 720;
  WriteRig(kRoot / "resized_rig.yml", rig);
  const std::string cams = CameraArgs(3) + " --camera cam3=" + short_dir.string();
  const Result r = RunCli(" --rig " + (kRoot / "resized_rig.yml").string() + " --markers " +
                       (kRoot / "session" / "markers.yml").string() + " --fps 60" + cams + " -o " +
                       (kRoot / "short.c3d").string() + " --json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("warning: cam2: images are 1920x1080 but the rig calibrated"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("warning: cam3: has 9 frames"), std::string::npos) << r.err;
  EXPECT_EQ(Json::Parse(r.out, "stdout").at("frames").number(), 9);
}

TEST_F(ReconstructCliTest, BadInputAndUsageErrors) {
  // One usable camera: bad input, exit 1, one error line.
  Result r = RunCli(Common() + CameraArgs(1) + " -o " + (kRoot / "one.c3d").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err.rfind("error: ", 0), r.err.find("error: ")) << r.err;
  EXPECT_NE(r.err.find("at least 2"), std::string::npos) << r.err;
  // Missing --rig, a malformed --camera, an unknown output format.
  EXPECT_EQ(RunCli(" --markers m.yml --camera a=b -o x.c3d").status, 2);
  EXPECT_EQ(RunCli(Common() + " --camera cam0 -o x.c3d").status, 2);
  EXPECT_EQ(RunCli(Common() + CameraArgs(2) + " -o " + (kRoot / "x.txt").string()).status, 1);
  // A take folder that is not one.
  r = RunCli((kRoot / "nowhere").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("error: "), std::string::npos);
  // A marker set of another dictionary finds none of its markers: an error,
  // not an empty recording that reads as a take that went fine.
  std::string other = ReadFileText(kRoot / "session" / "markers.yml");
  other.replace(other.find("dictionary: DICT_4X4_50"), 23, "dictionary: DICT_6X6_50");
  WriteFileAtomic(kRoot / "other_dict.yml", other);
  std::string other_set = Common();
  other_set.replace(other_set.find((kRoot / "session" / "markers.yml").string()),
                    (kRoot / "session" / "markers.yml").string().size(),
                    (kRoot / "other_dict.yml").string());
  r = RunCli(other_set + CameraArgs(2) + " -o " + (kRoot / "empty.c3d").string());
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("no marker of this marker set was reconstructed"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(kRoot / "empty.c3d"));
  // The session folder given for a take: its takes are named.
  r = RunCli((kRoot / "session").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("is a session, not a take; give one of its takes: hinge"),
            std::string::npos) << r.err;
  // A --csv that cannot be written fails before the frames are read and
  // leaves the -o file as it was (it was replaced, then the command failed).
  const fs::path kept = kRoot / "kept.c3d";
  WriteFileAtomic(kept, "an earlier result");
  r = RunCli(Common() + CameraArgs(2) + " -o " + kept.string() + " --csv " +
             (kRoot / "no_such_folder" / "x.csv").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("no_such_folder"), std::string::npos) << r.err;
  EXPECT_EQ(ReadFileText(kept), "an earlier result");
  // A low-pass at or above half the frame rate, or a tiny one (it crashed the
  // filter), is a usage error or a result, never a crash.
  EXPECT_EQ(RunCli(Common() + CameraArgs(2) + " -o " + (kRoot / "lp.c3d").string() +
                   " --lowpass-hz 30").status, 2);
  EXPECT_EQ(RunCli(Common() + CameraArgs(2) + " -o " + (kRoot / "lp.c3d").string() +
                   " --lowpass-hz 1e-8").status, 0);
  std::string huge_fps = Common();
  huge_fps.replace(huge_fps.find("--fps 60"), 8, "--fps 1e308");  // C3D's float rate: inf
  r = RunCli(huge_fps + CameraArgs(2) + " -o " + (kRoot / "lp.c3d").string());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--fps must be"), std::string::npos) << r.err;
  EXPECT_EQ(RunCli(Common() + " --fps 50" + CameraArgs(2) + " -o " + (kRoot / "lp.c3d").string())
                .status, 2) << "--fps given twice";
}

}  // namespace
}  // namespace hl
