// Runs the built `hingelab` program the way a user does and checks exit
// status, stdout and stderr.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/file_util.h"
#include "core/json.h"
#include "core/recording.h"
#include "core/rig.h"

namespace hl {
namespace {

namespace fs = std::filesystem;

const std::string kProgram = HL_BINARY_DIR "/bin/hingelab";
const fs::path kVicon = fs::path(HL_SHARED_DIR) / "data/real/c3d/Vicon.c3d";

struct RunResult {
  int status = -1;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(HL_BINARY_DIR) / "cli_test_tmp" /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Arguments are single-quoted for the shell; none of ours hold a quote.
  RunResult Hingelab(const std::vector<std::string>& args) const {
    std::string cmd = "'" + kProgram + "'";
    for (const auto& a : args) cmd += " '" + a + "'";
    const fs::path out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
    cmd += " >'" + out.string() + "' 2>'" + err.string() + "'";
    RunResult r;
    const int raw = std::system(cmd.c_str());
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = ReadFileText(out);
    r.err = ReadFileText(err);
    return r;
  }

  fs::path dir_;
};

int CountLines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

TEST_F(CliTest, InfoJsonOnViconMatchesTheReference) {
  const RunResult r = Hingelab({"info", kVicon.string(), "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const Json j = Json::Parse(r.out, "stdout");  // the whole of stdout is one object
  ASSERT_TRUE(j.is_object());
  std::vector<std::string> keys;
  for (const auto& kv : j.object()) keys.push_back(kv.first);
  EXPECT_EQ(keys, (std::vector<std::string>{"format", "points", "frames", "rate_hz", "first_frame",
                                            "units", "labels", "analog_channels"}));
  EXPECT_EQ(j.at("format").str(), "c3d");
  EXPECT_EQ(j.at("points").number(), 51);
  EXPECT_EQ(j.at("frames").number(), 580);
  EXPECT_EQ(j.at("rate_hz").number(), 100);
  EXPECT_EQ(j.at("first_frame").number(), 1);
  EXPECT_EQ(j.at("units").str(), "mm");
  ASSERT_EQ(j.at("labels").size(), 51u);
  EXPECT_EQ(j.at("labels").array()[0].str(), "boite:gauche_ext");
  EXPECT_EQ(j.at("analog_channels").number(), 38);

  const RunResult text = Hingelab({"info", kVicon.string()});
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("boite:gauche_ext"), std::string::npos);
  EXPECT_NE(text.out.find("580"), std::string::npos);
}

TEST_F(CliTest, ConvertC3dTrcCsvC3dKeepsTheRecording) {
  const fs::path trc = dir_ / "v.trc", csv = dir_ / "v.csv", c3d = dir_ / "v.c3d";
  for (const auto& [in, out] :
       std::vector<std::pair<fs::path, fs::path>>{{kVicon, trc}, {trc, csv}, {csv, c3d}}) {
    const RunResult r = Hingelab({"convert", in.string(), out.string()});
    ASSERT_EQ(r.status, 0) << in << " -> " << out << ": " << r.err;
    EXPECT_EQ(CountLines(r.out), 1) << r.out;
  }
  const Recording original = ReadRecording(kVicon);
  for (const fs::path& p : {trc, csv, c3d}) {
    SCOPED_TRACE(p.string());
    const Recording rec = ReadRecording(p);
    ASSERT_EQ(rec.points.labels(), original.points.labels());
    ASSERT_EQ(rec.points.num_frames(), original.points.num_frames());
    EXPECT_EQ(rec.points.rate_hz(), original.points.rate_hz());
    EXPECT_EQ(rec.points.first_frame(), original.points.first_frame());
    double worst_m = 0.0;
    int valid = 0;
    for (int f = 0; f < rec.points.num_frames(); ++f) {
      for (int l = 0; l < rec.points.num_labels(); ++l) {
        const Sample& a = original.points.at(f, l);
        const Sample& b = rec.points.at(f, l);
        ASSERT_EQ(a.valid(), b.valid()) << "frame " << f << " label " << l;
        if (!a.valid()) continue;
        ++valid;
        worst_m = std::max(worst_m, (a.position_m - b.position_m).cwiseAbs().maxCoeff());
      }
    }
    EXPECT_GT(valid, 0);
    // TRC and CSV hold the doubles; C3D stores float millimetres again.
    EXPECT_LE(worst_m, 1e-6);
  }
  // The summary of the final C3D says the same as the original's, apart
  // from the analog channels the text formats dropped.
  const RunResult r = Hingelab({"info", c3d.string(), "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const Json j = Json::Parse(r.out, "stdout");
  EXPECT_EQ(j.at("points").number(), 51);
  EXPECT_EQ(j.at("frames").number(), 580);
  EXPECT_EQ(j.at("rate_hz").number(), 100);
  EXPECT_EQ(j.at("first_frame").number(), 1);
  EXPECT_EQ(j.at("analog_channels").number(), 0);
}

TEST_F(CliTest, MissingFileIsOneErrorLineNamingIt) {
  const std::string missing = (dir_ / "no_such_take.c3d").string();
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"info", missing}, {"info", missing, "--json"}, {"convert", missing, "out.trc"}}) {
    const RunResult r = Hingelab(args);
    EXPECT_EQ(r.status, 1) << args[0];
    EXPECT_EQ(r.out, "") << args[0];
    EXPECT_EQ(CountLines(r.err), 1) << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  }
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Hingelab({"info", kVicon.string(), "--no-such-option"}).status, 2);
  EXPECT_EQ(Hingelab({"convert", kVicon.string()}).status, 2);
  EXPECT_EQ(Hingelab({"info"}).status, 2);
  const RunResult r = Hingelab({"convert", "a.c3d", "b.trc", "--bogus"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--bogus"), std::string::npos) << r.err;
  // The demo at a size where its calibration stage cannot find the board
  // stops before rendering anything (at 960x540 it failed after 20 s).
  const RunResult small = Hingelab({"demo", "--size", "960x540", "--no-view", "-o",
                                    (dir_ / "demo").string()});
  EXPECT_EQ(small.status, 2);
  EXPECT_NE(small.err.find("1280x720"), std::string::npos) << small.err;
  EXPECT_TRUE(fs::is_empty(dir_ / "demo"));
}

TEST_F(CliTest, ConvertRefusesToOverwriteItsInputAndUnknownFormats) {
  const fs::path copy = dir_ / "in.c3d";
  fs::copy_file(kVicon, copy);
  const auto size = fs::file_size(copy);
  const RunResult same = Hingelab({"convert", copy.string(), (dir_ / "." / "in.c3d").string()});
  EXPECT_EQ(same.status, 1);
  EXPECT_NE(same.err.find("input"), std::string::npos) << same.err;
  EXPECT_EQ(fs::file_size(copy), size);

  const RunResult unknown = Hingelab({"convert", copy.string(), (dir_ / "out.xyz").string()});
  EXPECT_EQ(unknown.status, 1);
  EXPECT_EQ(unknown.err.rfind("error: ", 0), 0u) << unknown.err;
  EXPECT_NE(unknown.err.find("unknown recording format '.xyz'"), std::string::npos) << unknown.err;
  EXPECT_FALSE(fs::exists(dir_ / "out.xyz"));

  const RunResult info_unknown = Hingelab({"info", (dir_ / "notes.txt").string()});
  EXPECT_EQ(info_unknown.status, 1);
  EXPECT_NE(info_unknown.err.find("unknown file type '.txt'"), std::string::npos)
      << info_unknown.err;
}

TEST_F(CliTest, InfoTellsAYamlThatIsNeitherRigNorMarkerSet) {
  const fs::path odd = dir_ / "odd.yml";
  WriteFileAtomic(odd, "hello: world\n");
  const RunResult r = Hingelab({"info", odd.string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("neither a rig"), std::string::npos) << r.err;
}

TEST_F(CliTest, InfoOnARigListsItsCameras) {
  Rig rig;
  for (int i = 0; i < 2; ++i) {
    Camera c;
    c.name = "cam" + std::to_string(i);
    c.width = 1920;
    c.height = 1080;
    c.fx = 1000.5 + i;
    c.fy = 1001.25;
    c.cx = 959.5;
    c.cy = 539.5 - i;
    c.dist = {0.1, -0.05, 0, 0, 0};
    c.rms_px = 0.25 * (i + 1);
    rig.cameras.push_back(c);
  }
  const fs::path yml = dir_ / "rig.yml", toml = dir_ / "rig.toml";
  WriteFileAtomic(yml, SerializeRigYaml(rig));
  WriteFileAtomic(toml, SerializeRigToml(rig));
  for (const fs::path& p : {yml, toml}) {
    const RunResult r = Hingelab({"info", p.string(), "--json"});
    ASSERT_EQ(r.status, 0) << r.err;
    const Json j = Json::Parse(r.out, "stdout");
    EXPECT_EQ(j.at("type").str(), "rig");
    ASSERT_EQ(j.at("cameras").size(), 2u);
    const Json& cam1 = j.at("cameras").array()[1];
    EXPECT_EQ(cam1.at("name").str(), "cam1");
    EXPECT_EQ(cam1.at("image_size").array()[0].number(), 1920);
    EXPECT_EQ(cam1.at("image_size").array()[1].number(), 1080);
    EXPECT_EQ(cam1.at("fx").number(), 1001.5);
    EXPECT_EQ(cam1.at("fy").number(), 1001.25);
    EXPECT_EQ(cam1.at("cx").number(), 959.5);
    EXPECT_EQ(cam1.at("cy").number(), 538.5);
  }
  // The YAML form keeps per-camera RMS.
  const Json j = Json::Parse(Hingelab({"info", yml.string(), "--json"}).out, "stdout");
  EXPECT_EQ(j.at("cameras").array()[1].at("rms_px").number(), 0.5);
}

TEST_F(CliTest, InfoOnAMarkerSetGroupsMarkersBySegment) {
  const fs::path set = dir_ / "markers.yaml";
  WriteFileAtomic(set,
                  "dictionary: DICT_4X4_50\n"
                  "marker_length_m: 0.05\n"
                  "markers:\n"
                  "  - {id: 0, segment: dowel}\n"
                  "  - {id: 1, segment: dowel}\n"
                  "  - {id: 10, segment: pelvis}\n"
                  "  - {id: 20, segment: knee_left, length_m: 0.04}\n");
  const RunResult r = Hingelab({"info", set.string(), "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const Json j = Json::Parse(r.out, "stdout");
  EXPECT_EQ(j.at("type").str(), "marker_set");
  EXPECT_EQ(j.at("dictionary").str(), "DICT_4X4_50");
  EXPECT_EQ(j.at("marker_length_m").number(), 0.05);
  EXPECT_EQ(j.at("markers").number(), 4);
  const Json::Array& segments = j.at("segments").array();
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_EQ(segments[0].at("segment").str(), "dowel");
  EXPECT_EQ(segments[0].at("ids").size(), 2u);
  EXPECT_EQ(segments[2].at("segment").str(), "knee_left");
  EXPECT_EQ(segments[2].at("length_m").array()[0].number(), 0.04);
  const RunResult text = Hingelab({"info", set.string()});
  EXPECT_NE(text.out.find("knee_left: 20 (0.04 m)"), std::string::npos) << text.out;
}

}  // namespace
}  // namespace hl
