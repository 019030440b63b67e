// C3D reader. Every count, size and offset comes from the file, so each is
// checked against the bytes actually there before it is used or allocated.

#include "core/c3d.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "core/c3d_format.h"
#include "core/error.h"
#include "core/file_util.h"

namespace hl {
namespace {

using c3d::kBlockBytes;
using c3d::LoadF32;
using c3d::LoadI16;
using c3d::LoadU16;

constexpr int8_t kTypeChar = -1, kTypeByte = 1, kTypeInt16 = 2, kTypeFloat = 4;

struct Param {
  int8_t type = 0;
  std::vector<int> dims;
  size_t offset = 0;  // of the data in the file
  size_t count = 0;   // elements
};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Text up to the first NUL, without surrounding blanks.
std::string CleanText(std::string_view s) {
  s = s.substr(0, s.find('\0'));
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  return std::string(s);
}

class C3dParser {
 public:
  C3dParser(std::span<const uint8_t> bytes, const std::string& name, const C3dReadOptions& options)
      : bytes_(bytes), name_(name), options_(options) {}

  Recording Parse();

 private:
  [[noreturn]] void Fail(const std::string& what) const { throw Error(name_, what); }
  void Need(size_t offset, size_t size, const std::string& what) const {
    if (offset > bytes_.size() || size > bytes_.size() - offset) {
      Fail("truncated C3D: the file ends inside " + what + " (needs byte " +
           std::to_string(offset + size) + ", file has " + std::to_string(bytes_.size()) +
           "); the file may be cut short - re-export it");
    }
  }
  uint16_t U16(size_t off) const { return LoadU16(bytes_.data() + off, proc_); }
  float F32(size_t off) const { return LoadF32(bytes_.data() + off, proc_); }

  void ParseParameters(size_t start);
  const Param* Find(const std::string& key) const;
  // First element as a number; int16 read unsigned (counts and block numbers
  // above 32767 are written that way).
  std::optional<double> Number(const std::string& key) const;
  std::vector<double> Numbers(const std::string& key) const;
  std::vector<std::string> Strings(const std::string& key) const;
  // LABELS, then LABELS2, LABELS3... until `count` labels are found, made
  // unique; missing ones are named prefix + (index + 1).
  std::vector<std::string> Labels(const std::string& group, int count,
                                  const std::string& prefix) const;
  int64_t FrameCount(int64_t first_frame_1based, uint16_t header_last) const;
  // TRIAL's frame numbers: two int16 words, low word first.
  std::optional<int64_t> TwoWordValue(const std::string& key) const;
  void ReadPoints(size_t data_off, size_t frame_bytes, float scale, double to_m,
                  Trajectories* out) const;
  void ReadAnalog(size_t data_off, size_t frame_bytes, size_t point_bytes, bool is_float,
                  Recording* out) const;

