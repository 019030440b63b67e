// C3D writer: header block, parameter section, data section, each starting on
// a 512-byte block, numbers in the chosen processor format. See core/c3d.h for
// the residual encoding and the handling of more than 65535 frames.

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/c3d.h"
#include "core/c3d_format.h"
#include "core/error.h"
#include "core/file_util.h"

namespace hl {
namespace {

using c3d::AppendF32;
using c3d::AppendU16;
using c3d::kBlockBytes;

constexpr char kVersionLabel[] = "0.1.0";  // keep in step with project() in CMakeLists.txt
constexpr int kLabelsPerParam = 255;
// Rows of HINGELAB:MARKER_SET per parameter: keeps each record under 32 KiB
// so readers that take the next-record offset as signed still work.
constexpr int kTextRowsPerParam = 120;
constexpr int kParamBlock = 2;
constexpr int kGroupPoint = 1, kGroupAnalog = 2, kGroupTrial = 3, kGroupManufacturer = 4,
              kGroupHingeLab = 5;

// Builds the parameter section record by record.
class ParamWriter {
 public:
  ParamWriter(C3dProcessor proc, const std::string& where) : proc_(proc), where_(where) {
    out_ = {'\x01', static_cast<char>(c3d::kKey), '\0',
            static_cast<char>(c3d::kProcessorBase + static_cast<int>(proc))};
  }

  void Group(int id, const std::string& name, const std::string& description) {
    Begin(-id, name);
    Description(description);
    End();
  }

  void Int16s(int group, const std::string& name, const std::vector<int>& dims,
              const std::vector<int64_t>& values, const std::string& description) {
    BeginParam(group, name, 2, dims);
    for (int64_t v : values) AppendU16(static_cast<uint16_t>(v), proc_, &out_);
    Description(description);
    End();
  }
  void Int16(int group, const std::string& name, int64_t value, const std::string& description) {
    Int16s(group, name, {}, {value}, description);
  }

  void Floats(int group, const std::string& name, const std::vector<int>& dims,
              const std::vector<float>& values, const std::string& description) {
    BeginParam(group, name, 4, dims);
    for (float v : values) AppendF32(v, proc_, &out_);
    Description(description);
    End();
  }
  void Float(int group, const std::string& name, float value, const std::string& description) {
    Floats(group, name, {}, {value}, description);
  }

  // One string: a 1D char array.
  void Text(int group, const std::string& name, const std::string& text,
            const std::string& description) {
    BeginParam(group, name, -1, {static_cast<int>(text.size())});
    out_ += text;
    Description(description);
    End();
  }

  // Strings padded with spaces to one width: a 2D char array [width, count].
  void Rows(int group, const std::string& name, const std::vector<std::string>& rows,
            const std::string& description) {
    size_t width = 0;
    for (const std::string& r : rows) {
      if (r.size() > 255) {
        throw Error(where_, "'" + r.substr(0, 40) + "...' in " + name +
                                " is longer than the 255 characters a C3D row holds; shorten it");
      }
      width = std::max(width, r.size());
    }
    if (!rows.empty()) width = std::max<size_t>(width, 1);
    BeginParam(group, name, -1, {static_cast<int>(width), static_cast<int>(rows.size())});
    for (const std::string& r : rows) out_ += r + std::string(width - r.size(), ' ');
    Description(description);
    End();
  }

  // Parameter section padded to whole blocks, with its block count filled in.
  std::string Finish() {
    if (last_offset_ != std::string::npos) out_[last_offset_] = out_[last_offset_ + 1] = '\0';
    const size_t blocks = (out_.size() + kBlockBytes - 1) / kBlockBytes;
    if (blocks > 255) {
      throw Error(where_, "the C3D parameters (labels, marker set) need " +
                              std::to_string(blocks) + " blocks, more than the 255 C3D allows");
    }
    std::string s = out_;
    s[2] = static_cast<char>(blocks);
    s.resize(blocks * kBlockBytes, '\0');
    return s;
  }

