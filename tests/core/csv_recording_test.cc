#include "core/csv_recording.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"

namespace hl {
namespace {

Recording RandomRecording(int frames, const std::vector<std::string>& labels, double rate,
                          int64_t first_frame, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uni(-3.0, 3.0);
  std::uniform_real_distribution<float> residual(0.0f, 2.0f);
  Recording rec;
  rec.points = Trajectories(labels, frames, rate);
  rec.points.set_first_frame(first_frame);
  for (int f = 0; f < frames; ++f) {
    for (int l = 0; l < rec.points.num_labels(); ++l) {
      if (rng() % 6 == 0) continue;  // missing sample
      Sample& s = rec.points.at(f, l);
      s.position_m = {uni(rng), uni(rng), uni(rng)};
      s.residual_px = residual(rng);
      s.n_cameras = static_cast<uint8_t>(2 + rng() % 6);
    }
  }
  return rec;
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof(a)) == 0; }

void ExpectIdentical(const Recording& a, const Recording& b) {
  ASSERT_EQ(a.points.labels(), b.points.labels());
  ASSERT_EQ(a.points.num_frames(), b.points.num_frames());
  EXPECT_TRUE(SameBits(a.points.rate_hz(), b.points.rate_hz()))
      << a.points.rate_hz() << " vs " << b.points.rate_hz();
  EXPECT_EQ(a.points.first_frame(), b.points.first_frame());
  for (int f = 0; f < a.points.num_frames(); ++f) {
    for (int l = 0; l < a.points.num_labels(); ++l) {
      const Sample& x = a.points.at(f, l);
      const Sample& y = b.points.at(f, l);
      ASSERT_EQ(x.valid(), y.valid()) << "frame " << f << " label " << l;
      if (!x.valid()) continue;
      for (int k = 0; k < 3; ++k) ASSERT_TRUE(SameBits(x.position_m[k], y.position_m[k]));
      ASSERT_EQ(x.residual_px, y.residual_px);
      ASSERT_EQ(x.n_cameras, y.n_cameras);
    }
  }
}

std::string ErrorText(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

constexpr const char* kHeader = "frame,time_s,label,x_m,y_m,z_m,residual_px,n_cameras\n";

TEST(CsvRecordingTest, WritesTheLongForm) {
  Recording rec;
  rec.points = Trajectories({"M10", "SACRUM"}, 2, 50.0);
  rec.points.set_first_frame(3);
  Sample& s = rec.points.at(0, 0);
  s.position_m = {0.1, -2, 1e-5};
  s.residual_px = 0.1f;
  s.n_cameras = 4;
  rec.points.at(1, 1).position_m = {1, 2, 3};
  rec.points.at(1, 1).residual_px = 0.0f;
  EXPECT_EQ(SerializeCsvRecording(rec), std::string(kHeader) +
                                            "3,0.06,M10,0.1,-2,1e-05,0.1,4\n"
                                            "3,0.06,SACRUM,,,,-1,0\n"
                                            "4,0.08,M10,,,,-1,0\n"
                                            "4,0.08,SACRUM,1,2,3,0,0\n");
}

TEST(CsvRecordingTest, RoundTripIsExactForManyRates) {
  for (double rate : {100.0, 200.0, 120.0, 30000.0 / 1001.0, 60000.0 / 1001.0, 59.94, 1.0 / 3.0}) {
    SCOPED_TRACE(rate);
    const Recording rec = RandomRecording(500, {"M0", "M1", "KNEE_L", "DOWEL_TOP"}, rate, 704, 11);
    const std::string text = SerializeCsvRecording(rec);
    const Recording back = ParseCsvRecording(text, "mem.csv");
    EXPECT_EQ(back.format, "csv");
    EXPECT_EQ(back.units, "m");
    ExpectIdentical(rec, back);
    EXPECT_EQ(SerializeCsvRecording(back), text);
  }
}

TEST(CsvRecordingTest, LabelsWithCommasAndQuotesSurvive) {
  const Recording rec = RandomRecording(3, {"a,b", "say \"hi\"", " padded "}, 100.0, 0, 5);
  const Recording back = ParseCsvRecording(SerializeCsvRecording(rec), "mem.csv");
  ExpectIdentical(rec, back);
}

TEST(CsvRecordingTest, ReadsOtherWritersTolerantly) {
  // BOM, CRLF, rows only for seen labels, a frame with no rows at all, times
  // starting at zero although frames start at 10, labels first seen late.
  const std::string text = std::string("\xEF\xBB\xBF") +
                           "frame,time_s,label,x_m,y_m,z_m,residual_px,n_cameras\r\n"
                           "10,0,B,1,2,3,0.5,2\r\n"
                           "11,0.01,B,1,2,3,,\r\n"
                           "11,0.01,A,4,5,6,0.25,3\r\n"
                           "\r\n"
                           "13,0.03,A,7,8,9,0.5,2\r\n";
  const Recording rec = ParseCsvRecording(text, "other.csv");
  ASSERT_EQ(rec.points.labels(), (std::vector<std::string>{"B", "A"}));
  ASSERT_EQ(rec.points.num_frames(), 4);
  EXPECT_EQ(rec.points.first_frame(), 10);
  EXPECT_NEAR(rec.points.rate_hz(), 100.0, 1e-9);
  EXPECT_TRUE(rec.points.at(0, 0).valid());
  EXPECT_FALSE(rec.points.at(0, 1).valid());
  EXPECT_EQ(rec.points.at(1, 0).residual_px, 0.0f);  // empty residual: valid, unknown quality
  EXPECT_EQ(rec.points.at(1, 0).n_cameras, 0);
  EXPECT_EQ(rec.points.at(1, 1).position_m, Eigen::Vector3d(4, 5, 6));
  EXPECT_EQ(rec.points.at(1, 1).residual_px, 0.25f);
  EXPECT_FALSE(rec.points.at(2, 0).valid());
  EXPECT_FALSE(rec.points.at(2, 1).valid());
  EXPECT_EQ(rec.points.at(3, 1).position_m, Eigen::Vector3d(7, 8, 9));
}

TEST(CsvRecordingTest, HeaderOnlyIsAnEmptyRecording) {
  const Recording rec = ParseCsvRecording(kHeader, "empty.csv");
  EXPECT_EQ(rec.points.num_frames(), 0);
  EXPECT_EQ(rec.points.num_labels(), 0);
}

TEST(CsvRecordingTest, ErrorsNameTheFileAndLine) {
  const std::string h = kHeader;
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"", "f.csv: is empty"},
      {"frame,time,label\n", "f.csv:1: expected the header"},
      {h + "0,0,A,1,2,3,0,1\n0,0,A,1,2\n", "f.csv:3: has 5 fields"},
      {h + "0,0,A,1,2,x,0,1\n", "f.csv:2: coordinate 'x' is not a number"},
      {h + "0,0,A,1,2,,0,1\n", "f.csv:2: x_m, y_m and z_m must be all given"},
      {h + "0,0,A,1,2,3,0,1\n0,0,A,1,2,3,0,1\n", "f.csv:3: label 'A' appears twice in frame 0"},
      {h + "5,0,A,1,2,3,0,1\n4,0,A,1,2,3,0,1\n", "f.csv:3: frame 4 comes after frame 5"},
      {h + "0,0,A,1,2,3,0,300\n", "f.csv:2: n_cameras '300'"},
      {h + "0.5,0,A,1,2,3,0,1\n", "f.csv:2: frame '0.5'"},
      {h + "0,0,\"A,1,2,3,0,1\n", "f.csv:2: a quoted field is not closed"},
      {h + "0,0,A,1,2,3,0,1\n900000000,9,A,1,2,3,0,1\n", "f.csv: frames 0 to 900000000"},
  };
  for (const Case& c : cases) {
    const std::string err = ErrorText([&] { ParseCsvRecording(c.text, "f.csv"); });
    EXPECT_EQ(err.rfind(c.expected, 0), 0u) << "got: " << err << "\nexpected: " << c.expected;
  }
}

TEST(CsvRecordingTest, FileRoundTrip) {
  const std::filesystem::path dir = std::filesystem::path(HL_BINARY_DIR) / "csv_recording_test_tmp";
  std::filesystem::create_directories(dir);
  const Recording rec = RandomRecording(50, {"M1", "M2", "M3"}, 100.0, 0, 9);
  WriteCsvRecording(dir / "a.csv", rec);
  ExpectIdentical(rec, ReadCsvRecording(dir / "a.csv"));
  EXPECT_NE(ErrorText([&] { ReadCsvRecording(dir / "nope.csv"); }).find("nope.csv"),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hl