  std::span<const uint8_t> bytes_;
  const std::string& name_;
  C3dReadOptions options_;
  C3dProcessor proc_ = C3dProcessor::kIntel;
  std::map<std::string, Param> params_;  // "GROUP:NAME"
  int num_points_ = 0;
  int analog_per_frame_ = 0;
  int analog_samples_ = 0;
};

void C3dParser::ParseParameters(size_t start) {
  std::map<int, std::string> groups;
  std::vector<std::pair<std::pair<int, std::string>, Param>> found;
  size_t pos = start + 4;
  while (pos + 2 <= bytes_.size()) {
    const int name_len = std::abs(static_cast<int8_t>(bytes_[pos]));
    const int group_id = static_cast<int8_t>(bytes_[pos + 1]);
    if (name_len == 0) break;
    const size_t name_off = pos + 2;
    Need(name_off, name_len + 2, "a parameter name");
    const std::string name =
        Upper(std::string(reinterpret_cast<const char*>(bytes_.data() + name_off), name_len));
    const size_t next_word = name_off + name_len;
    const uint16_t next = U16(next_word);
    if (group_id < 0) {
      groups.emplace(-group_id, name);
    } else if (group_id > 0) {
      Param p;
      size_t q = next_word + 2;
      Need(q, 2, "parameter " + name);
      p.type = static_cast<int8_t>(bytes_[q]);
      const int ndims = bytes_[q + 1];
      q += 2;
      Need(q, ndims, "parameter " + name);
      int elem = 0;
      switch (p.type) {
        case kTypeChar: case kTypeByte: elem = 1; break;
        case kTypeInt16: elem = 2; break;
        case kTypeFloat: elem = 4; break;
        default:
          Fail("parameter " + name + " has data type " + std::to_string(p.type) +
               " (C3D knows -1, 1, 2, 4); the parameter section is corrupt - re-export the file");
      }
      p.count = 1;
      for (int d = 0; d < ndims; ++d) {
        p.dims.push_back(bytes_[q + d]);
        p.count *= bytes_[q + d];
        // Bounded before it can overflow: the data must fit in the file.
        Need(q + ndims, p.count * elem, "parameter " + name);
      }
      p.offset = q + ndims;
      Need(p.offset, p.count * elem, "parameter " + name);
      found.push_back({{group_id, name}, p});
    }
    if (next == 0) break;
    pos = next_word + next;
  }
  for (auto& [key, p] : found) {
    auto g = groups.find(key.first);
    const std::string group = g == groups.end() ? "GROUP" + std::to_string(key.first) : g->second;
    params_.emplace(group + ":" + key.second, p);  // the first of repeated names wins
  }
}

const Param* C3dParser::Find(const std::string& key) const {
  auto it = params_.find(key);
  return it == params_.end() ? nullptr : &it->second;
}

std::vector<double> C3dParser::Numbers(const std::string& key) const {
  std::vector<double> out;
  const Param* p = Find(key);
  if (p == nullptr) return out;
  for (size_t i = 0; i < p->count; ++i) {
    switch (p->type) {
      case kTypeByte: out.push_back(bytes_[p->offset + i]); break;
      case kTypeInt16: out.push_back(U16(p->offset + 2 * i)); break;
      case kTypeFloat: out.push_back(F32(p->offset + 4 * i)); break;
      default: return {};
    }
  }
  return out;
}

std::optional<double> C3dParser::Number(const std::string& key) const {
  const Param* p = Find(key);
  if (p == nullptr || p->count == 0 || p->type == kTypeChar) return std::nullopt;
  const std::vector<double> v = Numbers(key);
  if (!std::isfinite(v[0])) {
    Fail("parameter " + key + " is not a finite number; the parameter section is corrupt");
  }
  return v[0];
}

std::vector<std::string> C3dParser::Strings(const std::string& key) const {
  std::vector<std::string> out;
  const Param* p = Find(key);
  if (p == nullptr || p->type != kTypeChar) return out;
  const size_t width = p->dims.empty() ? 1 : p->dims[0];
  if (width == 0) return out;
  const char* data = reinterpret_cast<const char*>(bytes_.data() + p->offset);
  for (size_t i = 0; i + width <= p->count; i += width) {
    out.push_back(CleanText(std::string_view(data + i, width)));
  }
  return out;
}

std::vector<std::string> C3dParser::Labels(const std::string& group, int count,
                                           const std::string& prefix) const {
  std::vector<std::string> raw;
  for (int block = 1; static_cast<int>(raw.size()) < count; ++block) {
    const std::string key = group + ":LABELS" + (block == 1 ? "" : std::to_string(block));
    if (Find(key) == nullptr) break;
    for (std::string& s : Strings(key)) raw.push_back(std::move(s));
  }
  raw.resize(count);
  // Names that appear first keep their name; repeats and blanks get a fresh one.
  std::set<std::string> used;
  std::vector<bool> keep(count, false);
  for (int i = 0; i < count; ++i) keep[i] = !raw[i].empty() && used.insert(raw[i]).second;
  for (int i = 0; i < count; ++i) {
    if (keep[i]) continue;
    const std::string base = raw[i].empty() ? prefix + std::to_string(i + 1) : raw[i];
    std::string candidate = base;
    for (int k = raw[i].empty() ? 1 : 2; !used.insert(candidate).second; ++k) {
      candidate = base + "_" + std::to_string(k);
    }
    raw[i] = candidate;
  }
  return raw;
}

int64_t C3dParser::FrameCount(int64_t first_frame_1based, uint16_t header_last) const {
  int64_t frames = header_last >= first_frame_1based ? header_last - first_frame_1based + 1 : 0;
  bool saturated = header_last == 0xFFFF;
  if (const std::optional<double> v = Number("POINT:FRAMES")) {
    if (*v < 0 || *v > std::numeric_limits<int32_t>::max()) {
      Fail("POINT:FRAMES is " + std::to_string(*v) + "; the parameter section is corrupt");
    }
    frames = static_cast<int64_t>(*v);
    saturated = Find("POINT:FRAMES")->type == kTypeInt16 && *v == 0xFFFF;
  }
  // Past 65535 frames only TRIAL's two-word fields can hold the count.
  if (saturated) {
    const std::optional<int64_t> start = TwoWordValue("TRIAL:ACTUAL_START_FIELD");
    const std::optional<int64_t> end = TwoWordValue("TRIAL:ACTUAL_END_FIELD");
    if (start && end && *end >= *start) frames = std::max(frames, *end - *start + 1);
  }
  return frames;
}

std::optional<int64_t> C3dParser::TwoWordValue(const std::string& key) const {
  const Param* p = Find(key);
  if (p == nullptr || p->type != kTypeInt16 || p->count != 2) return std::nullopt;
  const std::vector<double> v = Numbers(key);
  return static_cast<int64_t>(v[0]) + (static_cast<int64_t>(v[1]) << 16);
}

// The per-sample decode, compiled once per number format so the 10^7-sample
// loops of long takes do not branch on the format.
template <C3dProcessor kProc, bool kFloat>
void DecodePoints(const uint8_t* data, size_t frame_bytes, int num_points, float scale,
                  double to_m, Trajectories* out) {
  const float residual_quantum = std::abs(scale);
  const double coord_scale = kFloat ? to_m : to_m * scale;
  for (int f = 0; f < out->num_frames(); ++f) {
    const uint8_t* src = data + static_cast<size_t>(f) * frame_bytes;
    Sample* dst = out->row(f);
    for (int i = 0; i < num_points; ++i, ++dst) {
      double xyz[3];
      int word;  // the residual word as the 16-bit integer it stands for
      if constexpr (kFloat) {
        for (int k = 0; k < 3; ++k) xyz[k] = LoadF32(src + 4 * k, kProc);
        const float w = LoadF32(src + 12, kProc);
        word = w >= 0 ? static_cast<int>(std::min(w, 32767.0f)) : -1;  // NaN -> -1
        src += 16;
      } else {
        for (int k = 0; k < 3; ++k) xyz[k] = LoadI16(src + 2 * k, kProc);
        word = LoadI16(src + 6, kProc);
        src += 8;
      }
      if (word < 0 || !std::isfinite(xyz[0]) || !std::isfinite(xyz[1]) ||
          !std::isfinite(xyz[2])) {
        continue;  // stays Sample::Invalid()
      }
      dst->position_m = Eigen::Vector3d(xyz[0], xyz[1], xyz[2]) * coord_scale;
      dst->residual_px = static_cast<float>(word & 0xFF) * residual_quantum;
      dst->n_cameras = static_cast<uint8_t>(std::popcount(static_cast<unsigned>(word >> 8)));
    }
  }
}

template <C3dProcessor kProc>
void DecodePoints(bool is_float, const uint8_t* data, size_t frame_bytes, int num_points,
                  float scale, double to_m, Trajectories* out) {
  if (is_float) {
    DecodePoints<kProc, true>(data, frame_bytes, num_points, scale, to_m, out);
  } else {
    DecodePoints<kProc, false>(data, frame_bytes, num_points, scale, to_m, out);
  }
}

void C3dParser::ReadPoints(size_t data_off, size_t frame_bytes, float scale, double to_m,
                           Trajectories* out) const {
  const uint8_t* data = bytes_.data() + data_off;
  const bool is_float = scale < 0;
  switch (proc_) {
    case C3dProcessor::kIntel:
      return DecodePoints<C3dProcessor::kIntel>(is_float, data, frame_bytes, num_points_, scale,
                                                to_m, out);
    case C3dProcessor::kDec:
      return DecodePoints<C3dProcessor::kDec>(is_float, data, frame_bytes, num_points_, scale,
                                              to_m, out);
    case C3dProcessor::kMips:
      return DecodePoints<C3dProcessor::kMips>(is_float, data, frame_bytes, num_points_, scale,
                                               to_m, out);
  }
}

void C3dParser::ReadAnalog(size_t data_off, size_t frame_bytes, size_t point_bytes, bool is_float,
                           Recording* out) const {
  AnalogData& a = out->analog;
  const int channels = a.num_channels();
  const int frames = out->points.num_frames();
  std::vector<double> scale = Numbers("ANALOG:SCALE");
  std::vector<double> offset = Numbers("ANALOG:OFFSET");
  scale.resize(channels, 1.0);
  offset.resize(channels, 0.0);
  const std::vector<std::string> format = Strings("ANALOG:FORMAT");
  const bool unsigned_ints = !format.empty() && Upper(format[0]) == "UNSIGNED";
  const Param* off_param = Find("ANALOG:OFFSET");
  for (int c = 0; c < channels; ++c) {
    // Numbers() reads int16 unsigned; offsets are signed unless the data are.
    if (off_param != nullptr && off_param->type == kTypeInt16 && !unsigned_ints &&
        offset[c] > 32767) {
      offset[c] -= 65536;
    }
  }
  const double gen_scale = Number("ANALOG:GEN_SCALE").value_or(1.0);
  for (int c = 0; c < channels; ++c) scale[c] *= gen_scale;
  a.values.resize(static_cast<size_t>(frames) * a.samples_per_frame * channels);
  float* dst = a.values.data();
  for (int f = 0; f < frames; ++f) {
    const uint8_t* src = bytes_.data() + data_off + static_cast<size_t>(f) * frame_bytes +
                         point_bytes;
    for (int s = 0; s < a.samples_per_frame; ++s) {
      for (int c = 0; c < channels; ++c) {
        double raw;
        if (is_float) {
          raw = LoadF32(src, proc_);
          src += 4;
        } else {
          raw = unsigned_ints ? LoadU16(src, proc_) : LoadI16(src, proc_);
          src += 2;
        }
        *dst++ = static_cast<float>((raw - offset[c]) * scale[c]);
      }
    }
  }
}

Recording C3dParser::Parse() {
  Need(0, kBlockBytes, "the 512-byte header");
  if (bytes_[1] != c3d::kKey) {
    Fail("not a C3D file: byte 2 is " + std::to_string(bytes_[1]) +
         ", C3D files have 80 (0x50) there");
  }
  if (bytes_[0] < 2) Fail("the header points the parameter section at block " +
                          std::to_string(bytes_[0]) + "; the file is corrupt");
  const size_t param_off = (bytes_[0] - 1) * kBlockBytes;
  Need(param_off, 4, "the parameter section header");
  // Qualisys and Optotrak write 0, 0 where the spec puts 1, 0x50: only the
  // processor byte is trusted.
  const int proc = bytes_[param_off + 3] - c3d::kProcessorBase;
  if (proc < 1 || proc > 3) {
    Fail("unknown processor type " + std::to_string(bytes_[param_off + 3]) +
         " in the parameter section (84 Intel, 85 DEC, 86 MIPS); the file is corrupt");
  }
  proc_ = static_cast<C3dProcessor>(proc);
  ParseParameters(param_off);

  // Header words (1-based numbering as in the spec).
  const auto word = [&](int w) { return U16((w - 1) * 2); };
  num_points_ = word(2);
  // The header and POINT:USED must agree on the points per frame: when they do
  // not, one of them is damaged and the frames cannot be cut without guessing
  // (reading with the wrong count gives plausible-looking garbage).
  if (const auto used = Number("POINT:USED"); used && *used >= 0 && *used <= 0xFFFF &&
                                              static_cast<int>(*used) != num_points_) {
    Fail("the header says " + std::to_string(num_points_) + " points per frame, POINT:USED " +
         std::to_string(static_cast<int>(*used)) + "; the file is corrupt (re-export it)");
  }
  analog_per_frame_ = word(3);
  analog_samples_ = word(10);
  const float header_scale = F32(12);
  const float header_rate = F32(20);

  const float scale = static_cast<float>(Number("POINT:SCALE").value_or(header_scale));
  if (!std::isfinite(scale) || scale == 0) {
    Fail("POINT:SCALE is " + std::to_string(scale) + "; it must be a non-zero number (negative "
         "for float data); the file is corrupt");
  }
  const bool is_float = scale < 0;
  const double rate = Number("POINT:RATE").value_or(header_rate);
  if (!std::isfinite(rate) || rate < 0) {
    Fail("the point frame rate is " + std::to_string(rate) + " Hz; the file is corrupt");
  }

  std::string units = "mm";
  double to_m = 1e-3;
  if (const auto u = Strings("POINT:UNITS"); !u.empty() && !u[0].empty()) {
    static const std::map<std::string, double> kMetresPerUnit = {
        {"mm", 1e-3}, {"cm", 1e-2}, {"m", 1.0}};
    std::string lower = u[0];
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto it = kMetresPerUnit.find(lower);
    if (it == kMetresPerUnit.end()) {
      Fail("POINT:UNITS is '" + u[0] + "'; HingeLab reads mm, cm or m - re-export in one of those");
    }
    units = it->first;
    to_m = it->second;
  }

  int64_t first_1based = word(4);
  if (first_1based == 0xFFFF) {  // saturated: the two-word TRIAL field holds it
    first_1based = TwoWordValue("TRIAL:ACTUAL_START_FIELD").value_or(first_1based);
  }
  const int64_t declared = FrameCount(first_1based, word(5));

  // Data layout.
  const size_t word_bytes = is_float ? 4 : 2;
  const size_t point_bytes = static_cast<size_t>(num_points_) * 4 * word_bytes;
  const size_t frame_bytes = point_bytes + static_cast<size_t>(analog_per_frame_) * word_bytes;
  int channels = 0;
  if (analog_per_frame_ > 0) {
    if (analog_samples_ == 0 || analog_per_frame_ % analog_samples_ != 0) {
      Fail("the header says " + std::to_string(analog_per_frame_) +
           " analog values per frame with " + std::to_string(analog_samples_) +
           " samples per frame, which is not a whole number of channels; the file is corrupt");
    }
    channels = analog_per_frame_ / analog_samples_;
  }
  int64_t frames = declared;
  size_t data_off = 0;
  if (frame_bytes == 0) {
    frames = 0;  // nothing stored per frame: no samples to read
  } else if (declared > 0) {
    size_t data_start = word(9);
    if (data_start == 0) data_start = static_cast<size_t>(Number("POINT:DATA_START").value_or(0));
    if (data_start <= bytes_[0]) {
      Fail("DATA_START is block " + std::to_string(data_start) +
           ", not after the parameter section; the file is corrupt");
    }
    data_off = (data_start - 1) * kBlockBytes;
    if (data_off > bytes_.size()) {
      Fail("truncated C3D: DATA_START is block " + std::to_string(data_start) + " (byte " +
           std::to_string(data_off) + ") but the file has " + std::to_string(bytes_.size()) +
           " bytes; the file may be cut short - re-export it");
    }
    const size_t whole = (bytes_.size() - data_off) / frame_bytes;
    if (static_cast<uint64_t>(declared) > whole) {
      // Optotrak declares more frames than it writes, but its data end on a
      // frame boundary; a cut file stops mid-frame.
      const size_t tail = data_off + whole * frame_bytes;
      const bool clean_end = whole > 0 && bytes_.size() - tail < kBlockBytes &&
                             std::all_of(bytes_.begin() + tail, bytes_.end(),
                                         [](uint8_t b) { return b == 0; });
      if (!clean_end) {
        Fail("truncated C3D: header says " + std::to_string(declared) + " frames of " +
             std::to_string(num_points_) + " points but the file holds " +
             std::to_string(whole) + "; the file may be cut short - re-export it");
      }
      frames = static_cast<int64_t>(whole);
    }
  }
  if (frames > std::numeric_limits<int>::max()) {
    Fail("holds " + std::to_string(frames) + " frames, more than HingeLab handles in one take");
  }

  Recording rec;
  rec.format = "c3d";
  rec.units = units;
  rec.points = Trajectories(Labels("POINT", num_points_, "POINT"), static_cast<int>(frames), rate);
  rec.points.set_first_frame(first_1based > 0 ? first_1based - 1 : 0);
  ReadPoints(data_off, frame_bytes, scale, to_m, &rec.points);

  rec.analog.labels = Labels("ANALOG", channels, "ANALOG");
  rec.analog.samples_per_frame = channels > 0 ? analog_samples_ : 0;
  rec.analog.rate_hz = Number("ANALOG:RATE").value_or(rate * analog_samples_);
  if (options_.read_analog && channels > 0) {
    ReadAnalog(data_off, frame_bytes, point_bytes, is_float, &rec);
  }

  // HINGELAB:MARKER_SET, MARKER_SET2...: the YAML cut into fixed-width rows.
  for (int block = 1;; ++block) {
    const Param* p = Find("HINGELAB:MARKER_SET" + (block == 1 ? "" : std::to_string(block)));
    if (p == nullptr || p->type != kTypeChar) break;
    rec.marker_set_yaml.append(reinterpret_cast<const char*>(bytes_.data() + p->offset),
                               p->count);
  }
  while (!rec.marker_set_yaml.empty() &&
         (rec.marker_set_yaml.back() == ' ' || rec.marker_set_yaml.back() == '\0')) {
    rec.marker_set_yaml.pop_back();
  }
  return rec;
}

}  // namespace

Recording ParseC3d(std::span<const uint8_t> bytes, const std::string& name,
                   const C3dReadOptions& options) {
  return C3dParser(bytes, name, options).Parse();
}

Recording ReadC3d(const std::filesystem::path& path, const C3dReadOptions& options) {
  const std::vector<uint8_t> bytes = ReadFileBytes(path);
  return ParseC3d(bytes, path.string(), options);
}

}  // namespace hl
