#include "core/trc.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/file_util.h"

namespace hl {
namespace {

// Positions spanning what a lab sees (sub-millimetre to tens of metres),
// with every fifth sample missing.
Recording RandomRecording(int frames, const std::vector<std::string>& labels, double rate,
                          int64_t first_frame, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uni(-1.0, 1.0);
  std::uniform_int_distribution<int> exponent(-4, 1);
  Recording rec;
  rec.points = Trajectories(labels, frames, rate);
  rec.points.set_first_frame(first_frame);
  for (int f = 0; f < frames; ++f) {
    for (int l = 0; l < rec.points.num_labels(); ++l) {
      if ((f * 7 + l * 3) % 5 == 0) continue;
      Sample& s = rec.points.at(f, l);
      for (int k = 0; k < 3; ++k) s.position_m[k] = uni(rng) * std::pow(10.0, exponent(rng));
      s.residual_px = 0.25f;
      s.n_cameras = 3;
    }
  }
  return rec;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string ErrorText(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TrcTest, WritesTheOpenSimHeaderInMillimetres) {
  Recording rec;
  rec.points = Trajectories({"M0", "SACRUM"}, 2, 100.0);
  rec.points.set_first_frame(9);
  rec.points.at(0, 0).position_m = {0.001, -0.25, 1.5};
  rec.points.at(0, 0).residual_px = 0.5f;
  rec.points.at(1, 1).position_m = {1, 2, 3};
  rec.points.at(1, 1).residual_px = 0.0f;
  const std::vector<std::string> lines = Lines(SerializeTrc(rec));
  ASSERT_EQ(lines.size(), 8u);
  EXPECT_EQ(lines[0], "PathFileType\t4\t(X/Y/Z)\thingelab.trc");
  EXPECT_EQ(lines[1],
            "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\t"
            "OrigNumFrames");
  EXPECT_EQ(lines[2], "100\t100\t2\t2\tmm\t100\t10\t2");
  EXPECT_EQ(lines[3], "Frame#\tTime\tM0\t\t\tSACRUM\t\t");
  EXPECT_EQ(lines[4], "\t\tX1\tY1\tZ1\tX2\tY2\tZ2");
  EXPECT_EQ(lines[5], "");
  EXPECT_EQ(lines[6], "10\t0.09\t1\t-250\t1500\t\t\t");
  EXPECT_EQ(lines[7], "11\t0.1\t\t\t\t1000\t2000\t3000");
}

TEST(TrcTest, RoundTripKeepsEverythingTrcCanHold) {
  const Recording rec = RandomRecording(300, {"M0", "M10", "KNEE_L", "Left Knee"}, 200.0, 704, 7);
  const Recording back = ParseTrc(SerializeTrc(rec), "mem.trc");
  EXPECT_EQ(back.format, "trc");
  EXPECT_EQ(back.units, "mm");
  ASSERT_EQ(back.points.labels(), rec.points.labels());
  ASSERT_EQ(back.points.num_frames(), 300);
  EXPECT_EQ(back.points.rate_hz(), 200.0);
  EXPECT_EQ(back.points.first_frame(), 704);
  double worst_relative = 0.0;
  int valid = 0;
  for (int f = 0; f < 300; ++f) {
    for (int l = 0; l < 4; ++l) {
      const Sample& a = rec.points.at(f, l);
      const Sample& b = back.points.at(f, l);
      ASSERT_EQ(a.valid(), b.valid()) << "frame " << f << " label " << l;
      if (!a.valid()) continue;
      ++valid;
      EXPECT_EQ(b.residual_px, 0.0f);  // TRC has no residuals
      EXPECT_EQ(b.n_cameras, 0);
      for (int k = 0; k < 3; ++k) {
        const double rel =
            std::fabs(a.position_m[k] - b.position_m[k]) / std::fabs(a.position_m[k]);
        worst_relative = std::max(worst_relative, rel);
      }
    }
  }
  EXPECT_GT(valid, 800);
  EXPECT_LE(worst_relative, 1e-12);
}

TEST(TrcTest, ReadsTolerantly) {
  // CRLF, Units cm, a NumFrames that disagrees with the data, a row whose
  // trailing fields are missing and one whose middle marker is empty.
  const std::string text =
      "PathFileType\t4\t(X/Y/Z)\tx.trc\r\n"
      "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\t"
      "OrigNumFrames\r\n"
      "50\t50\t99\t3\tcm\t50\t1\t99\r\n"
      "Frame#\tTime\tA\t\t\tB\t\t\tC\r\n"
      "\t\tX1\tY1\tZ1\tX2\tY2\tZ2\tX3\tY3\tZ3\r\n"
      "\r\n"
      "5\t0.08\t1\t2\t3\t\t\t\t7\t8\t9\r\n"
      "6\t0.1\t10\t20\t30\r\n"
      "\r\n";
  const Recording rec = ParseTrc(text, "x.trc");
  EXPECT_EQ(rec.units, "cm");
  ASSERT_EQ(rec.points.num_frames(), 2);
  ASSERT_EQ(rec.points.labels(), (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_EQ(rec.points.rate_hz(), 50.0);
  EXPECT_EQ(rec.points.first_frame(), 4);
  EXPECT_TRUE(rec.points.at(0, 0).valid());
  EXPECT_EQ(rec.points.at(0, 0).position_m, Eigen::Vector3d(0.01, 0.02, 0.03));
  EXPECT_FALSE(rec.points.at(0, 1).valid());
  EXPECT_EQ(rec.points.at(0, 2).position_m, Eigen::Vector3d(0.07, 0.08, 0.09));
  EXPECT_EQ(rec.points.at(1, 0).position_m, Eigen::Vector3d(0.1, 0.2, 0.3));
  EXPECT_FALSE(rec.points.at(1, 1).valid());
  EXPECT_FALSE(rec.points.at(1, 2).valid());
}

TEST(TrcTest, ReadsWhitespaceSeparatedMetresWithNanGaps) {
  const std::string text =
      "PathFileType 4 (X/Y/Z) y.trc\n"
      "DataRate CameraRate NumFrames NumMarkers Units\n"
      "120 120 2 2 m\n"
      "Frame# Time P Q\n"
      "X1 Y1 Z1 X2 Y2 Z2\n"
      "1 0 0.5 0.25 1 NaN NaN NaN\n"
      "2 0.00833 0.5 0.25 1.5 1 2 3\n";
  const Recording rec = ParseTrc(text, "y.trc");
  EXPECT_EQ(rec.units, "m");
  ASSERT_EQ(rec.points.num_frames(), 2);
  EXPECT_EQ(rec.points.rate_hz(), 120.0);
  EXPECT_EQ(rec.points.first_frame(), 0);
  EXPECT_EQ(rec.points.at(0, 0).position_m, Eigen::Vector3d(0.5, 0.25, 1.0));
  EXPECT_FALSE(rec.points.at(0, 1).valid());
  EXPECT_EQ(rec.points.at(1, 1).position_m, Eigen::Vector3d(1, 2, 3));
}

TEST(TrcTest, RateComesFromTheTimeColumnWhenTheHeaderHasNone) {
  const std::string text =
      "PathFileType\t4\t(X/Y/Z)\tz.trc\n"
      "DataRate\tNumFrames\n"
      "\t3\n"
      "Frame#\tTime\tA\n"
      "1\t0\t1\t2\t3\n"
      "2\t0.04\t1\t2\t3\n"
      "3\t0.08\t1\t2\t3\n";
  const Recording rec = ParseTrc(text, "z.trc");
  EXPECT_NEAR(rec.points.rate_hz(), 25.0, 1e-9);
  EXPECT_EQ(rec.units, "mm");  // no Units field: the format's default
  EXPECT_EQ(rec.points.at(2, 0).position_m, Eigen::Vector3d(0.001, 0.002, 0.003));
}

TEST(TrcTest, ErrorsNameTheFileAndLine) {
  const std::string header =
      "PathFileType\t4\t(X/Y/Z)\tf.trc\n"
      "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\n"
      "100\t100\t1\t2\tmm\n";
  EXPECT_NE(ErrorText([] { ParseTrc("frame,time\n", "f.trc"); }).find("f.trc: not a TRC file"),
            std::string::npos);
  EXPECT_NE(ErrorText([&] {
              ParseTrc(header + "Frame#\tTime\tA\t\t\tB\n1\t0\t1\t2\tx3\n", "f.trc");
            }).find("f.trc:5: marker 'A': 'x3' is not a number"),
            std::string::npos);
  EXPECT_NE(ErrorText([&] {
              ParseTrc(header + "Frame#\tTime\tA\t\t\tA\n", "f.trc");
            }).find("f.trc:4: label 'A' appears twice"),
            std::string::npos);
  EXPECT_NE(ErrorText([&] { ParseTrc(header + "Time\tA\n", "f.trc"); }).find("f.trc:4: expected"),
            std::string::npos);
  std::string inches = header;
  inches.replace(inches.find("\tmm"), 3, "\tin");
  EXPECT_NE(ErrorText([&] {
              ParseTrc(inches + "Frame#\tTime\tA\n", "f.trc");
            }).find("f.trc:3: unknown Units 'in'"),
            std::string::npos);
  EXPECT_NE(ErrorText([] { ParseTrc("PathFileType\t4\n", "f.trc"); }).find("cut short"),
            std::string::npos);
  // A copy cut before its last rows (NumFrames 3, two rows, the last cut
  // mid-number) is not read as a shorter recording.
  std::string three = header;
  three.replace(three.find("100\t100\t1\t"), 10, "100\t100\t3\t");
  EXPECT_NE(ErrorText([&] {
              ParseTrc(three + "Frame#\tTime\tA\n\n1\t0\t1\t2\t3\n2\t0.01\t1\t2\t3.", "f.trc");
            }).find("f.trc: is cut short: the header says 3 frames, the file holds 2 rows"),
            std::string::npos);
}

TEST(TrcTest, RefusesLabelsItCannotWrite) {
  Recording rec;
  rec.points = Trajectories({"A\tB"}, 1, 100.0);
  EXPECT_THROW(SerializeTrc(rec), Error);
}

TEST(TrcTest, FileRoundTripAndMissingFile) {
  const std::filesystem::path dir = std::filesystem::path(HL_BINARY_DIR) / "trc_test_tmp";
  std::filesystem::create_directories(dir);
  const Recording rec = RandomRecording(20, {"M1", "M2"}, 60.0, 0, 3);
  WriteTrc(dir / "a.trc", rec);
  const std::string text = ReadFileText(dir / "a.trc");
  EXPECT_EQ(text.substr(0, text.find('\n')), "PathFileType\t4\t(X/Y/Z)\ta.trc");
  const Recording back = ReadTrc(dir / "a.trc");
  EXPECT_EQ(back.points.num_frames(), 20);
  EXPECT_EQ(back.points.labels(), rec.points.labels());
  const std::string err = ErrorText([&] { ReadTrc(dir / "missing.trc"); });
  EXPECT_NE(err.find("missing.trc"), std::string::npos) << err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hl