 private:
  void Begin(int group_id, const std::string& name) {
    HL_CHECK(!name.empty() && name.size() <= 127);
    out_.push_back(static_cast<char>(name.size()));
    out_.push_back(static_cast<char>(static_cast<int8_t>(group_id)));
    out_ += name;
    last_offset_ = out_.size();
    out_.append(2, '\0');
  }
  void BeginParam(int group, const std::string& name, int type, const std::vector<int>& dims) {
    Begin(group, name);
    out_.push_back(static_cast<char>(static_cast<int8_t>(type)));
    out_.push_back(static_cast<char>(dims.size()));
    for (int d : dims) {
      if (d > 255) {
        throw Error(where_, "C3D parameter " + name + " would need a dimension of " +
                                std::to_string(d) + ", over the 255 allowed");
      }
      out_.push_back(static_cast<char>(d));
    }
  }
  void Description(const std::string& d) {
    out_.push_back(static_cast<char>(std::min<size_t>(d.size(), 255)));
    out_ += d.substr(0, 255);
  }
  void End() {
    const size_t next = out_.size() - last_offset_;
    HL_CHECK(next <= 0xFFFF);
    std::string word;
    AppendU16(static_cast<uint16_t>(next), proc_, &word);
    out_[last_offset_] = word[0];
    out_[last_offset_ + 1] = word[1];
  }

