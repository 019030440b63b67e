#include "core/c3d.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "core/error.h"
#include "core/file_util.h"

namespace hl {
namespace {

namespace fs = std::filesystem;

const std::string kRealDir = std::string(HL_SHARED_DIR) + "/data/real/c3d/";

// ---------------------------------------------------------------- helpers

uint16_t U16(const std::string& b, size_t off) {
  return static_cast<uint16_t>(static_cast<uint8_t>(b[off]) | static_cast<uint8_t>(b[off + 1]) << 8);
}
float F32(const std::string& b, size_t off) {
  float f;
  std::memcpy(&f, b.data() + off, 4);  // Intel files on a little-endian test machine
  return f;
}

// An Intel parameter found by walking the records the way the spec lays them
// out (independently of the reader): byte offset of its data, type and dims.
struct RawParam {
  size_t data = 0;
  int type = 0;
  std::vector<int> dims;
};
std::map<std::string, RawParam> RawParams(const std::string& b) {
  std::map<int, std::string> groups;
  std::vector<std::pair<int, std::pair<std::string, RawParam>>> params;
  size_t pos = (static_cast<uint8_t>(b[0]) - 1) * 512 + 4;
  while (true) {
    const int len = std::abs(static_cast<int8_t>(b[pos]));
    const int id = static_cast<int8_t>(b[pos + 1]);
    if (len == 0) break;
    const std::string name = b.substr(pos + 2, len);
    const size_t word = pos + 2 + len;
    const uint16_t next = U16(b, word);
    if (id < 0) {
      groups[-id] = name;
    } else {
      RawParam p;
      p.type = static_cast<int8_t>(b[word + 2]);
      const int nd = static_cast<uint8_t>(b[word + 3]);
      for (int d = 0; d < nd; ++d) p.dims.push_back(static_cast<uint8_t>(b[word + 4 + d]));
      p.data = word + 4 + nd;
      params.push_back({id, {name, p}});
    }
    if (next == 0) break;
    pos = word + next;
  }
  std::map<std::string, RawParam> out;
  for (auto& [id, np] : params) out[groups.at(id) + ":" + np.first] = np.second;
  return out;
}

Recording MakeRecording(int num_labels, int num_frames, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> pos(-2.5, 2.5);
  std::uniform_real_distribution<float> res(0.0f, 1.7f);
  std::vector<std::string> labels;
  for (int i = 0; i < num_labels; ++i) labels.push_back("M" + std::to_string(i));
  Recording rec;
  rec.points = Trajectories(labels, num_frames, 119.88);
  rec.points.set_first_frame(41);
  for (int f = 0; f < num_frames; ++f) {
    for (int l = 0; l < num_labels; ++l) {
      if (rng() % 7 == 0) continue;  // invalid
      Sample& s = rec.points.at(f, l);
      s.position_m = {pos(rng), pos(rng), pos(rng)};
      s.residual_px = res(rng);
      s.n_cameras = static_cast<uint8_t>(rng() % 7);
    }
  }
  rec.marker_set_yaml =
      "dictionary: DICT_4X4_50\nmarker_length_m: 0.05\nmarkers:\n  - {id: 0, segment: dowel}\n";
  return rec;
}

// Positions as a float in millimetres holds them.
double FloatMm(double m) { return static_cast<double>(static_cast<float>(m * 1e3)) * 1e-3; }

void ExpectSameRecording(const Recording& in, const Recording& out, double position_tol_m,
                         double residual_tol_px) {
  const Trajectories& a = in.points;
  const Trajectories& b = out.points;
  ASSERT_EQ(a.labels(), b.labels());
  ASSERT_EQ(a.num_frames(), b.num_frames());
  EXPECT_FLOAT_EQ(a.rate_hz(), b.rate_hz());
  EXPECT_EQ(a.first_frame(), b.first_frame());
  EXPECT_EQ(in.marker_set_yaml, out.marker_set_yaml);
  int checked = 0;
  for (int f = 0; f < a.num_frames(); ++f) {
    for (int l = 0; l < a.num_labels(); ++l) {
      const Sample& x = a.at(f, l);
      const Sample& y = b.at(f, l);
      ASSERT_EQ(x.valid(), y.valid()) << "frame " << f << " label " << l;
      if (!x.valid()) continue;
      for (int k = 0; k < 3; ++k) {
        if (position_tol_m == 0) {
          ASSERT_NEAR(FloatMm(x.position_m[k]), y.position_m[k], 1e-12);
        } else {
          ASSERT_NEAR(x.position_m[k], y.position_m[k], position_tol_m);
        }
      }
      ASSERT_NEAR(x.residual_px, y.residual_px, residual_tol_px);
      ASSERT_EQ(std::min<int>(x.n_cameras, 7), y.n_cameras);
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

float MaxResidual(const Recording& rec) {
  float m = 0;
  for (const Sample& s : rec.points.samples()) m = std::max(m, s.residual_px);
  return m;
}

Recording RoundTrip(const Recording& rec, const C3dWriteOptions& options = {}) {
  const std::string bytes = SerializeC3d(rec, options);
  return ParseC3d({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, "mem.c3d");
}

// ------------------------------------------------------------ real files

struct RealCase {
  const char* file;
  int points, frames;
  double rate;
  int64_t header_first_frame;
  const char* first_label;
  double x_mm, y_mm, z_mm;
  int analog_channels;
};

TEST(C3dTest, ReadsRealFilesLikeEzc3d) {
  const RealCase cases[] = {
      {"Vicon.c3d", 51, 580, 100, 1, "boite:gauche_ext", 44.1628, -276.8619, 675.6968, 38},
      {"Qualisys.c3d", 55, 340, 200, 705, "L_IAS", -220.1226, 306.4248, 846.3361, 69},
      {"Optotrak.c3d", 54, 29, 30, 1, "Marker_1", 326.3138, 328.6311, -366.1706, 0},
  };
  for (const RealCase& c : cases) {
    SCOPED_TRACE(c.file);
    const Recording rec = ReadC3d(kRealDir + c.file);
    const Trajectories& t = rec.points;
    EXPECT_EQ(rec.format, "c3d");
    EXPECT_EQ(rec.units, "mm");
    EXPECT_EQ(t.num_labels(), c.points);
    EXPECT_EQ(t.num_frames(), c.frames);
    EXPECT_DOUBLE_EQ(t.rate_hz(), c.rate);
    EXPECT_EQ(t.first_frame() + 1, c.header_first_frame);
    ASSERT_GT(t.num_labels(), 0);
    EXPECT_EQ(t.labels()[0], c.first_label);
    const Sample& s = t.at(0, 0);
    EXPECT_TRUE(s.valid());
    EXPECT_NEAR(s.position_m.x() * 1e3, c.x_mm, 1e-3);
    EXPECT_NEAR(s.position_m.y() * 1e3, c.y_mm, 1e-3);
    EXPECT_NEAR(s.position_m.z() * 1e3, c.z_mm, 1e-3);
    EXPECT_EQ(rec.analog.num_channels(), c.analog_channels);
    if (c.analog_channels > 0) {
      EXPECT_EQ(rec.analog.values.size(), static_cast<size_t>(c.frames) *
                                              rec.analog.samples_per_frame * c.analog_channels);
      // Skipping analog must not change the points.
      const Recording no_analog = ReadC3d(kRealDir + c.file, {.read_analog = false});
      EXPECT_TRUE(no_analog.analog.values.empty());
      EXPECT_EQ(no_analog.analog.num_channels(), c.analog_channels);
      EXPECT_EQ(no_analog.points.at(c.frames - 1, c.points - 1).position_m,
                t.at(c.frames - 1, c.points - 1).position_m);
    }
  }
}

// ------------------------------------------------------------ round trips

TEST(C3dTest, RoundTripIsExactToFloatPrecision) {
  Recording rec = MakeRecording(12, 150, 1);
  rec.points.at(3, 2).n_cameras = 11;  // more cameras than the mask holds: reads back 7
  rec.analog.labels = {"FX", "FY", "EMG1"};
  rec.analog.samples_per_frame = 4;
  rec.analog.rate_hz = 119.88 * 4;
  std::mt19937 rng(5);
  for (size_t i = 0; i < 150 * 4 * 3; ++i) rec.analog.values.push_back((rng() % 20001) * 0.01f - 100);
  const Recording out = RoundTrip(rec);
  const float quantum = std::max(0.001f, MaxResidual(rec) / 255);
  ExpectSameRecording(rec, out, 0, quantum / 2 * 1.0001);
  EXPECT_EQ(out.units, "mm");
  EXPECT_EQ(out.analog.labels, rec.analog.labels);
  EXPECT_EQ(out.analog.samples_per_frame, 4);
  EXPECT_FLOAT_EQ(out.analog.rate_hz, rec.analog.rate_hz);
  EXPECT_EQ(out.analog.values, rec.analog.values);
}

TEST(C3dTest, RoundTripMoreThan255Labels) {
  const Recording rec = MakeRecording(600, 6, 2);
  const std::string bytes = SerializeC3d(rec);
  const auto params = RawParams(bytes);
  EXPECT_EQ(params.at("POINT:LABELS").dims, (std::vector<int>{4, 255}));
  EXPECT_EQ(params.at("POINT:LABELS2").dims, (std::vector<int>{4, 255}));
  EXPECT_EQ(params.at("POINT:LABELS3").dims, (std::vector<int>{4, 90}));
  const Recording out = RoundTrip(rec);
  ExpectSameRecording(rec, out, 0, std::max(0.001f, MaxResidual(rec) / 255) / 2 * 1.0001);
}

TEST(C3dTest, RoundTripMoreThan65535Frames) {
  Recording rec = MakeRecording(2, 70000, 3);
  rec.points.set_first_frame(99999);  // header first frame saturates too
  const std::string bytes = SerializeC3d(rec);
  EXPECT_EQ(U16(bytes, 6), 0xFFFF);  // header first frame
  EXPECT_EQ(U16(bytes, 8), 0xFFFF);  // header last frame
  const auto params = RawParams(bytes);
  EXPECT_EQ(params.at("POINT:FRAMES").type, 4);
  EXPECT_EQ(F32(bytes, params.at("POINT:FRAMES").data), 70000.0f);
  const size_t start = params.at("TRIAL:ACTUAL_START_FIELD").data;
  EXPECT_EQ(U16(bytes, start) + (U16(bytes, start + 2) << 16), 100000);
  const Recording out = RoundTrip(rec);
  ExpectSameRecording(rec, out, 0, std::max(0.001f, MaxResidual(rec) / 255) / 2 * 1.0001);
}

TEST(C3dTest, DuplicateAndEmptyLabelsGetUniqueNames) {
  const Recording rec = MakeRecording(6, 3, 4);
  C3dWriteOptions options;
  options.point_labels = {"LKNE", "LKNE", "", "LKNE_2", "RKNE", "RKNE"};
  const Recording out = RoundTrip(rec, options);
  EXPECT_EQ(out.points.labels(),
            (std::vector<std::string>{"LKNE", "LKNE_3", "POINT3", "LKNE_2", "RKNE", "RKNE_2"}));
  EXPECT_NEAR(out.points.at(2, 5).position_m.x(), FloatMm(rec.points.at(2, 5).position_m.x()),
              1e-12);
}

TEST(C3dTest, LongMarkerSetSpansSeveralParameters) {
  Recording rec = MakeRecording(3, 4, 6);
  rec.marker_set_yaml = "markers:\n";
  for (int i = 0; rec.marker_set_yaml.size() < 70000; ++i) {
    rec.marker_set_yaml += "  - {id: " + std::to_string(i) + ", segment: pelvis}\n";
  }
  const std::string bytes = SerializeC3d(rec);
  EXPECT_EQ(RawParams(bytes).count("HINGELAB:MARKER_SET3"), 1u);
  EXPECT_EQ(RoundTrip(rec).marker_set_yaml, rec.marker_set_yaml);
}

// ---------------------------------------------------- bytes against the spec

TEST(C3dTest, WrittenBytesFollowTheSpec) {
  Recording rec = MakeRecording(7, 33, 7);
  rec.analog.labels = {"A", "B"};
  rec.analog.samples_per_frame = 3;
  rec.analog.values.assign(33 * 3 * 2, 0.5f);
  const std::string b = SerializeC3d(rec);
  EXPECT_EQ(b.size() % 512, 0u);
  EXPECT_EQ(static_cast<uint8_t>(b[0]), 2);     // parameters start at block 2
  EXPECT_EQ(static_cast<uint8_t>(b[1]), 0x50);  // key
  const size_t param = 512;
  EXPECT_EQ(static_cast<uint8_t>(b[param + 1]), 0x50);
  EXPECT_EQ(static_cast<uint8_t>(b[param + 3]), 84);  // Intel
  const int param_blocks = static_cast<uint8_t>(b[param + 2]);
  const auto p = RawParams(b);
  const int data_start = U16(b, 16);
  EXPECT_EQ(data_start, 2 + param_blocks);
  EXPECT_EQ(U16(b, p.at("POINT:DATA_START").data), data_start);
  EXPECT_EQ(U16(b, 2), 7);                       // points
  EXPECT_EQ(U16(b, p.at("POINT:USED").data), 7);
  EXPECT_EQ(U16(b, 4), 6);                       // analog values per frame
  EXPECT_EQ(U16(b, 18), 3);                      // analog samples per frame
  EXPECT_EQ(U16(b, p.at("ANALOG:USED").data), 2);
  EXPECT_EQ(U16(b, 6), 42);                      // first frame, 1-based
  EXPECT_EQ(U16(b, 8), 42 + 33 - 1);
  EXPECT_EQ(U16(b, p.at("POINT:FRAMES").data), 33);
  EXPECT_LT(F32(b, 12), 0);  // float storage
  EXPECT_EQ(F32(b, 12), F32(b, p.at("POINT:SCALE").data));
  EXPECT_EQ(F32(b, 20), F32(b, p.at("POINT:RATE").data));
  EXPECT_FLOAT_EQ(F32(b, 20), 119.88f);
  EXPECT_EQ(b.substr(p.at("POINT:UNITS").data, 2), "mm");
  EXPECT_EQ(b.substr(p.at("MANUFACTURER:COMPANY").data, 8), "HingeLab");
  // Data: 33 frames x (7 points x 4 floats + 6 analog floats), then zero
  // padding to the block.
  const size_t data = (data_start - 1) * 512;
  const size_t data_bytes = 33 * (7 * 16 + 6 * 4);
  EXPECT_EQ(b.size(), data + (data_bytes + 511) / 512 * 512);
  EXPECT_EQ(b.find_first_not_of('\0', data + data_bytes), std::string::npos);
  // First sample of the first frame: x in mm; 4th word = camera mask << 8 | residual.
  const Sample& s = rec.points.at(0, 0);
  const float quantum = -F32(b, 12);
  if (s.valid()) {
    EXPECT_EQ(F32(b, data), static_cast<float>(s.position_m.x() * 1e3));
    const int word = static_cast<int>(F32(b, data + 12));
    EXPECT_EQ(word >> 8, (1 << s.n_cameras) - 1);
    EXPECT_NEAR((word & 0xFF) * quantum, s.residual_px, quantum / 2 * 1.0001);
  }
  // An invalid sample: zeros and -1.
  for (int l = 0; l < 7; ++l) {
    if (rec.points.at(0, l).valid()) continue;
    EXPECT_EQ(F32(b, data + 16 * l), 0.0f);
    EXPECT_EQ(F32(b, data + 16 * l + 12), -1.0f);
  }
  EXPECT_EQ(F32(b, data + 7 * 16), 0.5f);  // first analog value
}

// ------------------------------------------- formats other systems write

TEST(C3dTest, ReadsDecMipsIntegerAndMetreFiles) {
  const Recording rec = MakeRecording(9, 40, 8);
  const float max_res = MaxResidual(rec);
  for (C3dProcessor proc : {C3dProcessor::kIntel, C3dProcessor::kDec, C3dProcessor::kMips}) {
    for (bool integer : {false, true}) {
      for (const char* units : {"mm", "m"}) {
        SCOPED_TRACE(std::to_string(static_cast<int>(proc)) + (integer ? " int " : " float ") +
                     units);
        C3dWriteOptions options;
        options.processor = proc;
        options.integer_storage = integer;
        options.units = units;
        const std::string b = SerializeC3d(rec, options);
        EXPECT_EQ(static_cast<uint8_t>(b[512 + 3]), 83 + static_cast<int>(proc));
        const Recording out =
            ParseC3d({reinterpret_cast<const uint8_t*>(b.data()), b.size()}, "x.c3d");
        EXPECT_EQ(out.units, units);
        const double to_units = std::string(units) == "mm" ? 1e3 : 1.0;
        // Integer storage: the resolution is the scale, picked to fit 2.5 m
        // in 32000 steps and the residuals in 255.
        const double scale = std::max({0.001, max_res / 255.0, 2.5 * to_units / 32000});
        const double tol_m = integer ? scale / 2 / to_units * 1.001 : 2e-7 * 2.5;
        const double res_tol = (integer ? scale : std::max(0.001, max_res / 255.0)) / 2 * 1.001;
        ExpectSameRecording(rec, out, tol_m, res_tol);
      }
    }
  }
}

TEST(C3dTest, DecAndMipsNumbersAreEncodedAsTheSpecSays) {
  Recording rec = MakeRecording(1, 1, 9);
  rec.points.set_rate_hz(100);
  C3dWriteOptions options;
  options.processor = C3dProcessor::kDec;
  std::string b = SerializeC3d(rec, options);
  // VAX F 100.0: word 0x43C8 (sign, exponent bias 128, high mantissa), then 0.
  EXPECT_EQ(b.substr(20, 4), std::string("\xC8\x43\x00\x00", 4));
  EXPECT_EQ(b.substr(2, 2), std::string("\x01\x00", 2));  // ints stay little-endian
  options.processor = C3dProcessor::kMips;
  b = SerializeC3d(rec, options);
  EXPECT_EQ(b.substr(20, 4), std::string("\x42\xC8\x00\x00", 4));
  EXPECT_EQ(b.substr(2, 2), std::string("\x00\x01", 2));
}

TEST(C3dTest, UnitsAndParameterSectionStartAsOtherSystemsWriteThem) {
  const Recording rec = MakeRecording(2, 3, 13);
  const std::string good = SerializeC3d(rec);
  const size_t units = RawParams(good).at("POINT:UNITS").data;
  const auto read_with = [&](const std::string& text) {
    std::string b = good;
    b.replace(units, 2, text);
    b[512] = b[513] = '\0';  // Qualisys / Optotrak start the section with 0, 0
    return ParseC3d({reinterpret_cast<const uint8_t*>(b.data()), b.size()}, "units.c3d");
  };
  const double x_mm = FloatMm(rec.points.at(0, 0).position_m.x()) * 1e3;
  ASSERT_TRUE(rec.points.at(0, 0).valid());
  const Recording cm = read_with("cm");
  EXPECT_EQ(cm.units, "cm");
  EXPECT_NEAR(cm.points.at(0, 0).position_m.x(), x_mm * 1e-2, 1e-9);
  const Recording m = read_with(std::string("M\0", 2));
  EXPECT_EQ(m.units, "m");
  EXPECT_NEAR(m.points.at(0, 0).position_m.x(), x_mm, 1e-9);
  EXPECT_THROW(read_with("ft"), Error);
}

// ---------------------------------------------------------- bad input

TEST(C3dTest, FramesDeclaredBeyondCleanDataEndAreClampedLikeOptotrak) {
  const Recording rec = MakeRecording(3, 10, 10);
  std::string b = SerializeC3d(rec);
  const auto p = RawParams(b);
  b[p.at("POINT:FRAMES").data] = 100;  // declares 100 frames, holds 10 then padding
  b[8] = 100;
  Recording out = ParseC3d({reinterpret_cast<const uint8_t*>(b.data()), b.size()}, "x.c3d");
  EXPECT_EQ(out.points.num_frames(), 10);
  // Same, cut mid-frame: that is a truncated file.
  b.resize((U16(b, 16) - 1) * 512 + 5 * 3 * 16 + 16);
  try {
    ParseC3d({reinterpret_cast<const uint8_t*>(b.data()), b.size()}, "cut.c3d");
    ADD_FAILURE() << "no error for a file cut mid-frame";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

TEST(C3dTest, DamagedCopiesOfARealFileThrowErrorsNamingTheFile) {
  const std::vector<uint8_t> good = ReadFileBytes(kRealDir + "Vicon.c3d");
  const fs::path dir = fs::path(HL_BINARY_DIR) / "c3d_test_tmp";
  fs::create_directories(dir);
  const fs::path path = dir / "damaged_vicon.c3d";
  const auto expect_error = [&](const std::vector<uint8_t>& bytes, const std::string& what) {
    SCOPED_TRACE(what);
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
    }
    try {
      ReadC3d(path);
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("damaged_vicon.c3d"), std::string::npos) << e.what();
    }
  };
  for (size_t len : {size_t{0}, size_t{1}, size_t{300}, size_t{700}, size_t{5000},
                     size_t{28 * 512 + 100}, good.size() / 2, good.size() - 100}) {
    expect_error(std::vector<uint8_t>(good.begin(), good.begin() + len),
                 "truncated to " + std::to_string(len));
  }
  const auto flipped = [&](size_t offset, uint8_t mask) {
    std::vector<uint8_t> b = good;
    b[offset] ^= mask;
    return b;
  };
  expect_error(flipped(1, 0x01), "key byte");
  expect_error(flipped(512 + 3, 0x40), "processor byte");
  expect_error(flipped(0, 0x40), "parameter block pointer");
  expect_error(flipped(17, 0x40), "DATA_START past the end");
  expect_error(flipped(3, 0x01), "more points than the data hold");
  // Fewer points in the header than POINT:USED: read with the header's count,
  // every frame would be cut in the wrong place (plausible-looking garbage).
  std::vector<uint8_t> fewer = good;
  ASSERT_EQ(fewer[2], 51) << "Vicon.c3d's header point count";
  fewer[2] = 45;
  expect_error(fewer, "header and POINT:USED disagree");
  try {
    ParseC3d(fewer, "fewer.c3d");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("POINT:USED 51"), std::string::npos) << e.what();
  }
  // The first parameter (TRIAL:ACTUAL_START_FIELD, after group TRIAL) gets
  // data type 3.
  expect_error(flipped(512 + 4 + (2 + 5 + 2 + 1) + (2 + 18 + 2), 0x01), "unknown data type");

  // Random flips either read or throw hl::Error, nothing else.
  std::mt19937 rng(11);
  for (int k = 0; k < 200; ++k) {
    std::vector<uint8_t> b = good;
    b[rng() % 16384] ^= static_cast<uint8_t>(1u << (rng() % 8));
    try {
      ParseC3d(b, "flipped.c3d");
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("flipped.c3d"), std::string::npos);
    }
  }
  fs::remove_all(dir);
}

TEST(C3dTest, WriterRejectsWhatC3dCannotHold) {
  Recording rec = MakeRecording(2, 2, 12);
  C3dWriteOptions options;
  options.point_labels = {std::string(300, 'x'), "b"};
  EXPECT_THROW(SerializeC3d(rec, options), Error);
  options = {};
  options.units = "furlong";
  EXPECT_THROW(SerializeC3d(rec, options), Error);
  rec.analog.labels = {"A"};
  rec.analog.samples_per_frame = 2;
  rec.analog.values = {1, 2, 3};  // needs 2 frames x 2 samples
  EXPECT_THROW(SerializeC3d(rec), Error);
  // POINT:RATE is a float: a rate it turns into infinity or 0 would make a
  // file no reader takes back.
  for (const double rate : {1e308, 1e-300}) {
    Recording r = MakeRecording(2, 2, 12);
    r.points.set_rate_hz(rate);
    EXPECT_THROW(SerializeC3d(r), Error) << rate;
  }
}

}  // namespace
}  // namespace hl