  C3dProcessor proc_;
  const std::string& where_;
  std::string out_;
  size_t last_offset_ = std::string::npos;
};

std::vector<std::vector<std::string>> Chunks(const std::vector<std::string>& items, size_t n) {
  std::vector<std::vector<std::string>> out;
  for (size_t i = 0; i < items.size(); i += n) {
    out.emplace_back(items.begin() + i, items.begin() + std::min(items.size(), i + n));
  }
  if (out.empty()) out.emplace_back();
  return out;
}

// name, name2, name3... of at most kLabelsPerParam rows each.
void LabelRows(ParamWriter* w, int group, const std::string& name,
               const std::vector<std::string>& rows, const std::string& description) {
  const auto chunks = Chunks(rows, kLabelsPerParam);
  for (size_t i = 0; i < chunks.size(); ++i) {
    w->Rows(group, name + (i == 0 ? "" : std::to_string(i + 1)), chunks[i], description);
  }
}

struct Layout {
  int num_points = 0;
  int channels = 0;
  int analog_samples = 0;
  int64_t frames = 0;
  int64_t first_1based = 1;
  float scale = -0.001f;  // POINT:SCALE
  float rate = 0;
  float analog_rate = 0;
};

std::string Parameters(const Recording& rec, const C3dWriteOptions& opt, const Layout& lay,
                       int data_start, const std::string& where) {
  const Trajectories& pts = rec.points;
  ParamWriter w(opt.processor, where);
  w.Group(kGroupPoint, "POINT", "3-D point parameters");
  w.Int16(kGroupPoint, "USED", lay.num_points, "Number of 3-D points");
  if (lay.frames > 0xFFFF) {
    w.Float(kGroupPoint, "FRAMES", static_cast<float>(lay.frames), "Number of frames");
  } else {
    w.Int16(kGroupPoint, "FRAMES", lay.frames, "Number of frames");
  }
  w.Int16(kGroupPoint, "DATA_START", data_start, "Number of the first block of 3-D data");
  w.Float(kGroupPoint, "SCALE", lay.scale,
          "Negative: float data; |SCALE| is the residual quantum (pixels)");
  w.Float(kGroupPoint, "RATE", lay.rate, "3-D frame rate in Hz");
  w.Text(kGroupPoint, "UNITS", opt.units, "Units of distance");
  const std::vector<std::string>& labels =
      opt.point_labels.empty() ? pts.labels() : opt.point_labels;
  HL_CHECK(static_cast<int>(labels.size()) == lay.num_points);
  LabelRows(&w, kGroupPoint, "LABELS", labels, "Point labels");
  LabelRows(&w, kGroupPoint, "DESCRIPTIONS", std::vector<std::string>(labels.size()),
            "Point descriptions");

  const int n = lay.channels;
  w.Group(kGroupAnalog, "ANALOG", "Analog data parameters");
  w.Int16(kGroupAnalog, "USED", n, "Number of analog channels");
  w.Float(kGroupAnalog, "RATE", lay.analog_rate, "Analog samples per second");
  LabelRows(&w, kGroupAnalog, "LABELS", n > 0 ? rec.analog.labels : std::vector<std::string>{},
            "Channel labels");
  // Values are written already scaled: identity scale and offset.
  w.Floats(kGroupAnalog, "SCALE", {n}, std::vector<float>(n, 1.0f), "Channel scales");
  w.Int16s(kGroupAnalog, "OFFSET", {n}, std::vector<int64_t>(n, 0), "Channel offsets");
  w.Float(kGroupAnalog, "GEN_SCALE", 1.0f, "General scale");
  LabelRows(&w, kGroupAnalog, "UNITS", std::vector<std::string>(n), "Channel units (unknown)");

  const int64_t last = lay.first_1based + std::max<int64_t>(lay.frames, 1) - 1;
  w.Group(kGroupTrial, "TRIAL", "Trial parameters");
  w.Int16s(kGroupTrial, "ACTUAL_START_FIELD", {2},
           {lay.first_1based & 0xFFFF, lay.first_1based >> 16}, "First frame (low, high word)");
  w.Int16s(kGroupTrial, "ACTUAL_END_FIELD", {2}, {last & 0xFFFF, last >> 16},
           "Last frame (low, high word)");

  w.Group(kGroupManufacturer, "MANUFACTURER", "Software that wrote the file");
  w.Text(kGroupManufacturer, "COMPANY", "HingeLab", "Company");
  w.Text(kGroupManufacturer, "SOFTWARE", "hingelab", "Software");
  w.Text(kGroupManufacturer, "VERSION_LABEL", kVersionLabel, "Software version");

  if (!rec.marker_set_yaml.empty()) {
    // Fixed-width rows of the raw text; the reader joins them and drops the
    // padding (so trailing spaces of the YAML itself are not kept).
    const std::string& yaml = rec.marker_set_yaml;
    const size_t width = std::min<size_t>(yaml.size(), 255);
    std::vector<std::string> rows;
    for (size_t i = 0; i < yaml.size(); i += width) rows.push_back(yaml.substr(i, width));
    w.Group(kGroupHingeLab, "HINGELAB", "HingeLab take information");
    for (size_t i = 0; i * kTextRowsPerParam < rows.size(); ++i) {
      const auto first = rows.begin() + i * kTextRowsPerParam;
      const auto last_row = rows.begin() + std::min(rows.size(), (i + 1) * kTextRowsPerParam);
      w.Rows(kGroupHingeLab, "MARKER_SET" + (i == 0 ? "" : std::to_string(i + 1)),
             std::vector<std::string>(first, last_row), "Marker set (YAML), rows joined");
    }
  }
  return w.Finish();
}

}  // namespace

std::string SerializeC3d(const Recording& rec, const C3dWriteOptions& opt) {
  const std::string where = "recording";
  const Trajectories& pts = rec.points;
  Layout lay;
  lay.num_points = pts.num_labels();
  lay.frames = pts.num_frames();
  lay.first_1based = pts.first_frame() + 1;
  lay.rate = static_cast<float>(pts.rate_hz());
  // POINT:RATE is a float: a rate it cannot hold would write a file no reader
  // (ours included) takes back. 0 stays "unknown".
  if (!std::isfinite(lay.rate) || lay.rate < 0 || (pts.rate_hz() > 0 && !(lay.rate > 0))) {
    throw Error(where, "frame rate " + std::to_string(pts.rate_hz()) +
                           " Hz cannot be stored in C3D's float POINT:RATE; check the rate given");
  }
  if (lay.num_points > 0xFFFF) {
    throw Error(where, std::to_string(lay.num_points) + " labels; C3D holds at most 65535");
  }
  if (!opt.point_labels.empty() && static_cast<int>(opt.point_labels.size()) != lay.num_points) {
    throw Error(where, "C3dWriteOptions::point_labels has " +
                           std::to_string(opt.point_labels.size()) + " labels for " +
                           std::to_string(lay.num_points) + " points");
  }
  if (lay.frames > (1 << 24)) {
    throw Error(where, std::to_string(lay.frames) + " frames; C3D's float POINT:FRAMES counts "
                       "exactly only up to 2^24 - split the take");
  }
  if (lay.first_1based < 1 || lay.first_1based + lay.frames > (int64_t{1} << 32)) {
    throw Error(where, "first frame " + std::to_string(pts.first_frame()) +
                           " cannot be stored in C3D (0 to 2^32 - frames)");
  }
  double to_units = 1e3;
  if (opt.units == "m") {
    to_units = 1.0;
  } else if (opt.units != "mm") {
    throw Error(where, "C3D units '" + opt.units + "'; write mm or m");
  }
  const AnalogData& an = rec.analog;
  if (an.num_channels() > 0 && an.samples_per_frame > 0) {
    lay.channels = an.num_channels();
    lay.analog_samples = an.samples_per_frame;
    const size_t expected = static_cast<size_t>(lay.frames) * lay.channels * lay.analog_samples;
    if (an.values.size() != expected || int64_t{lay.channels} * lay.analog_samples > 0xFFFF) {
      throw Error(where, "analog data hold " + std::to_string(an.values.size()) +
                             " values where frames x samples x channels is " +
                             std::to_string(expected) + " (at most 65535 per frame)");
    }
    lay.analog_rate = static_cast<float>(an.rate_hz > 0 ? an.rate_hz
                                                        : pts.rate_hz() * lay.analog_samples);
  }

  // Residual quantum (and, for integer storage, the position resolution).
  float max_residual = 0, max_coord = 0;
  for (const Sample& s : pts.samples()) {
    if (!s.valid() || !s.position_m.allFinite()) continue;
    max_residual = std::max(max_residual, s.residual_px);
    max_coord = std::max(max_coord, static_cast<float>(s.position_m.cwiseAbs().maxCoeff() *
                                                       to_units));
  }
  float quantum = std::max(0.001f, max_residual / 255.0f);
  if (opt.integer_storage) quantum = std::max(quantum, max_coord / 32000.0f);
  lay.scale = opt.integer_storage ? quantum : -quantum;

  std::string params = Parameters(rec, opt, lay, 0, where);
  const int data_start = kParamBlock + static_cast<int>(params.size() / kBlockBytes);
  params = Parameters(rec, opt, lay, data_start, where);

  const C3dProcessor proc = opt.processor;
  std::string header(kBlockBytes, '\0');
  header[0] = static_cast<char>(kParamBlock);
  header[1] = static_cast<char>(c3d::kKey);
  const auto put_word = [&](int word_1based, int64_t v) {
    c3d::PutU16(static_cast<uint16_t>(std::min<int64_t>(v, 0xFFFF)), proc,
                reinterpret_cast<uint8_t*>(header.data()) + 2 * (word_1based - 1));
  };
  put_word(2, lay.num_points);
  put_word(3, int64_t{lay.channels} * lay.analog_samples);
  put_word(4, lay.first_1based);
  put_word(5, lay.first_1based + lay.frames - 1);
  c3d::PutF32(lay.scale, proc, reinterpret_cast<uint8_t*>(header.data()) + 12);
  put_word(9, data_start);
  put_word(10, lay.analog_samples);
  c3d::PutF32(lay.rate, proc, reinterpret_cast<uint8_t*>(header.data()) + 20);

  const bool is_float = !opt.integer_storage;
  const size_t word_bytes = is_float ? 4 : 2;
  const size_t analog_values = static_cast<size_t>(lay.channels) * lay.analog_samples;
  const size_t frame_bytes = (static_cast<size_t>(lay.num_points) * 4 + analog_values) * word_bytes;
  const size_t data_bytes = frame_bytes * static_cast<size_t>(lay.frames);
  const size_t padded = (data_bytes + kBlockBytes - 1) / kBlockBytes * kBlockBytes;
  std::string out;
  out.reserve(header.size() + params.size() + padded);
  out += header;
  out += params;
  out.resize(out.size() + padded, '\0');
  uint8_t* dst = reinterpret_cast<uint8_t*>(out.data()) + header.size() + params.size();
  const float inv_quantum = 1.0f / quantum;
  const auto put = [&](double v) {
    if (is_float) {
      c3d::PutF32(static_cast<float>(v), proc, dst);
    } else {
      c3d::PutU16(static_cast<uint16_t>(static_cast<int16_t>(std::lround(v))), proc, dst);
    }
    dst += word_bytes;
  };
  const double coord_factor = is_float ? to_units : to_units / quantum;
  for (int f = 0; f < pts.num_frames(); ++f) {
    const Sample* row = pts.row(f);
    for (int i = 0; i < lay.num_points; ++i) {
      const Sample& s = row[i];
      if (!s.valid() || !s.position_m.allFinite()) {
        put(0), put(0), put(0), put(-1);
        continue;
      }
      for (int k = 0; k < 3; ++k) put(s.position_m[k] * coord_factor);
      const int residual = std::clamp(static_cast<int>(std::lround(s.residual_px * inv_quantum)),
                                      0, 255);
      const int mask = (1 << std::min<int>(s.n_cameras, 7)) - 1;
      put((mask << 8) | residual);
    }
    const float* analog = an.values.data() + static_cast<size_t>(f) * analog_values;
    for (size_t k = 0; k < analog_values; ++k) put(analog[k]);
  }
  return out;
}

void WriteC3d(const std::filesystem::path& path, const Recording& recording,
              const C3dWriteOptions& options) {
  std::string bytes;
  try {
    bytes = SerializeC3d(recording, options);
  } catch (const Error& e) {
    throw Error(path.string(), e.message());
  }
  WriteFileAtomic(path, bytes);
}

}  // namespace hl
